"""A large sheet imports in bulk: the statements of an import do not grow with its rows, and what
the bulk writes skip (history, leaders, sub-items' parents, grants, the ledger) is still there."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigns.models import Campaign
from tasks.campaign_import.services import CampaignImportError, campaign_import
from tasks.ledger.check import differences
from tasks.ledger.models import AssignmentTerm
from tasks.models import Task, TaskAssignment, TaskGroupObjectPermission
from units.models import Leader

from ..sheets import info_for, task, workbook_bytes

pytestmark = pytest.mark.django_db

UNITS = ["区财政局", "区审计局", "区民政局", "区司法局"]


def sheet(count, code, *, title="任务", leaders=lambda n: f"领导{n % 3}"):
    """`count` tasks, every fifth with two sub-items, each on the same four units."""
    rows = []
    for n in range(1, count + 1):
        rows.append(task(str(n), f"{title}{n}", lead=UNITS[0], support="、".join(UNITS[1:]), leaders=leaders(n)))
        if n % 5 == 0:
            rows += [task(f"{n}.{k}", f"{title}{n}.{k}", lead=UNITS[1], support=UNITS[2]) for k in (1, 2)]
    return workbook_bytes(rows, info=info_for(code))


def statements(data, **kwargs):
    with CaptureQueriesContext(connection) as queries:
        campaign_import(data, filename="sheet.xlsx", **kwargs)
    return len(queries)


@pytest.mark.postgres  # SQLite splits bulk inserts into batches of 999 values: its counts grow
def test_the_statements_of_an_import_do_not_grow_with_its_rows(unit_directory):
    campaign_import(sheet(2, "warm-up"), code="warm-up")  # the units' groups are made on their first task

    small, large = statements(sheet(20, "small"), code="small"), statements(sheet(200, "large"), code="large")
    assert large <= small + 2, (small, large)

    # A re-import that changes every task (title, leaders): the same.
    edited = {"title": "改", "leaders": lambda n: f"领导{n % 3 + 1}"}
    small_again, large_again = (
        statements(sheet(20, "small", **edited), code="small"),
        statements(sheet(200, "large", **edited), code="large"),
    )
    assert large_again <= small_again + 2, (small_again, large_again)
    assert Task.objects.get(campaign__code="large", number="200").title == "改200"
    # A dry run (the preview) goes through the same steps.
    assert statements(sheet(200, "large"), code="large", dry_run=True) <= small_again + 2
    assert differences() == []


def test_a_bulk_import_keeps_history_parents_leaders_grants_and_the_ledger(unit_directory):
    campaign_import(sheet(10, "bulk"), code="bulk")

    campaign = Campaign.objects.get(code="bulk")
    tasks = Task.objects.filter(campaign=campaign)
    assert tasks.count() == 14
    assert tasks.get(number="10.2").parent == tasks.get(number="10")
    assert list(tasks.filter(parent__isnull=False).values_list("sort_key", flat=True)) == sorted(
        tasks.filter(parent__isnull=False).values_list("sort_key", flat=True)
    )
    # Every task and assignment has its creation in the history, as a save would write it.
    assert Task.history.filter(campaign_id=campaign.pk, history_type="+").count() == 14
    assignments = TaskAssignment.objects.filter(task__campaign=campaign)
    assert assignments.count() == 10 * 4 + 4 * 2
    assert TaskAssignment.history.filter(task_id__in=tasks.values("pk"), history_type="+").count() == 48
    # Leaders: three names, created once with their history, linked to each task.
    assert sorted(Leader.objects.values_list("name", flat=True)) == ["领导0", "领导1", "领导2"]
    assert Leader.history.filter(history_type="+").count() == 3
    assert list(tasks.get(number="4").leaders.values_list("name", flat=True)) == ["领导1"]
    # Grants: report_task to every unit on a task, lead_task to its lead unit.
    assert TaskGroupObjectPermission.objects.filter(content_object__campaign=campaign).count() == 48 + 14
    assert AssignmentTerm.objects.filter(task__campaign=campaign, first_period_number=1).count() == 48

    rows_edited = sheet(10, "bulk", leaders=lambda n: "领导9" if n == 4 else f"领导{n % 3}")
    result = campaign_import(rows_edited, code="bulk")

    assert [change.number for change in result.tasks if change.action == "update"] == ["4"]
    assert list(tasks.get(number="4").leaders.values_list("name", flat=True)) == ["领导9"]
    assert list(tasks.get(number="5").leaders.values_list("name", flat=True)) == ["领导2"]  # untouched
    updated = tasks.get(number="4")
    assert updated.history.filter(history_type="~").count() == 1 and updated.history.count() == 2
    assert result.new_leaders == ["领导9"]
    assert differences() == []


def test_a_reimport_that_moves_units_writes_their_history_and_grants(unit_directory):
    campaign_import(workbook_bytes([task("1", lead="区财政局", support="区审计局、区民政局")]), code="move")
    campaign_import(workbook_bytes([task("1", lead="区审计局", support="区财政局")]), code="move")

    first = Task.objects.get(campaign__code="move", number="1")
    assert sorted(first.assignments.values_list("unit__name", "role", "sort_order")) == [
        ("区审计局", "lead", 0),
        ("区财政局", "support", 1),
    ]
    history = TaskAssignment.history.filter(task_id=first.pk)
    assert sorted(history.values_list("history_type", flat=True)) == ["+", "+", "+", "-", "~", "~"]
    grants = TaskGroupObjectPermission.objects.filter(content_object=first)
    assert sorted(grants.values_list("group__unit__name", "permission__codename")) == [
        ("区审计局", "lead_task"),
        ("区审计局", "report_task"),
        ("区财政局", "report_task"),
    ]
    assert differences() == []


def test_a_leader_name_too_long_is_refused_with_its_row_and_column(unit_directory):
    long_name = "很" * 65
    with pytest.raises(CampaignImportError) as caught:
        campaign_import(workbook_bytes([task("1"), task("2", leaders=long_name)]), filename="sheet.xlsx")
    [issue] = caught.value.issues
    assert issue.row == 4 and "责任领导" in issue.column and long_name in issue.message
    assert not Campaign.objects.exists() and not Leader.objects.exists()
