"""The task timeline: audit history, reports, reviews, comments and requests, as each user may see them."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from tasks import services
from tasks.models import Task
from tasks.selectors.timeline import task_timeline
from tests.factories import LeaderCommentFactory, SupervisionNoticeFactory, UnitFactory

pytestmark = pytest.mark.django_db


def page(client, user, r):
    client.force_login(user)
    response = client.get(reverse("tasks:detail", args=[r.campaign.code, r.task.number]))
    assert response.status_code == 200
    return response


def every_page(user, task, *, limit):
    """The timeline's pages, newest first, each from the cursor the one before gave."""
    pages, before = [], None
    while True:
        page_ = task_timeline(user, task, before=before, limit=limit)
        pages.append(page_.events)
        if page_.older is None:
            return pages
        before = page_.older


def codes(response):
    return [event.code for event in response.context["detail"].timeline]


def report(r, user, unit, progress, submit=True, version=None, period=None):
    return services.report_save(
        user=user, task=r.task, unit=unit, period=period or r.past, progress=progress, percent_complete=50,
        expected_version=version, submit=submit,
    )  # fmt: skip


def test_submission_review_and_resubmission_are_recorded_with_who_and_what_changed(client, reporting):
    r = reporting
    draft = report(r, r.lead_liaison, r.lead, "草稿内容", submit=False)
    submitted = report(r, r.lead_liaison, r.lead, "第一次报送", version=draft.version)
    services.report_review(user=r.office, report_id=submitted.pk, accept=False, comment="请补充数据")
    report(r, r.lead_head, r.lead, "补充后的报送", version=submitted.version + 1)

    response = page(client, r.office, r)
    events = [e for e in response.context["detail"].timeline if e.kind == "report"]
    # Newest first; draft saves are not part of the timeline.
    assert [(e.code, e.who) for e in events] == [
        ("report:submit", r.lead_head),
        ("report:return", r.office),
        ("report:submit", r.lead_liaison),
    ]
    assert events[1].text == "请补充数据"
    resubmission = events[0]
    assert [(c.old, c.new) for c in resubmission.changes] == [("第一次报送", "补充后的报送")]
    content = response.content.decode()
    assert "请补充数据" in content and "补充后的报送" in content
    assert "草稿内容" not in content


def test_late_submissions_are_marked(client, reporting):
    r = reporting
    report(r, r.lead_liaison, r.lead, "迟交")  # r.past is over: late
    event = next(e for e in page(client, r.office, r).context["detail"].timeline if e.kind == "report")
    assert event.late


def test_a_unit_sees_only_the_report_history_it_may_read_and_never_anothers_draft(client, reporting):
    r = reporting
    draft = report(r, r.support_liaison, r.support, "配合单位的草稿秘密", submit=False)
    report(r, r.support_liaison, r.support, "配合单位正式报送", version=draft.version)
    report(r, r.lead_liaison, r.lead, "牵头单位报送")

    lead_view = page(client, r.lead_liaison, r)
    assert codes(lead_view).count("report:submit") == 2
    assert "配合单位的草稿秘密" not in lead_view.content.decode()

    support_view = page(client, r.support_liaison, r)
    subjects = [e.subject for e in support_view.context["detail"].timeline if e.kind == "report"]
    assert len(subjects) == 1 and r.support.name in subjects[0]
    assert "牵头单位报送" not in support_view.content.decode()

    other_view = page(client, r.other_liaison, r)
    assert "report:submit" not in codes(other_view)


def test_extension_and_completion_decisions_and_comments_appear_with_the_deadline_history(client, reporting):
    r = reporting
    original = r.task.deadline
    new = original + datetime.timedelta(days=30)
    extension = services.extension_request_create(
        user=r.lead_liaison, task=r.task, unit=r.lead, requested_deadline=new, reason="雨季施工受阻"
    )
    LeaderCommentFactory(task=r.task, author=r.leader, text="抓紧推进")
    completion = services.completion_request_create(user=r.lead_liaison, task=r.task, unit=r.lead, summary="已完工")
    # The office decides in the browser: the audit history records who changed the task.
    client.force_login(r.office)
    client.post(reverse("tasks:extension-decide", args=[extension.pk]), {"decision": "approve"})
    client.post(reverse("tasks:completion-decide", args=[completion.pk]), {"decision": "approve"})

    response = page(client, r.support_liaison, r)
    timeline = response.context["detail"].timeline
    happened = codes(response)
    for code in (
        "extension:requested", "extension:approved", "task:extension approved", "comment",
        "completion:requested", "completion:approved", "task:closed off",
    ):  # fmt: skip
        assert code in happened, code
    extended = next(e for e in timeline if e.code == "task:extension approved")
    assert extended.who == r.office
    assert {(c.old, c.new) for c in extended.changes} >= {(original.isoformat(), new.isoformat())}
    closed = next(e for e in timeline if e.code == "task:closed off")
    with translation.override("zh-hans"):  # the page's language
        assert any(c.new == str(Task.Status.CLOSED.label) for c in closed.changes)
    assert "已销号" in response.content.decode()
    # Newest first.
    assert [e.at for e in timeline] == sorted((e.at for e in timeline), reverse=True)
    content = response.content.decode()
    assert "雨季施工受阻" in content and "抓紧推进" in content


def test_units_added_to_the_task_are_recorded(client, reporting, assign):
    r = reporting
    assign(r.task, UnitFactory(name="区住房和城乡建设局"), "support")
    event = next(e for e in page(client, r.office, r).context["detail"].timeline if e.kind == "assignment")
    assert event.code == "assignment:+" and "区住房和城乡建设局" in event.subject


def test_timeline_queries_do_not_grow_with_history(reporting, django_assert_num_queries):
    r = reporting

    # Reports can be filed only for periods that have begun (eight of them in this campaign).
    periods = iter(r.campaign.periods.filter(start_date__lte=r.period.start_date).order_by("number"))

    def grow(count):
        for i in range(count):
            LeaderCommentFactory(task=r.task, author=r.leader)
            period = next(periods)
            saved = report(r, r.lead_liaison, r.lead, f"第{i}期", submit=False, period=period)
            saved = report(r, r.lead_liaison, r.lead, f"第{i}期报送", version=saved.version, period=period)
            services.report_review(user=r.office, report_id=saved.pk, accept=i % 2 == 0, comment="退回")
            Task.objects.get(pk=r.task.pk).save()

    office = r.office

    def older_page():
        """A page from the middle of the history (changes compared with records on older pages)."""
        cursor = task_timeline(office, r.task, limit=5).older
        with CaptureQueriesContext(connection) as older:
            task_timeline(office, r.task, before=cursor, limit=5)
        return len(older)

    grow(2)
    with CaptureQueriesContext(connection) as queries:
        task_timeline(office, r.task)
    older = older_page()
    grow(6)
    with django_assert_num_queries(len(queries)):
        task_timeline(office, r.task)
    # At most one more query per history source (task, units, reports) when a change's earlier
    # record is on an older page: bounded, whatever the length of the history.
    assert older_page() <= len(queries) + 3 and older <= len(queries) + 3


def test_the_timeline_is_paged_newest_first_and_every_entry_is_on_exactly_one_page(client, reporting):
    r = reporting
    for i in range(4):
        LeaderCommentFactory(task=r.task, author=r.leader, text=f"批示{i}")
        task = Task.objects.get(pk=r.task.pk)
        task.title = f"推进重大项目建设（第{i}次调整）"
        task.save()
        saved = report(r, r.lead_liaison, r.lead, f"第{i}次报送", period=r.campaign.periods.get(number=i + 1))
        services.report_review(user=r.office, report_id=saved.pk, accept=False, comment=f"退回{i}")
    everything = task_timeline(r.office, r.task, limit=1000)
    assert everything.older is None
    pages = every_page(r.office, r.task, limit=3)
    seen = [(event.at, event.code, event.text, event.subject) for events in pages for event in events]
    assert seen == [(event.at, event.code, event.text, event.subject) for event in everything.events]
    assert len(pages) > 3 and all(pages)
    # A change on an older page is still compared with the record before it.
    changed = [event for events in pages[1:] for event in events if event.code == "task:~"]
    assert changed and all(event.changes for event in changed)


def test_the_task_page_shows_the_newest_entries_and_links_to_older_ones(client, reporting):
    from tasks.selectors.timeline import PAGE_SIZE

    r = reporting
    for i in range(PAGE_SIZE + 5):
        LeaderCommentFactory(task=r.task, author=r.leader, text=f"批示{i}")
    first = page(client, r.office, r)
    detail = first.context["detail"]
    assert len(detail.timeline) == PAGE_SIZE and detail.timeline_page.older is not None
    older_link = f"?before={detail.timeline_page.older_cursor}".replace("+", "%2B").replace(":", "%3A")
    assert older_link in first.content.decode()
    second = client.get(
        reverse("tasks:detail", args=[r.campaign.code, r.task.number]), {"before": detail.timeline_page.older_cursor}
    )
    older = second.context["detail"].timeline
    assert older and max(event.at for event in older) < min(event.at for event in detail.timeline)
    # A cursor that is not a moment shows the newest page.
    assert (
        client.get(reverse("tasks:detail", args=[r.campaign.code, r.task.number]), {"before": "x"}).status_code == 200
    )


@pytest.mark.parametrize(
    "changes, at_once",
    [
        (6, 3),  # three changes at one instant, where the first page of three ends
        (8, 6),  # six (as a bulk change records them), twice a page: one source fills a page at it
    ],
)
def test_entries_at_the_same_instant_are_all_shown_once_across_pages(reporting, changes, at_once):
    r = reporting
    for i in range(changes):
        task = Task.objects.get(pk=r.task.pk)
        task.title = f"推进重大项目建设（第{i}次调整）"
        task.save()
    records = list(r.task.history.order_by("-history_date", "-pk"))
    same = records[1].history_date
    r.task.history.filter(history_id__in=[record.history_id for record in records[1 : 1 + at_once]]).update(
        history_date=same
    )
    everything = task_timeline(r.office, r.task, limit=1000).events
    pages = every_page(r.office, r.task, limit=3)
    seen = [(event.at, event.code, str(event.changes)) for events in pages for event in events]
    assert sorted(seen) == sorted((event.at, event.code, str(event.changes)) for event in everything)
    assert sum(event.at == same for events in pages for event in events) == at_once


def test_more_notices_at_one_instant_than_a_page_holds_are_all_shown_once(reporting):
    r = reporting
    # An overdue run issues its notices at one instant: seven on this task, over two pages of three.
    moment = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
    SupervisionNoticeFactory.create_batch(7, task=r.task, unit=r.lead, issued_at=moment)
    pages = every_page(r.office, r.task, limit=3)
    issued = [event for events in pages for event in events if event.code == "notice:issued"]
    assert len(issued) == 7 and len({event.text for event in issued}) == 7
