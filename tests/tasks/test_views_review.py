"""The office's review queue and the compliance matrix."""

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tasks import selectors
from tasks.models import ProgressReport
from tests.factories import AttachmentFactory, ProgressReportFactory, SectionFactory, TaskFactory, UnitFactory

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
                selectors.TaskAssignment.objects.create(task=task, unit=unit, role=role)
                submitted(r, unit, task=task)

    grow(2)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(matrix_url(r)).status_code == 200
    grow(18)
    with django_assert_num_queries(len(queries)):
        client.get(matrix_url(r))
