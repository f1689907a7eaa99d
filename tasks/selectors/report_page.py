"""The report form: a unit's report on a task for a period, and what a new one starts from."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import CharField, Value
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts import access
from campaigns.models import Campaign, ReportingPeriod
from units.models import Unit

from ..ledger import read as ledger
from ..ledger.models import Obligation
from ..ledger.sync import not_owed_reason
from ..models import Indicator, ProgressReport, Task
from .campaign_page import assignments_prefetch, split_assignments
from .states import DRAFT
from .task_page import UnitReport


@dataclass
class ReportPage:
    task: Task
    unit: Unit
    period: ReportingPeriod
    report: ProgressReport | None
    indicators: list[Indicator]
    can_edit: bool
    leads: bool
    # The other units' reports of the same period, for a lead unit (consolidation).
    others: list[UnitReport]
    # The unit's obligation for the period (the ledger's), and its state as the user sees it.
    obligation: Obligation | None = None
    state: str = ""
    # Why the unit owes no report for the period (no obligation, or a closed campaign): shown
    # instead of the form.
    not_owed: str = ""

    @property
    def indicator_values(self) -> dict[int, Decimal]:
        if self.report is None:
            return {}
        return {value.indicator_id: value.value for value in self.report.indicator_values.all()}


@dataclass
class ReportTarget:
    """What a POST of the report form needs: the page is built only if the form comes back."""

    task: Task
    unit: Unit
    period: ReportingPeriod
    indicators: list[Indicator]


def report_target(user, campaign_code: str, number: str, unit_id: int, period_number: int) -> ReportTarget:
    """The task, unit, period and indicators of a report form's POST, with report_page's Http404
    and PermissionDenied, in four queries (tasks.services.report_save checks the rest)."""
    task = get_object_or_404(
        access.visible_to(user, Task).select_related("campaign"), campaign__code=campaign_code, number=number
    )
    unit = access.units_reporting_for(user, task).filter(pk=unit_id).first()
    if unit is None:
        raise PermissionDenied
    period = get_object_or_404(ReportingPeriod, campaign_id=task.campaign_id, number=period_number)
    return ReportTarget(task=task, unit=unit, period=period, indicators=list(task.indicators.all()))


def report_page(user, campaign_code: str, number: str, unit_id: int, period_number: int) -> ReportPage:
    """A unit's report on a task for a period, as its liaison or head opens it.

    Http404 for a task the user may not see or a period not of the task's campaign;
    PermissionDenied for a visible task the user does not report on for that unit.
    """
    task = get_object_or_404(
        access.visible_to(user, Task).select_related("campaign").prefetch_related(assignments_prefetch()),
        campaign__code=campaign_code,
        number=number,
    )
    split_assignments([task])
    # The unit if the user reports for it, and whether it also leads the task: one UNION of the
    # two access querysets (an EXISTS annotation cost more to plan than both statements to run).
    held = {
        row.holds: row
        for row in access.units_reporting_for(user, task)
        .filter(pk=unit_id)
        .annotate(holds=Value("report", output_field=CharField()))
        .order_by()  # a part of a UNION has no order of its own (SQLite refuses one)
        .union(
            access.lead_units_for(user, task)
            .filter(pk=unit_id)
            .annotate(holds=Value("lead", output_field=CharField()))
            .order_by(),
            all=True,
        )
    }
    unit = held.get("report")
    if unit is None:
        raise PermissionDenied
    period = get_object_or_404(ReportingPeriod, campaign_id=task.campaign_id, number=period_number)
    reports = {
        report.unit_id: report
        for report in access.visible_to(user, ProgressReport)
        .filter(task=task, period=period)
        .select_related("period", "submitted_by", "reviewed_by")
        .prefetch_related("attachments", "indicator_values__indicator")
    }
    leads = "lead" in held
    others = []
    if leads:
        for assignment in task.lead_assignments + task.support_assignments:
            if assignment.unit_id != unit.pk:
                report = reports.get(assignment.unit_id)
                others.append(UnitReport(assignment, report if report and report.status != DRAFT else None))
    report = reports.get(unit.pk)
    now = timezone.now()
    obligation = ledger.visible(user, [task.campaign_id], now).filter(task=task, unit=unit, period=period).first()
    not_owed = ""
    if obligation is None or task.campaign.status != Campaign.Status.ACTIVE:
        not_owed = not_owed_reason(task, unit, period)
    return ReportPage(
        task=task,
        unit=unit,
        period=period,
        report=report,
        indicators=list(task.indicators.all()),
        can_edit=not not_owed
        and access.can(user, "report", (task, unit))
        and (report is None or report.is_editable_state),
        leads=leads,
        others=others,
        obligation=obligation,
        state=ledger.shown(obligation, user, now, due_at=period.due_at),
        not_owed=not_owed,
    )


def report_prefill(task: Task, unit, period: ReportingPeriod) -> dict:
    """Initial values for a new report: the unit's previous report carries over what rarely changes."""
    previous = (
        ProgressReport.objects.filter(task=task, unit=unit, period__number__lt=period.number)
        .order_by("-period__number")
        .first()
    )
    if previous is None:
        return {}
    return {
        **{name: getattr(previous, name) for name in ProgressReport.CARRIED_OVER_FIELDS},
        "indicator_values": {v.indicator_id: v.value for v in previous.indicator_values.all()},
    }
