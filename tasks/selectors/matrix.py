"""The compliance matrix: tasks × units of a campaign for one period."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts import access
from campaigns.models import Campaign, ReportingPeriod
from campaigns.periods import matrix_default
from units.models import Unit

from ..models import ProgressReport, Task, TaskAssignment
from .states import ACCEPTED, DRAFT, MISSING, RETURNED, SUBMITTED


@dataclass
class MatrixCell:
    unit: Unit
    on_task: bool
    report: ProgressReport | None = None

    @property
    def state(self) -> str:
        # Drafts are the unit's own business: to the office they are still missing.
        if self.report is None or self.report.status == DRAFT:
            return MISSING
        return self.report.status

    @property
    def late(self) -> bool:
        return self.state != MISSING and self.report.is_late


@dataclass
class MatrixRow:
    task: Task
    cells: list[MatrixCell]


@dataclass
class Matrix:
    campaign: Campaign
    period: ReportingPeriod
    periods: list[ReportingPeriod]
    units: list[Unit]
    rows: list[MatrixRow]

    @property
    def totals(self) -> dict[str, int]:
        totals = {MISSING: 0, SUBMITTED: 0, RETURNED: 0, ACCEPTED: 0, "late": 0}
        for row in self.rows:
            for cell in row.cells:
                if cell.on_task and row.task.status == Task.Status.OPEN:
                    totals[cell.state] += 1
                    totals["late"] += cell.late
        return totals

    @property
    def previous(self):
        return next((p for p in reversed(self.periods) if p.number < self.period.number), None)

    @property
    def next(self):
        return next((p for p in self.periods if p.number > self.period.number), None)


def compliance_matrix(user, campaign_code: str, period_number: int) -> Matrix:
    """Tasks × units of a campaign for one period, each cell the report's state.

    Queries: the campaign, its periods, the tasks, their assignments, the period's reports —
    never one per cell.
    """
    campaign = get_object_or_404(access.visible_to(user, Campaign), code=campaign_code)
    periods = list(campaign.periods.order_by("number"))
    period = next((p for p in periods if p.number == period_number), None)
    if period is None:
        raise Http404
    tasks = list(
        campaign.tasks.order_by("sort_key").prefetch_related(
            Prefetch("assignments", queryset=TaskAssignment.objects.select_related("unit"), to_attr="all_assignments")
        )
    )
    reports = {
        (report.task_id, report.unit_id): report
        for report in access.visible_to(user, ProgressReport)
        .filter(task__campaign=campaign, period=period)
        .exclude(status=DRAFT)
    }
    units = {a.unit_id: a.unit for task in tasks for a in task.all_assignments}
    columns = sorted(units.values(), key=lambda unit: (unit.sort_order, unit.name))
    rows = []
    for task in tasks:
        if not task.all_assignments:
            continue  # a heading task without units of its own
        on_task = {a.unit_id for a in task.all_assignments}
        rows.append(
            MatrixRow(task, [MatrixCell(unit, unit.pk in on_task, reports.get((task.pk, unit.pk))) for unit in columns])
        )
    return Matrix(campaign=campaign, period=period, periods=periods, units=columns, rows=rows)


def default_period_number(user, campaign_code: str, now: datetime.datetime | None = None) -> int:
    """The number of the period a campaign's matrix opens on (campaigns.periods.matrix_default:
    the last due one, whose compliance can be judged, else the first)."""
    campaign = get_object_or_404(access.visible_to(user, Campaign), code=campaign_code)
    periods = list(campaign.periods.order_by("number"))
    if not periods:
        raise Http404
    return matrix_default(periods, now).number
