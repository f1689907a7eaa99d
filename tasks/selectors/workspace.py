"""The unit workspace: each unit's open tasks with this period's report and last period's if owed."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from accounts import access
from campaigns.models import Campaign, ReportingPeriod
from campaigns.periods import recent_periods
from units.models import Unit

from ..models import ProgressReport, Task, TaskAssignment
from .states import ACCEPTED, RETURNED, SUBMITTED, state_of


@dataclass
class WorkspaceRow:
    """One of the unit's tasks, this period's report, and last period's if still owed."""

    assignment: TaskAssignment
    period: ReportingPeriod | None
    report: ProgressReport | None
    now: datetime.datetime
    previous: ReportingPeriod | None = None
    previous_report: ProgressReport | None = None

    @property
    def task(self) -> Task:
        return self.assignment.task

    @property
    def state(self) -> str:
        return state_of(self.report)

    @property
    def done(self) -> bool:
        return self.state in (SUBMITTED, ACCEPTED)

    @property
    def overdue(self) -> bool:
        return self.period is not None and not self.done and self.now > self.period.due_at

    @property
    def report_url(self) -> str:
        """This period's report page (where a missing report is filed)."""
        return ProgressReport.page_url(self.task, self.assignment.unit_id, self.period.number)

    @property
    def previous_report_url(self) -> str:
        return ProgressReport.page_url(self.task, self.assignment.unit_id, self.previous.number)

    @property
    def previous_state(self) -> str:
        return state_of(self.previous_report)

    @property
    def previous_overdue(self) -> bool:
        """Last period's report is still owed (missing, a draft, or returned): it is overdue."""
        return self.previous is not None and self.previous_state not in (SUBMITTED, ACCEPTED)


@dataclass
class WorkspaceUnit:
    unit: Unit
    rows: list[WorkspaceRow]
    returned: list[ProgressReport]

    @property
    def to_do(self) -> int:
        return sum(1 for row in self.rows if row.period is not None and not row.done)

    @property
    def overdue(self) -> int:
        return sum(1 for row in self.rows if row.previous_overdue or row.overdue)


def workspace(user, now: datetime.datetime | None = None) -> list[WorkspaceUnit]:
    """For each unit of the user (liaison or head): its open tasks, as lead or supporting unit,
    in active campaigns, each with the current period's report and the previous period's when
    that one is still owed; and its reports the office returned. Six queries, whatever the
    number of units, tasks and campaigns."""
    now = now or timezone.now()
    unit_ids = access.workspace_unit_ids(user)
    if not unit_ids:
        return []
    units = list(Unit.objects.filter(pk__in=unit_ids).order_by("sort_order", "name"))
    assignments = list(
        access.visible_to(user, TaskAssignment)
        .filter(unit_id__in=unit_ids, task__status=Task.Status.OPEN, task__campaign__status=Campaign.Status.ACTIVE)
        .select_related("task__campaign", "unit")
        .order_by("-task__campaign__start_date", "task__campaign__code", "task__sort_key")
    )
    periods = recent_periods({a.task.campaign_id for a in assignments}, now)
    period_ids = [period.pk for pair in periods.values() for period in pair if period is not None]
    reports = {
        (report.task_id, report.unit_id, report.period_id): report
        for report in access.visible_to(user, ProgressReport).filter(unit_id__in=unit_ids, period_id__in=period_ids)
    }
    returned = list(
        access.visible_to(user, ProgressReport)
        .filter(unit_id__in=unit_ids, status=RETURNED)
        .select_related("task__campaign", "period", "reviewed_by")
        .order_by("-reviewed_at")
    )

    def row(assignment):
        current, previous = periods.get(assignment.task.campaign_id, (None, None))
        key = (assignment.task_id, assignment.unit_id)
        return WorkspaceRow(
            assignment,
            current,
            reports.get((*key, current.pk)) if current else None,
            now,
            previous,
            reports.get((*key, previous.pk)) if previous else None,
        )

    return [
        WorkspaceUnit(
            unit=unit,
            rows=[row(a) for a in assignments if a.unit_id == unit.pk],
            returned=[report for report in returned if report.unit_id == unit.pk],
        )
        for unit in units
    ]
