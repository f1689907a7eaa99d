"""The task page: the task, its units and their latest reports, indicators, and what comes with it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import CharField, Prefetch, Value
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts import access
from campaigns.models import ReportingPeriod
from campaigns.periods import current_periods
from units.models import Unit

from ..ledger import read as ledger
from ..ledger import read_tasks
from ..ledger.models import Obligation
from ..models import (
    CompletionRequest,
    Decision,
    ExtensionRequest,
    Indicator,
    IndicatorValue,
    LeaderComment,
    ProgressReport,
    Task,
    TaskAssignment,
)
from .campaign_page import assignments_prefetch, split_assignments
from .states import DRAFT
from .timeline import TimelinePage, task_requests, timeline_page


@dataclass
class UnitReport:
    """A unit on a task and its report the user may read (None: nothing to show)."""

    assignment: TaskAssignment
    report: ProgressReport | None
    # The unit's obligation this period as the user sees it (tasks.ledger.states.shown), and the
    # obligation itself; "" when the campaign has no current period.
    state: str = ""
    obligation: Obligation | None = None


@dataclass
class IndicatorPoint:
    period: ReportingPeriod
    value: Decimal


@dataclass
class IndicatorSeries:
    """An indicator's target and the value reached, period by period (the latest visible report).
    The template draws it with tasks.templatetags.task_charts."""

    indicator: Indicator
    points: list[IndicatorPoint]

    @property
    def latest(self) -> Decimal | None:
        return self.points[-1].value if self.points else None

    @property
    def percent(self) -> int | None:
        if self.latest is None or not self.indicator.target:
            return None
        return round(self.latest / self.indicator.target * 100)


@dataclass
class TaskPanel:
    """A section of the task page from an app above tasks: its template and what it shows."""

    template: str
    context: dict = field(default_factory=dict)


# Panel sources of apps above tasks (lights). Layers run tasks -> lights, never back, so such an
# app registers its source from its AppConfig.ready(): source(user, task, now) -> TaskPanel | None,
# showing only what the user may see and running a fixed number of queries.
_panel_sources: list = []


def register_task_panel(source) -> None:
    """Add `source(user, task, now)` to every task page. Idempotent (by dotted name), as
    timeline.register_timeline_source is: ready() may run twice."""
    name = f"{source.__module__}.{source.__qualname__}"
    if all(f"{known.__module__}.{known.__qualname__}" != name for known in _panel_sources):
        _panel_sources.append(source)


@dataclass
class TaskDetail:
    task: Task
    sub_items: list[Task]
    unit_reports: list[UnitReport]
    current_period: ReportingPeriod | None = None
    reporting_units: list[Unit] = field(default_factory=list)
    lead_units: list[Unit] = field(default_factory=list)
    indicators: list[IndicatorSeries] = field(default_factory=list)
    comments: list[LeaderComment] = field(default_factory=list)
    completion_requests: list[CompletionRequest] = field(default_factory=list)
    extension_requests: list[ExtensionRequest] = field(default_factory=list)
    timeline_page: TimelinePage | None = None
    # What apps above tasks add to the page (register_task_panel): the traffic light.
    panels: list[TaskPanel] = field(default_factory=list)

    @property
    def timeline(self) -> list:
        """This page of the timeline (the newest, or older ones from the ?before= cursor)."""
        return self.timeline_page.events if self.timeline_page else []

    @property
    def report_links(self) -> list[tuple[Unit, str]]:
        """Each unit the user reports for, with its report page for the current period."""
        return [
            (unit, ProgressReport.page_url(self.task, unit.pk, self.current_period.number))
            for unit in self.reporting_units
        ]

    @property
    def pending_completion(self) -> CompletionRequest | None:
        return next((r for r in self.completion_requests if r.status == Decision.PENDING), None)

    @property
    def pending_extension(self) -> ExtensionRequest | None:
        return next((r for r in self.extension_requests if r.status == Decision.PENDING), None)


def assignments_with_latest_report() -> Prefetch:
    """assignments_prefetch (tasks.selectors.campaign_page), each row with `latest_report_id`:
    the task page reads its units and their latest reports' ids in one query."""
    return Prefetch(
        "assignments",
        queryset=TaskAssignment.objects.select_related("unit")
        .annotate(latest_report_id=read_tasks.latest_filed_report_id())
        .order_by("sort_order", "id"),
        to_attr="assignment_list",
    )


def latest_reports(user, task: Task, report_ids: list[int] | None = None):
    """The latest non-draft report of each unit on the task that the user may read, one query
    given `report_ids` (the `latest_report_id` of the task's assignments, when already read),
    else two.

    Reports come through accounts.access.visible_to: a supporting unit sees only its own unit's
    reports, a lead unit, the office and leaders see every unit's.
    """
    # Read first (a few ids): given as a list, the access filter runs on those rows only; as a
    # subquery, PostgreSQL scanned the whole reports table for the access rule first.
    if report_ids is None:
        report_ids = list(
            TaskAssignment.objects.filter(task=task)
            .annotate(report_id=read_tasks.latest_filed_report_id())
            .values_list("report_id", flat=True)
        )
    return (
        access.visible_to(user, ProgressReport)
        .filter(pk__in=[pk for pk in report_ids if pk is not None])
        .select_related("period", "submitted_by")
        .prefetch_related("attachments")
    )


def indicator_series(user, task: Task) -> list[IndicatorSeries]:
    """Each indicator of the task with the value reached per period: of the period's visible,
    non-draft reports the one submitted last gives the value. Two queries."""
    indicators = list(task.indicators.all())
    if not indicators:
        return []
    visible = access.visible_to(user, ProgressReport).filter(task=task).exclude(status=DRAFT).values("pk")
    values = (
        IndicatorValue.objects.filter(indicator__task=task, report__in=visible)
        .select_related("report__period")
        .order_by("report__period__number", "report__submitted_at", "report_id")
    )
    by_indicator: dict[int, dict[int, IndicatorPoint]] = {indicator.pk: {} for indicator in indicators}
    for value in values:  # ordered, so a later report of the same period replaces an earlier one
        period = value.report.period
        by_indicator[value.indicator_id][period.number] = IndicatorPoint(period, value.value)
    return [IndicatorSeries(indicator, list(by_indicator[indicator.pk].values())) for indicator in indicators]


def current_states(user, task: Task, period: ReportingPeriod | None, now: datetime.datetime) -> dict:
    """Unit → its obligation on the task for `period`, from the ledger (one query besides the
    opening check); a unit not in it owes nothing for the period."""
    if period is None:
        return {}
    rows = ledger.visible(user, [task.campaign_id], now).filter(task=task, period=period).order_by()
    return {obligation.unit_id: obligation for obligation in rows}


def user_units(user, task: Task) -> tuple[list[Unit], list[Unit]]:
    """The units the user reports for on the task, and those of them (or others) it leads, as
    accounts.access.units_reporting_for / lead_units_for give them: one query for both."""
    # One UNION of the two access querysets: planned as two small statements, where an OR of
    # subqueries with EXISTS annotations cost several times more to plan than to run.
    rows = list(
        access.units_reporting_for(user, task)
        .annotate(holds=Value(REPORTS, output_field=CharField()))
        .order_by()  # a part of a UNION has no order of its own (SQLite refuses one)
        .union(
            access.lead_units_for(user, task).annotate(holds=Value(LEADS, output_field=CharField())).order_by(),
            all=True,
        )
        .order_by("sort_order", "name")
    )
    return [unit for unit in rows if unit.holds == REPORTS], [unit for unit in rows if unit.holds == LEADS]


REPORTS, LEADS = "reports", "leads"


def task_detail(user, campaign_code: str, number: str, now: datetime.datetime | None = None,
                before: datetime.datetime | None = None) -> TaskDetail:  # fmt: skip
    """A visible task with everything its page shows: units, leaders, milestones, sub-items,
    each unit's state this period (the ledger's) and the latest reports the user may read,
    indicators, leader comments, completion and extension requests, what the user may do on
    it, and a page of its timeline (the newest, or those before `before`).

    Raises Http404 for a task the user may not see. Runs a fixed number of queries.
    """
    now = now or timezone.now()
    task = get_object_or_404(
        access.visible_to(user, Task)
        .select_related("campaign", "section", "phase", "parent__campaign")
        .prefetch_related("leaders", "milestones", assignments_with_latest_report()),
        campaign__code=campaign_code,
        number=number,
    )
    sub_items = list(
        task.sub_items.select_related("campaign", "phase").prefetch_related(assignments_prefetch()).order_by("sort_key")
    )
    split_assignments([task, *sub_items])
    current = current_periods([task.campaign_id], now).get(task.campaign_id)
    owed = current_states(user, task, current, now)
    latest_ids = [assignment.latest_report_id for assignment in task.assignment_list]
    reports = {report.unit_id: report for report in latest_reports(user, task, latest_ids)}
    unit_reports = []
    for assignment in task.lead_assignments + task.support_assignments:
        obligation = owed.get(assignment.unit_id)
        state = ledger.shown(obligation, user, now, due_at=current.due_at) if current else ""
        unit_reports.append(UnitReport(assignment, reports.get(assignment.unit_id), state, obligation))
    comments = list(task.leader_comments.select_related("author"))
    completions, extensions = task_requests(task)
    reporting_units, lead_units = user_units(user, task)
    return TaskDetail(
        task=task,
        sub_items=sub_items,
        unit_reports=unit_reports,
        current_period=current,
        reporting_units=reporting_units,
        lead_units=lead_units,
        indicators=indicator_series(user, task),
        comments=comments,
        completion_requests=completions,
        extension_requests=extensions,
        timeline_page=timeline_page(user, task, comments, completions, extensions, before=before),
        panels=[panel for source in _panel_sources if (panel := source(user, task, now)) is not None],
    )
