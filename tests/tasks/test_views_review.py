"""The office's review pages: the review home and the queue (the matrix: test_views_matrix.py)."""

import re

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tasks import services
from tasks.models import ProgressReport
from tests.factories import (
    AttachmentFactory,
    CampaignFactory,
    ProgressReportFactory,
    ReportingPeriodFactory,
    SectionFactory,
    TaskFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db


def submitted(r, unit, task=None, period=None, **fields):
    fields.setdefault("submitted_at", timezone.now())
    fields.setdefault("status", "submitted")
    return ProgressReportFactory(task=task or r.task, unit=unit, period=period or r.past, **fields)


def queue_url(r, **params):
    url = reverse("tasks:review", args=[r.campaign.code])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def shown(response):
    """The reports listed, by pk."""
    return [row.obligation.report_id for row in response.context["rows"]]


def test_the_queue_opens_on_the_latest_period_with_reports_and_shows_only_submitted_ones(client, reporting):
    r = reporting
    waiting = submitted(r, r.lead, progress="牵头单位本周进展")
    submitted(r, r.support, status="accepted", progress="已采纳的报表")
    ProgressReportFactory(task=r.task, unit=r.other, period=r.past, progress="审计局草稿")  # a draft
    client.force_login(r.office)
    response = client.get(queue_url(r))
    assert response.status_code == 200
    assert response.context["queue"].period == r.past
    assert shown(response) == [waiting.pk]
    content = response.content.decode()
    assert "牵头单位本周进展" in content
    assert "已采纳的报表" not in content and "审计局草稿" not in content
    assert response.context["queue"].counts == {"submitted": 1, "accepted": 1}


def test_filters_by_unit_section_and_state(client, reporting):
    r = reporting
    section = SectionFactory(campaign=r.campaign, title="（二）优化环境")
    r.other_task.section = section
    r.other_task.save()
    lead = submitted(r, r.lead)
    support = submitted(r, r.support, status="returned", review_comment="补充材料")
    other = submitted(r, r.other, task=r.other_task)
    client.force_login(r.office)
    assert shown(client.get(queue_url(r, period=r.past.number, unit=r.lead.pk))) == [lead.pk]
    assert shown(client.get(queue_url(r, period=r.past.number, section=section.pk))) == [other.pk]
    assert shown(client.get(queue_url(r, period=r.past.number, state="returned"))) == [support.pk]
    assert set(shown(client.get(queue_url(r, period=r.past.number, state="all")))) == {lead.pk, support.pk, other.pk}
    # Nonsense in the filters is ignored, not an error.
    assert client.get(queue_url(r, unit="x", section="", page="zz")).status_code == 200
    assert client.get(queue_url(r, period=9999)).status_code == 404


def test_a_unit_taken_off_its_task_can_still_be_picked_for_its_filed_reports(client, reporting):
    from tasks.assignments import assignment_remove

    r = reporting
    filed = submitted(r, r.support)
    assignment_remove(task=r.task, unit=r.support)
    client.force_login(r.office)
    response = client.get(queue_url(r, period=r.past.number, unit=r.support.pk))
    assert r.support in response.context["queue"].units
    assert shown(response) == [filed.pk]


def test_a_row_shows_lateness_coordination_and_evidence(client, reporting):
    r = reporting
    report = submitted(
        r, r.lead, submitted_at=r.past.due_at + timezone.timedelta(hours=26), is_late=True,
        needs_coordination=True, coordination_request="需区领导协调用地指标",
    )  # fmt: skip
    attachment = AttachmentFactory(report=report, original_name="验收单.pdf")
    client.force_login(r.office)
    content = client.get(queue_url(r)).content.decode()
    assert "late-badge" in content
    assert "需区领导协调用地指标" in content
    assert reverse("tasks:attachment", args=[attachment.pk]) in content and "验收单.pdf" in content


def test_accept_and_return_with_a_comment(client, reporting):
    r = reporting
    first, second = submitted(r, r.lead), submitted(r, r.support)
    client.force_login(r.office)
    back = queue_url(r, period=r.past.number)
    response = client.post(reverse("tasks:review-decide", args=[first.pk]), {"decision": "accept", "next": back})
    assert response.status_code == 302 and response["Location"] == back
    response = client.post(
        reverse("tasks:review-decide", args=[second.pk]), {"decision": "return", "comment": "请补充照片", "next": back}
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == ProgressReport.Status.ACCEPTED and first.reviewed_by == r.office
    assert second.status == ProgressReport.Status.RETURNED and second.review_comment == "请补充照片"

    # The unit sees the comment in its workspace.
    client.force_login(r.support_liaison)
    assert "请补充照片" in client.get(reverse("tasks:workspace")).content.decode()


def test_returning_without_a_comment_or_deciding_twice_is_refused_with_a_message(client, reporting):
    r = reporting
    report = submitted(r, r.lead)
    client.force_login(r.office)
    response = client.post(reverse("tasks:review-decide", args=[report.pk]), {"decision": "return", "comment": " "})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ProgressReport.Status.SUBMITTED
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["error"]

    client.post(reverse("tasks:review-decide", args=[report.pk]), {"decision": "accept"})
    response = client.post(reverse("tasks:review-decide", args=[report.pk]), {"decision": "return", "comment": "晚了"})
    report.refresh_from_db()
    assert report.status == ProgressReport.Status.ACCEPTED
    assert [m.level_tag for m in get_messages(response.wsgi_request)][-1] == "error"


def test_a_decision_never_redirects_to_another_site(client, reporting):
    r = reporting
    report = submitted(r, r.lead)
    client.force_login(r.office)
    response = client.post(
        reverse("tasks:review-decide", args=[report.pk]), {"decision": "accept", "next": "https://evil.example/"}
    )
    assert response["Location"].startswith(reverse("tasks:review", args=[r.campaign.code]))


def test_drafts_cannot_be_reviewed_even_by_id(client, reporting):
    r = reporting
    draft = ProgressReportFactory(task=r.task, unit=r.lead, period=r.past)
    client.force_login(r.office)
    assert client.post(reverse("tasks:review-decide", args=[draft.pk]), {"decision": "accept"}).status_code == 404
    draft.refresh_from_db()
    assert draft.status == ProgressReport.Status.DRAFT


def test_the_queue_pages_by_fifty(client, reporting, monkeypatch):
    monkeypatch.setattr("tasks.review_views.REVIEW_PAGE_SIZE", 2)
    r = reporting
    for unit in (r.lead, r.support):
        submitted(r, unit)
    submitted(r, r.other, task=r.other_task)
    client.force_login(r.office)
    first = client.get(queue_url(r))
    assert len(shown(first)) == 2 and first.context["page"].has_next()
    second = client.get(queue_url(r, page=2))
    assert len(shown(second)) == 1


def test_review_home_goes_straight_to_the_only_active_campaign(client, reporting):
    client.force_login(reporting.office)
    response = client.get(reverse("tasks:review-home"))
    assert response.status_code == 302 and response["Location"] == queue_url(reporting)


def test_review_queue_queries_do_not_grow_with_rows(client, reporting, django_assert_num_queries):
    r = reporting
    client.force_login(r.office)

    def grow(count):
        for _ in range(count):
            task = TaskFactory(campaign=r.campaign, section=SectionFactory(campaign=r.campaign))
            report = submitted(r, UnitFactory(), task=task, is_late=True)
            AttachmentFactory(report=report)

    grow(2)
    client.get(queue_url(r))  # the first page opens the periods begun (tasks.ledger.read.ensure_open)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(queue_url(r)).status_code == 200
    grow(18)
    with django_assert_num_queries(len(queries)):
        client.get(queue_url(r))


# ---- issue 7: default period, newest first, counts as filters, fixed columns, bulk accept ----


def period_numbers(response):
    return [period.number for period in response.context["queue"].periods]


def test_the_queue_opens_on_the_period_with_most_reports_awaiting_review(client, reporting):
    r = reporting
    # Early this week two units submitted already; last weeks' reports are all decided.
    for unit in (r.lead, r.support):
        submitted(r, unit, period=r.period, progress=f"{unit.name}本周提前报送")
    submitted(r, r.other, task=r.other_task, status="accepted")
    client.force_login(r.office)
    response = client.get(queue_url(r))
    assert response.context["queue"].period == r.period
    assert "区发展和改革局本周提前报送" in response.content.decode()

    # More waiting in an older period: that one.
    previous = r.campaign.periods.get(number=r.period.number - 1)
    for unit, task in ((r.lead, r.task), (r.support, r.task), (r.other, r.other_task)):
        submitted(r, unit, task=task, period=previous)
    assert client.get(queue_url(r)).context["queue"].period == previous


def test_with_nothing_waiting_the_queue_opens_on_the_newest_period_with_reports(client, reporting):
    r = reporting
    submitted(r, r.lead, status="accepted")
    client.force_login(r.office)
    assert client.get(queue_url(r)).context["queue"].period == r.past


def test_periods_are_listed_newest_first_and_none_that_has_not_begun(client, reporting):
    r = reporting
    client.force_login(r.office)
    response = client.get(queue_url(r))
    numbers = period_numbers(response)
    assert numbers == sorted(numbers, reverse=True) and numbers[0] == r.period.number and numbers[-1] == 1
    options = re.findall(r'<option value="(\d+)"', response.content.decode().split('id="f-unit"')[0])
    assert [int(n) for n in options] == numbers
    following = r.campaign.periods.get(number=r.period.number + 1)
    assert client.get(queue_url(r, period=following.number)).status_code == 404


def test_the_state_counts_are_links_that_filter_the_table(client, reporting):
    r = reporting
    lead = submitted(r, r.lead)
    returned = submitted(r, r.support, status="returned", review_comment="补充材料")
    accepted = submitted(r, r.other, task=r.other_task, status="accepted")
    client.force_login(r.office)
    response = client.get(queue_url(r, period=r.past.number))
    nav = response.content.decode().split('class="nav nav-pills small mb-2 review-counts"')[1].split("</nav>")[0]
    links = dict(re.findall(r'href="\?([^"]+)"[^>]*>([^<]+?) <span class="badge text-bg-light">\d+</span>', nav))
    assert len(links) == 7  # awaiting review, the five filed states, all
    for query, expected in [
        ("state=returned", [returned.pk]),
        ("state=accepted", [accepted.pk]),
        ("state=submitted", [lead.pk]),
    ]:
        link = next(link for link in links if query in link)
        assert f"period={r.past.number}" in link
        assert shown(client.get(queue_url(r) + "?" + link.replace("&amp;", "&"))) == expected
    everything = next(link for link in links if "state=all" in link)
    assert set(shown(client.get(queue_url(r) + "?" + everything.replace("&amp;", "&")))) == {
        lead.pk,
        returned.pk,
        accepted.pk,
    }
    # Under a unit filter the counts are that unit's, and the links keep the filter.
    response = client.get(queue_url(r, period=r.past.number, unit=r.support.pk, state="all"))
    assert response.context["queue"].counts == {"returned": 1}
    assert f"unit={r.support.pk}" in response.content.decode().split("review-counts")[1].split("</nav>")[0]


def test_the_table_has_fixed_column_widths_and_no_inline_styles(client, reporting):
    r = reporting
    submitted(r, r.lead, progress="很长的进展" * 400)
    client.force_login(r.office)
    content = client.get(queue_url(r)).content.decode()
    table = content.split(
        '<table class="table table-sm table-bordered align-middle bg-white review-table table-cards">'
    )[1]
    assert table.lstrip().split("<thead")[0].count("<col class=") == 9
    assert "style=" not in content
    css = (settings.BASE_DIR / "static" / "css" / "duban.css").read_text()
    assert re.search(r"\.review-table \{[^}]*table-layout: fixed", css)


def test_several_selected_reports_are_accepted_at_once_and_only_once(client, reporting):
    r = reporting
    first, second = submitted(r, r.lead), submitted(r, r.support)
    returned = submitted(r, r.other, task=r.other_task, status="returned", review_comment="重报")
    draft = ProgressReportFactory(task=r.task, unit=r.lead, period=r.period)  # the unit's own draft
    client.force_login(r.office)
    page = client.get(queue_url(r)).content.decode()
    assert f'name="report" value="{first.pk}" form="bulk-accept"' in page
    url = reverse("tasks:review-accept-selected", args=[r.campaign.code])
    back = queue_url(r, period=r.past.number)
    data = {"report": [first.pk, second.pk, returned.pk, draft.pk], "next": back}
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"] == back
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "已采纳 2 份报表。",
        "2 份报表已不在待审核状态（可能刚被他人处理）。",
    ]
    statuses = dict(ProgressReport.objects.values_list("pk", "status"))
    assert statuses == {first.pk: "accepted", second.pk: "accepted", returned.pk: "returned", draft.pk: "draft"}
    assert ProgressReport.objects.get(pk=first.pk).reviewed_by == r.office

    # The same form posted again (a double click): nothing more happens.
    client.get(back)  # the first answer's messages are shown
    response = client.post(url, data)
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["warning"]
    for report in (first, second):
        assert report.history.filter(history_change_reason="accept").count() == 1
    # The task's timeline says so, once per report.
    timeline = client.get(reverse("tasks:detail", args=[r.campaign.code, "1"])).context["detail"].timeline
    assert sum(event.code == "report:accept" for event in timeline) == 2


def test_accepting_selected_reports_is_for_the_office_only(client, reporting):
    r = reporting
    report = submitted(r, r.lead)
    url = reverse("tasks:review-accept-selected", args=[r.campaign.code])
    for user in (r.lead_liaison, r.lead_head, r.leader, r.outsider):
        client.force_login(user)
        assert client.post(url, {"report": [report.pk]}).status_code == 403, user
    client.force_login(r.office)
    response = client.post(url, {"report": ["x"]})
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["error"]
    report.refresh_from_db()
    assert report.status == ProgressReport.Status.SUBMITTED


def test_accepting_selected_reports_takes_only_that_campaigns_reports(client, reporting, assign):
    r = reporting
    other_campaign_task = TaskFactory(campaign=CampaignFactory(code="other-2026"), number="1")
    assign(other_campaign_task, r.lead)
    elsewhere = ProgressReportFactory(
        task=other_campaign_task, unit=r.lead, period=ReportingPeriodFactory(campaign=other_campaign_task.campaign),
        status="submitted", submitted_at=timezone.now(),
    )  # fmt: skip
    client.force_login(r.office)
    client.post(reverse("tasks:review-accept-selected", args=[r.campaign.code]), {"report": [elsewhere.pk]})
    elsewhere.refresh_from_db()
    assert elsewhere.status == ProgressReport.Status.SUBMITTED


def test_accepting_selected_reports_takes_the_same_queries_for_2_or_20(client, reporting, django_assert_num_queries):
    r = reporting
    client.force_login(r.office)
    url = reverse("tasks:review-accept-selected", args=[r.campaign.code])

    def reports(count):
        return [submitted(r, UnitFactory(), task=TaskFactory(campaign=r.campaign)).pk for _ in range(count)]

    few, many = reports(2), reports(20)
    with CaptureQueriesContext(connection) as queries:
        client.post(url, {"report": few})
    with django_assert_num_queries(len(queries)):
        client.post(url, {"report": many})
    assert ProgressReport.objects.filter(status="accepted").count() == 22


# ---- issue 9: from the ledger -----------------------------------------------------------------


def test_review_home_counts_submitted_and_resubmitted_reports_per_active_campaign(client, reporting, assign):
    r = reporting
    submitted(r, r.lead)
    submitted(r, r.support, reviewed_at=timezone.now())  # returned once, resubmitted
    submitted(r, r.other, task=r.other_task, status="accepted", reviewed_at=timezone.now())
    submitted(r, r.lead, period=r.period, status="returned", reviewed_at=timezone.now())
    other = CampaignFactory(code="other-2026", start_date=r.campaign.start_date, end_date=r.campaign.end_date)
    task = TaskFactory(campaign=other, number="1")
    assign(task, r.lead)
    ProgressReportFactory(
        task=task, unit=r.lead, period=ReportingPeriodFactory(campaign=other), status="submitted",
        submitted_at=timezone.now(),
    )  # fmt: skip
    CampaignFactory(code="closed-2025", status="closed")
    client.force_login(r.office)
    response = client.get(reverse("tasks:review-home"))
    assert response.status_code == 200
    assert {c.code: c.waiting for c in response.context["campaigns"]} == {r.campaign.code: 2, other.code: 1}


def test_review_home_takes_the_same_queries_for_few_or_many_reports(client, reporting, django_assert_num_queries):
    r = reporting
    CampaignFactory(code="other-2026")
    client.force_login(r.office)

    def grow(count):
        for _ in range(count):
            submitted(r, UnitFactory(), task=TaskFactory(campaign=r.campaign))

    grow(2)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("tasks:review-home")).status_code == 200
    grow(18)
    with django_assert_num_queries(len(queries)):
        response = client.get(reverse("tasks:review-home"))
    assert {c.code: c.waiting for c in response.context["campaigns"]}[r.campaign.code] == 20


def test_resubmitted_reports_await_review_with_the_first_ones_and_have_their_own_filter(client, reporting):
    r = reporting
    first = submitted(r, r.lead)
    again = submitted(r, r.support, reviewed_at=timezone.now(), review_comment="请补充")
    submitted(r, r.other, task=r.other_task, status="accepted", reviewed_at=timezone.now())
    client.force_login(r.office)
    response = client.get(queue_url(r))
    assert response.context["queue"].period == r.past
    assert set(shown(response)) == {first.pk, again.pk}
    assert response.context["queue"].counts == {"submitted": 1, "resubmitted": 1, "accepted": 1}
    content = response.content.decode()
    for report in (first, again):  # both can be accepted from the table
        assert f'name="report" value="{report.pk}" form="bulk-accept"' in content
    assert shown(client.get(queue_url(r, state="resubmitted"))) == [again.pk]
    assert shown(client.get(queue_url(r, state="submitted"))) == [first.pk]
    assert {p.number: p.waiting for p in response.context["queue"].periods}[r.past.number] == 2


def test_a_returned_report_being_fixed_is_listed_as_returned_without_its_draft(client, reporting):
    r = reporting

    def file(unit, liaison, *, version=None, submit=True, progress="本周进展", now=None):
        return services.report_save(
            user=liaison, task=r.task, unit=unit, period=r.past, expected_version=version, submit=submit,
            progress=progress, percent_complete=40, now=now,
        )  # fmt: skip

    # Returned just now, the fix being drafted: returned, awaiting the fix.
    report = file(r.lead, r.lead_liaison)
    report = services.report_review(user=r.office, report_id=report.pk, accept=False, comment="补充照片")
    file(r.lead, r.lead_liaison, version=report.version, submit=False, progress="牵头单位的整改草稿")
    # Returned the day after its due moment, never fixed: the fix is overdue (退回未整改).
    report = file(r.support, r.support_liaison, now=r.past.due_at - timezone.timedelta(hours=2))
    overdue = services.report_review(
        user=r.office, report_id=report.pk, accept=False, comment="补充数据", now=r.past.due_at + timezone.timedelta(days=1)
    )  # fmt: skip
    client.force_login(r.office)
    response = client.get(queue_url(r, period=r.past.number, state="all"))
    assert response.context["queue"].counts == {"returned": 1, "fix_overdue": 1}
    rows = {row.obligation.unit_id: row for row in response.context["rows"]}
    assert rows[r.lead.pk].state == "returned" and rows[r.lead.pk].report is None
    assert rows[r.support.pk].state == "fix_overdue" and rows[r.support.pk].report.pk == overdue.pk
    assert "牵头单位的整改草稿" not in response.content.decode()
    assert shown(client.get(queue_url(r, period=r.past.number, state="fix_overdue"))) == [overdue.pk]
    assert [
        row.obligation.unit_id
        for row in client.get(queue_url(r, period=r.past.number, state="returned")).context["rows"]
    ] == [r.lead.pk]
    # Nothing awaits review: no box to tick.
    assert not response.context["selectable"]
