"""A unit's workspace: its tasks, this period's report on each, and what came back."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Campaign
from campaigns.periods import current_period, recent_periods
from campaigns.services import ensure_reporting_periods
from tasks.selectors import workspace as workspace_selectors
from tests.factories import CampaignFactory, ProgressReportFactory, TaskFactory
from units.models import Membership
from units.services import membership_add

pytestmark = pytest.mark.django_db


def rows_of(response, unit):
    entry = next(entry for entry in response.context["units"] if entry.unit == unit)
    return {row.task.number: row for row in entry.rows}


def test_each_task_shows_this_periods_report_state(client, reporting, assign):
    r = reporting
    for number, status in (("3", "draft"), ("4", "submitted"), ("5", "returned"), ("6", "accepted")):
        task = TaskFactory(campaign=r.campaign, number=number)
        assign(task, r.lead, "support")
        submitted_at = None if status == "draft" else timezone.now()
        ProgressReportFactory(task=task, unit=r.lead, period=r.period, status=status, submitted_at=submitted_at)
    # Last period's report does not count for this period.
    ProgressReportFactory(task=r.task, unit=r.lead, period=r.past, status="accepted", submitted_at=r.past.due_at)

    client.force_login(r.lead_liaison)
    response = client.get(reverse("tasks:workspace"))
    assert response.status_code == 200
    rows = rows_of(response, r.lead)
    # Nothing filed for task 1: not yet due, or missing once the period is due (the ledger's).
    nothing = "missing" if timezone.now() >= r.period.due_at else "not_due"
    assert {number: row.state for number, row in rows.items()} == {
        "1": nothing, "3": "draft", "4": "submitted", "5": "returned", "6": "accepted",
    }  # fmt: skip
    assert rows["1"].assignment.role == "lead" and rows["3"].assignment.role == "support"
    assert all(row.period == current_period(r.campaign) for row in rows.values())
    content = response.content.decode()
    report_url = reverse("tasks:report", args=[r.campaign.code, "1", r.lead.pk, r.period.number])
    assert report_url in content
    assert "优化营商环境" not in content  # task 2 is not the unit's


def test_returned_reports_are_listed_with_the_offices_comment(client, reporting):
    r = reporting
    ProgressReportFactory(
        task=r.task, unit=r.lead, period=r.past, status="returned", submitted_at=r.past.due_at,
        review_comment="数据与上周不一致，请核实", reviewed_at=timezone.now(), reviewed_by=r.office,
    )  # fmt: skip
    client.force_login(r.lead_head)
    response = client.get(reverse("tasks:workspace"))
    entry = response.context["units"][0]
    assert [report.period for report in entry.returned] == [r.past]
    content = response.content.decode()
    assert "数据与上周不一致，请核实" in content
    assert reverse("tasks:report", args=[r.campaign.code, "1", r.lead.pk, r.past.number]) in content


def test_time_left_and_overdue_against_the_due_moment(reporting):
    r = reporting
    last_week = r.campaign.periods.get(number=r.period.number - 1)
    ProgressReportFactory(task=r.task, unit=r.lead, period=last_week, status="accepted", submitted_at=timezone.now())
    before = workspace_selectors.workspace(r.lead_liaison, now=r.period.due_at - datetime.timedelta(hours=5))[0]
    after = workspace_selectors.workspace(r.lead_liaison, now=r.period.due_at + datetime.timedelta(hours=2))[0]
    assert before.rows[0].period == after.rows[0].period == r.period
    assert not before.rows[0].overdue and before.to_do == 1 and before.overdue == 0
    assert after.rows[0].overdue and after.overdue == 1


def test_last_periods_missing_report_shows_as_overdue_in_the_next_period(client, reporting, monkeypatch):
    """On Monday the current period is the new week; last week's missing report is overdue."""
    r = reporting
    monday = r.period.due_at + datetime.timedelta(days=3)
    monkeypatch.setattr("tasks.report_views.timezone.now", lambda: monday)
    monkeypatch.setattr("tasks.selectors.workspace.timezone.now", lambda: monday)
    client.force_login(r.lead_liaison)
    response = client.get(reverse("tasks:workspace"))
    row = rows_of(response, r.lead)["1"]
    assert row.period.number == r.period.number + 1 and not row.overdue
    assert row.previous == r.period and row.previous_overdue and row.previous_state == "missing"
    content = response.content.decode()
    assert 'class="table-danger"' in content
    assert reverse("tasks:report", args=[r.campaign.code, "1", r.lead.pk, r.period.number]) in content

    # Filed late, it is no longer owed.
    ProgressReportFactory(
        task=r.task, unit=r.lead, period=r.period, status="submitted", submitted_at=monday, is_late=True
    )
    assert not rows_of(client.get(reverse("tasks:workspace")), r.lead)["1"].previous_overdue


def test_closed_tasks_and_campaigns_that_are_not_active_are_left_out(client, reporting, assign):
    r = reporting
    closed_task = TaskFactory(campaign=r.campaign, number="7", status="closed", closed_at=timezone.now())
    assign(closed_task, r.lead)
    for status in (Campaign.Status.DRAFT, Campaign.Status.CLOSED):
        assign(TaskFactory(campaign=CampaignFactory(status=status), number="1"), r.lead)
    client.force_login(r.lead_liaison)
    assert set(rows_of(client.get(reverse("tasks:workspace")), r.lead)) == {"1"}


def test_a_member_of_two_units_sees_both(client, reporting, member):
    r = reporting
    user = member(r.lead)
    membership_add(user=user, unit=r.support, role=Membership.Role.HEAD)
    client.force_login(user)
    response = client.get(reverse("tasks:workspace"))
    assert [entry.unit for entry in response.context["units"]] == sorted(
        [r.lead, r.support], key=lambda u: (u.sort_order, u.name)
    )
    assert set(rows_of(response, r.support)) == {"1"}


def test_without_units_the_page_says_so_and_the_menu_has_no_link(client, reporting):
    for user in (reporting.outsider, reporting.office, reporting.leader):
        client.force_login(user)
        response = client.get(reverse("tasks:workspace"))
        assert response.status_code == 200 and response.context["units"] == []
        assert f'href="{reverse("tasks:workspace")}"' not in response.content.decode()
    client.force_login(reporting.lead_liaison)
    content = client.get(reverse("campaigns:list")).content.decode()
    assert f'href="{reverse("tasks:workspace")}"' in content


def test_workspace_queries_do_not_grow_with_tasks(client, reporting, assign, django_assert_num_queries):
    r = reporting
    client.force_login(r.lead_liaison)
    campaigns = [r.campaign, CampaignFactory(start_date=r.campaign.start_date, end_date=r.campaign.end_date)]
    ensure_reporting_periods(campaigns[1])

    def grow(count):
        for i in range(count):
            campaign = campaigns[i % 2]
            task = TaskFactory(campaign=campaign)
            assign(task, r.lead, "lead" if i % 2 else "support")
            period = current_period(campaign)
            status = ["draft", "submitted", "returned", "accepted"][i % 4]
            ProgressReportFactory(
                task=task, unit=r.lead, period=period, status=status,
                submitted_at=None if status == "draft" else timezone.now(),
            )  # fmt: skip

    grow(2)
    client.get(reverse("tasks:workspace"))  # the first visit opens the periods that have begun (once)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("tasks:workspace")).status_code == 200
    grow(18)
    with django_assert_num_queries(len(queries)):
        client.get(reverse("tasks:workspace"))


def test_the_workspace_agrees_with_current_period(reporting):
    r = reporting
    other = CampaignFactory(start_date=r.campaign.start_date, end_date=r.campaign.end_date, cadence="monthly")
    ensure_reporting_periods(other)
    for moment in (timezone.now(), r.period.due_at, r.past.due_at + datetime.timedelta(hours=7)):
        found = {pk: pair[0] for pk, pair in recent_periods([r.campaign.pk, other.pk], moment).items()}
        assert found.get(r.campaign.pk) == current_period(r.campaign, moment)
        assert found.get(other.pk) == current_period(other, moment)


def submit_past(r, now):
    from tasks import services

    return services.report_save(
        user=r.lead_liaison, task=r.task, unit=r.lead, period=r.past, progress="已完成", percent_complete=50,
        submit=True, expected_version=None, now=now,
    )  # fmt: skip


def test_a_returned_report_being_fixed_shows_its_fix_deadline_and_is_never_overdue(client, reporting):
    from tasks import services

    r = reporting
    report = submit_past(r, r.past.due_at - datetime.timedelta(hours=1))
    report = services.report_review(user=r.office, report_id=report.pk, accept=False, comment="请补充数据")
    # The unit starts the fix: a draft of it is still "returned", not missing.
    services.report_save(
        user=r.lead_liaison, task=r.task, unit=r.lead, period=r.past, progress="补充中", percent_complete=55,
        submit=False, expected_version=report.version,
    )  # fmt: skip
    client.force_login(r.lead_liaison)
    response = client.get(reverse("tasks:workspace"))
    entry = response.context["units"][0]
    assert [item.period for item in entry.returned] == [r.past]
    fix_due = entry.returned[0].fix_due_at
    assert fix_due > timezone.now()
    # Still "returned" while the fix is drafted, its deadline shown, and not marked overdue.
    assert entry.returned[0].state == "returned"
    content = response.content.decode()
    assert "fix-due" in content and timezone.localtime(fix_due).strftime("%m-%d %H:%M") in content
    assert "fix-overdue" not in content


def test_last_period_returned_shows_returned_then_fix_overdue(reporting):
    from tasks import services

    r = reporting
    last = r.campaign.periods.get(number=r.period.number - 1)
    report = services.report_save(
        user=r.lead_liaison, task=r.task, unit=r.lead, period=last, progress="上周", percent_complete=50,
        submit=True, expected_version=None, now=last.due_at - datetime.timedelta(hours=1),
    )  # fmt: skip
    services.report_review(user=r.office, report_id=report.pk, accept=False, comment="请补充数据")
    fix_due = report.obligation.__class__.objects.get(report=report).fix_due_at
    on_time = workspace_selectors.workspace(r.lead_liaison, now=fix_due - datetime.timedelta(hours=1))[0]
    row = next(row for row in on_time.rows if row.task == r.task)
    assert row.previous_state == "returned" and row.previous_owed and not row.previous_overdue
    late = workspace_selectors.workspace(r.lead_liaison, now=fix_due + datetime.timedelta(hours=1))[0]
    row = next(row for row in late.rows if row.task == r.task)
    assert row.previous_state == "fix_overdue" and row.previous_overdue
    assert late.overdue == on_time.overdue + 1


def test_a_unit_added_halfway_owes_nothing_earlier(client, reporting):
    from tasks.assignments import assignment_add

    r = reporting
    assignment_add(task=r.other_task, unit=r.lead, role="support")  # from the current period on
    client.force_login(r.lead_liaison)
    rows = rows_of(client.get(reverse("tasks:workspace")), r.lead)
    added = rows["2"]
    assert added.obligation is not None and added.previous_obligation is None
    assert not added.previous_owed and not added.previous_overdue
    # Task 1, on which the unit has been from the start, has last period's report missing.
    assert rows["1"].previous_state == "missing" and rows["1"].previous_overdue


def test_rows_are_paged_and_the_counts_are_of_every_row(client, reporting, assign, monkeypatch):
    r = reporting
    monkeypatch.setattr(workspace_selectors, "ROWS_PER_PAGE", 1)
    assign(r.other_task, r.lead, "support")
    client.force_login(r.lead_liaison)
    first = client.get(reverse("tasks:workspace"))
    second = client.get(reverse("tasks:workspace"), {"page": 2})
    assert list(rows_of(first, r.lead)) == ["1"] and list(rows_of(second, r.lead)) == ["2"]
    counts = [(entry.to_do, entry.overdue) for entry in (first.context["units"][0], second.context["units"][0])]
    assert counts[0] == counts[1] and counts[0][0] == 2  # both tasks' reports are to do this period
    assert "?page=2" in first.content.decode() and "?page=1" in second.content.decode()
    # A page past the last shows the last; a page that is not a number, the first.
    assert list(rows_of(client.get(reverse("tasks:workspace"), {"page": 9}), r.lead)) == ["2"]
    assert list(rows_of(client.get(reverse("tasks:workspace"), {"page": "x"}), r.lead)) == ["1"]
