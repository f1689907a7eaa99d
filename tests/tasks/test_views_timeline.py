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
from tests.factories import LeaderCommentFactory, UnitFactory

pytestmark = pytest.mark.django_db


def page(client, user, r):
    client.force_login(user)
    response = client.get(reverse("tasks:detail", args=[r.campaign.code, r.task.number]))
    assert response.status_code == 200
    return response


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
    grow(2)
    with CaptureQueriesContext(connection) as queries:
        task_timeline(office, r.task)
    grow(6)
    with django_assert_num_queries(len(queries)):
        task_timeline(office, r.task)
