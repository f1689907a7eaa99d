"""`seed_scale` builds a consistent city (here a small one): the ledger as ledger_check rebuilds
it, grants as tasks.assignments derives them, the counts asked for, and it refuses to write over
data or on SQLite."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F
from guardian.conf import settings as guardian_settings

from accounts.models import User
from campaigns.models import Campaign, ReportingPeriod
from campaigns.services import ensure_reporting_periods
from dashboards.models import Follow, LastVisit
from lights.models import Attention, Light, TaskLight, TaskLightWeek
from notifications.models import Notification
from supervision.models import SupervisionNotice
from tasks.ledger.check import differences
from tasks.models import AssignmentTerm, Obligation, ProgressReport, Task, TaskAssignment, TaskGroupObjectPermission
from units.models import Leader, Membership, Unit

pytestmark = pytest.mark.django_db

SMALL = dict(units=6, tasks=30, weeks=6, campaigns=2, users=20, today="2026-03-26")


def seed(**options):
    out = io.StringIO()
    call_command("seed_scale", stdout=out, skip_checks=True, **{**SMALL, **options})
    return out.getvalue()


def people():
    return User.objects.exclude(username=guardian_settings.ANONYMOUS_USER_NAME)


@pytest.mark.postgres
def test_small_city_is_consistent():
    printed = seed()
    assert "total" in printed and "reports" in printed

    assert (Unit.objects.count(), Task.objects.count(), Campaign.objects.count(), people().count()) == (6, 30, 2, 20)
    # Each unit has its group; members are in their unit's group, as units.services keeps them.
    assert not Unit.objects.filter(group__isnull=True).exists()
    for membership in Membership.objects.exclude(role=Membership.Role.OFFICE).select_related("unit"):
        assert membership.user.groups.filter(pk=membership.unit.group_id).exists()
    assert Membership.objects.filter(role=Membership.Role.OFFICE).exists()
    assert Leader.objects.filter(user__isnull=False).exists()
    # Periods as campaigns.services derives them: nothing left to create or move.
    for campaign in Campaign.objects.all():
        before = list(campaign.periods.values_list("number", "start_date", "end_date", "due_at"))
        assert ensure_reporting_periods(campaign) == 0
        assert list(campaign.periods.values_list("number", "start_date", "end_date", "due_at")) == before
    assert Campaign.objects.filter(status=Campaign.Status.CLOSED).exists()

    # The grants are exactly what the assignments imply.
    wanted = set()
    for task_id, group_id, role in TaskAssignment.objects.values_list("task_id", "unit__group_id", "role"):
        wanted.add((task_id, group_id, "report_task"))
        if role == TaskAssignment.Role.LEAD:
            wanted.add((task_id, group_id, "lead_task"))
    granted = set(
        TaskGroupObjectPermission.objects.values_list("content_object_id", "group_id", "permission__codename")
    )
    assert granted == wanted
    # Every assignment has its open term; a unit taken off has an ended term and no assignment.
    assigned = set(TaskAssignment.objects.values_list("task_id", "unit_id"))
    assert set(AssignmentTerm.objects.filter(ended_at__isnull=True).values_list("task_id", "unit_id")) == assigned
    assert not set(AssignmentTerm.objects.filter(ended_at__isnull=False).values_list("task_id", "unit_id")) & assigned
    assert TaskAssignment.objects.filter(role=TaskAssignment.Role.LEAD).count() == 30

    # The ledger: every begun period opened, and nothing for ledger_check to say.
    assert not ReportingPeriod.objects.filter(start_date__lte="2026-03-26", opened_at__isnull=True).exists()
    assert differences() == []
    out = io.StringIO()
    call_command("ledger_check", stdout=out, skip_checks=True)
    assert "0 differences" in out.getvalue()
    assert ProgressReport.objects.count() > 100
    assert Obligation.objects.count() >= ProgressReport.objects.count()
    states = set(Obligation.objects.values_list("state", flat=True))
    assert {"owed", "accepted", "submitted"} <= states

    # What the jobs left: answered notices (nothing for notice_followup), an inbox read but for
    # the last two weeks, keys the jobs do not use.
    assert SupervisionNotice.objects.exists()
    assert not SupervisionNotice.objects.filter(status=SupervisionNotice.Status.OPEN).exists()
    assert Notification.objects.filter(read_at__isnull=True).exists()
    assert Notification.objects.filter(read_at__isnull=False).exists()
    assert not Notification.objects.exclude(key__startswith="seed:").exists()

    # What the dashboards read beyond the ledger: reports asking for coordination, the office's
    # marks for leader attention (on open tasks), the tasks leaders follow (theirs), their last
    # visits, and the lights: one for every task of an active campaign, and one a week back to
    # each campaign's start.
    assert ProgressReport.objects.filter(needs_coordination=True).exclude(coordination_request="").exists()
    assert not ProgressReport.objects.filter(needs_coordination=True, status="draft").exists()
    assert Attention.objects.exists()
    assert not Attention.objects.exclude(task__status=Task.Status.OPEN).exists()
    assert Follow.objects.exists()
    for follow in Follow.objects.select_related("user"):
        assert follow.task.leaders.filter(user=follow.user).exists()
    assert (
        LastVisit.objects.filter(previous_seen_at__lt=F("seen_at")).count()
        == Leader.objects.filter(user__isnull=False).count()
    )
    active = Task.objects.filter(campaign__status=Campaign.Status.ACTIVE)
    assert TaskLight.objects.filter(task__in=active).count() == active.count()
    assert {light for light in TaskLight.objects.values_list("light", flat=True)} <= set(Light.values)
    begun = ReportingPeriod.objects.filter(start_date__lte="2026-03-26")
    assert TaskLightWeek.objects.values("period").distinct().count() > 1
    assert set(TaskLightWeek.objects.values_list("period", flat=True)) <= set(begun.values_list("pk", flat=True))

    # A second run refuses to write over the data; --reset builds the same city again.
    with pytest.raises(CommandError, match="--reset"):
        seed()
    reports = ProgressReport.objects.count()
    seed(reset=True)
    assert people().count() == 20 and ProgressReport.objects.count() == reports
    assert differences() == []


def test_refuses_sqlite():
    if connection.vendor != "sqlite":
        pytest.skip("checks the refusal on SQLite")
    with pytest.raises(CommandError, match="PostgreSQL"):
        seed()
    assert not Unit.objects.exists()
