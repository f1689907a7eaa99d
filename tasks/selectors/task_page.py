"""The task page: the task, its units and their latest reports, indicators, and what comes with it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404

from accounts import access
from campaigns.models import ReportingPeriod
from campaigns.periods import current_periods
from units.models import Unit

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
from .campaign_page import assignments_prefetches
from .states import DRAFT, state_of
from .timeline import TimelineEvent, build_timeline, task_requests


@dataclass
class UnitReport:
    """A unit on a task and its report the user may read (None: nothing to show)."""

    assignment: TaskAssignment
    report: ProgressReport | None

    @property
    def state(self) -> str:
        return state_of(self.report)


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
    timeline: list[TimelineEvent] = field(default_factory=list)

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


def latest_reports(user, task: Task):
    """The latest non-draft report of each unit on the task that the user may read, one query.

    Reports come through accounts.access.visible_to: a supporting unit sees only its
    own unit's reports, a lead unit, the office and leaders see every unit's.
    """
    submitted = access.visible_to(user, ProgressReport).filter(task=task).exclude(status=DRAFT)
    latest_id = submitted.filter(unit=OuterRef("unit")).order_by("-period__number").values("pk")[:1]
    return (
        submitted.filter(pk=Subquery(latest_id))
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


def task_detail(user, campaign_code: str, number: str, now: datetime.datetime | None = None) -> TaskDetail:
    """A visible task with everything its page shows: units, leaders, milestones, sub-items,
    the reports the user may read, indicators, leader comments, completion and extension
    requests, what the user may do on it, and its timeline.

    Raises Http404 for a task the user may not see. Runs a fixed number of queries.
    """
    task = get_object_or_404(
        access.visible_to(user, Task)
        .select_related("campaign", "section", "phase", "parent__campaign")
        .prefetch_related("leaders", "milestones", *assignments_prefetches()),
        campaign__code=campaign_code,
        number=number,
    )
    sub_items = list(
        task.sub_items.select_related("campaign", "phase")
        .prefetch_related(*assignments_prefetches())
        .order_by("sort_key")
    )
    reports = {report.unit_id: report for report in latest_reports(user, task)}
    unit_reports = [
        UnitReport(assignment, reports.get(assignment.unit_id))
        for assignment in task.lead_assignments + task.support_assignments
    ]
    comments = list(task.leader_comments.select_related("author"))
    completions, extensions = task_requests(task)
    return TaskDetail(
        task=task,
        sub_items=sub_items,
        unit_reports=unit_reports,
        current_period=current_periods([task.campaign_id], now).get(task.campaign_id),
        reporting_units=list(access.units_reporting_for(user, task).order_by("sort_order", "name")),
        lead_units=list(access.lead_units_for(user, task).order_by("sort_order", "name")),
        indicators=indicator_series(user, task),
        comments=comments,
        completion_requests=completions,
        extension_requests=extensions,
        timeline=build_timeline(user, task, comments, completions, extensions),
    )
