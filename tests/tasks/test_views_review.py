"""The office's review queue and the compliance matrix."""

import re

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tasks.models import ProgressReport, TaskAssignment
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
    return [report.pk for report in response.context["page"].object_list]


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
    with CaptureQueriesContext(connection) as queries:
        assert client.get(queue_url(r)).status_code == 200
    grow(18)
    with django_assert_num_queries(len(queries)):
        client.get(queue_url(r))


# ---- the compliance matrix ----------------------------------------------------------------


def matrix_url(r, period=None):
    return reverse("tasks:matrix", args=[r.campaign.code, (period or r.past).number])


def cells(response):
    matrix = response.context["matrix"]
    return {
        (row.task.number, cell.unit.name): (cell.state, cell.late)
        for row in matrix.rows
        for cell in row.cells
        if cell.on_task
    }


def test_matrix_shows_each_cell_state_with_drafts_as_missing_and_late_marked(client, reporting):
    r = reporting
    submitted(r, r.lead, is_late=True, submitted_at=r.past.due_at + timezone.timedelta(hours=3))
    ProgressReportFactory(task=r.task, unit=r.support, period=r.past)  # a draft
    submitted(r, r.other, task=r.other_task, status="accepted")
    for user in (r.office, r.leader):
        client.force_login(user)
        response = client.get(matrix_url(r))
        assert response.status_code == 200
        assert cells(response) == {
            ("1", "区发展和改革局"): ("submitted", True),
            ("1", "区财政局"): ("missing", False),
            ("2", "区审计局"): ("accepted", False),
        }
        totals = response.context["matrix"].totals
        assert totals["missing"] == 1 and totals["submitted"] == 1 and totals["accepted"] == 1 and totals["late"] == 1
        # Units not on a task have an empty cell, not "missing".
        assert ("2", "区发展和改革局") not in cells(response)


def test_matrix_default_opens_the_latest_period_whose_due_moment_passed(client, reporting):
    r = reporting
    client.force_login(r.leader)
    response = client.get(reverse("tasks:matrix-default", args=[r.campaign.code]))
    number = int(response["Location"].rstrip("/").split("/")[-2])
    assert r.past.number <= number <= r.period.number
    assert r.campaign.periods.get(number=number).due_at <= timezone.now()


def test_matrix_is_for_the_office_and_leaders_only(client, reporting):
    r = reporting
    for user in (r.lead_liaison, r.lead_head, r.outsider):
        client.force_login(user)
        assert client.get(matrix_url(r)).status_code == 403


def test_matrix_queries_do_not_grow_with_tasks_and_units(client, reporting, django_assert_num_queries):
    r = reporting
    client.force_login(r.office)

    def grow(count):
        for _ in range(count):
            task = TaskFactory(campaign=r.campaign)
            for role in ("lead", "support"):
                unit = UnitFactory()
                TaskAssignment.objects.create(task=task, unit=unit, role=role)
                submitted(r, unit, task=task)

    grow(2)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(matrix_url(r)).status_code == 200
    grow(18)
    with django_assert_num_queries(len(queries)):
        client.get(matrix_url(r))


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
    assert len(links) == 4
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
    table = content.split('<table class="table table-sm table-bordered align-middle bg-white review-table">')[1]
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
