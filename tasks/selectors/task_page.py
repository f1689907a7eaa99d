"""Reads of tasks and reports for the pages, scoped in one place.

Campaigns and tasks follow campaigns.selectors.visible_campaigns_q (through `tasks_visible_to`);
reports follow tasks.permissions.reports_visible_to and nothing else. Every reader here runs a
fixed number of queries, whatever the number of rows.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Prefetch, Q, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import roles
from campaigns.models import Campaign, ReportingPeriod
from campaigns.selectors import assignments_prefetches, campaigns_visible_to, visible_campaigns_q
from units.models import Unit

from . import permissions
from .models import (
    Attachment,
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
from .permissions import reports_visible_to

MISSING = "missing"
DRAFT = ProgressReport.Status.DRAFT
SUBMITTED = ProgressReport.Status.SUBMITTED
RETURNED = ProgressReport.Status.RETURNED
ACCEPTED = ProgressReport.Status.ACCEPTED
STATE_LABELS = {MISSING: _("Missing"), **dict(ProgressReport.Status.choices)}


def tasks_visible_to(user):
    """Every task of every campaign the user may see: a unit member sees the campaign's whole list."""
    return Task.objects.filter(visible_campaigns_q(user, prefix="campaign__"))


def visible_task(user, campaign_code: str, number: str) -> Task:
    """A task the user may see, with its campaign; Http404 otherwise."""
    return get_object_or_404(
        tasks_visible_to(user).select_related("campaign"), campaign__code=campaign_code, number=number
    )


def current_periods(campaign_ids, now: datetime.datetime | None = None) -> dict[int, ReportingPeriod]:
    """The current period of each campaign, in one query: the one whose dates contain today in
    Asia/Shanghai (a campaign that is over or not begun has none)."""
    today = timezone.localdate(now or timezone.now())
    periods = ReportingPeriod.objects.filter(campaign_id__in=campaign_ids, start_date__lte=today, end_date__gte=today)
    return {period.campaign_id: period for period in periods}


def current_period(campaign, now: datetime.datetime | None = None) -> ReportingPeriod | None:
    return current_periods([campaign.pk], now).get(campaign.pk)


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
        "problems": previous.problems,
        "next_steps": previous.next_steps,
        "percent_complete": previous.percent_complete,
        "needs_coordination": previous.needs_coordination,
        "coordination_request": previous.coordination_request,
        "indicator_values": {v.indicator_id: v.value for v in previous.indicator_values.all()},
    }


def state_of(report: ProgressReport | None) -> str:
    return report.status if report is not None else MISSING


# ---- the task page --------------------------------------------------------------------------


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
    x: int = 0
    y: int = 0
    height: int = 0


@dataclass
class IndicatorSeries:
    """An indicator's target and the value reached, period by period (the latest visible report)."""

    indicator: Indicator
    points: list[IndicatorPoint]

    # Drawing sizes of the small inline bar chart (an SVG drawn by the template).
    BAR, GAP, HEIGHT = 14, 4, 60

    @property
    def latest(self) -> Decimal | None:
        return self.points[-1].value if self.points else None

    @property
    def percent(self) -> int | None:
        if self.latest is None or not self.indicator.target:
            return None
        return round(self.latest / self.indicator.target * 100)

    @property
    def width(self) -> int:
        return max(1, len(self.points)) * (self.BAR + self.GAP)

    @property
    def target_y(self) -> int:
        return self.HEIGHT - self._scaled(self.indicator.target)

    def _scaled(self, value) -> int:
        top = max([self.indicator.target, *(point.value for point in self.points)])
        return round(value / top * self.HEIGHT) if top > 0 and value > 0 else 0

    def __post_init__(self):
        for index, point in enumerate(self.points):
            point.x = index * (self.BAR + self.GAP)
            point.height = self._scaled(point.value)
            point.y = self.HEIGHT - point.height


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
    def pending_completion(self) -> CompletionRequest | None:
        return next((r for r in self.completion_requests if r.status == Decision.PENDING), None)

    @property
    def pending_extension(self) -> ExtensionRequest | None:
        return next((r for r in self.extension_requests if r.status == Decision.PENDING), None)


def latest_reports(user, task: Task):
    """The latest non-draft report of each unit on the task that the user may read, one query.

    Reports come through tasks.permissions.reports_visible_to: a supporting unit sees only its
    own unit's reports, a lead unit, the office and leaders see every unit's.
    """
    submitted = reports_visible_to(user).filter(task=task).exclude(status=DRAFT)
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
    visible = reports_visible_to(user).filter(task=task).exclude(status=DRAFT).values("pk")
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
        tasks_visible_to(user)
        .select_related("campaign", "section", "phase", "parent")
        .prefetch_related("leaders", "milestones", *assignments_prefetches()),
        campaign__code=campaign_code,
        number=number,
    )
    sub_items = list(
        task.sub_items.select_related("phase").prefetch_related(*assignments_prefetches()).order_by("sort_key")
    )
    reports = {report.unit_id: report for report in latest_reports(user, task)}
    unit_reports = [
        UnitReport(assignment, reports.get(assignment.unit_id))
        for assignment in task.lead_assignments + task.support_assignments
    ]
    comments = list(task.leader_comments.select_related("author"))
    completions, extensions = _task_requests(task)
    return TaskDetail(
        task=task,
        sub_items=sub_items,
        unit_reports=unit_reports,
        current_period=current_periods([task.campaign_id], now).get(task.campaign_id),
        reporting_units=list(permissions.units_reporting_for(user, task).order_by("sort_order", "name")),
        lead_units=list(permissions.lead_units_for(user, task).order_by("sort_order", "name")),
        indicators=indicator_series(user, task),
        comments=comments,
        completion_requests=completions,
        extension_requests=extensions,
        timeline=_timeline(user, task, comments, completions, extensions),
    )


def _task_requests(task: Task) -> tuple[list[CompletionRequest], list[ExtensionRequest]]:
    completions = list(
        task.completion_requests.select_related("unit", "requested_by", "decided_by").prefetch_related("attachments")
    )
    extensions = list(task.extension_requests.select_related("unit", "requested_by", "decided_by"))
    return completions, extensions


# ---- the timeline ---------------------------------------------------------------------------


@dataclass
class Change:
    label: str
    old: object
    new: object


# What can happen on a task, as the timeline names it.
ACTIONS = {
    "task:+": _("Task created"),
    "task:~": _("Task changed"),
    "task:-": _("Task deleted"),
    "task:closed off": _("Task closed off"),
    "task:extension approved": _("Deadline extended"),
    "assignment:+": _("Unit added"),
    "assignment:~": _("Unit's part changed"),
    "assignment:-": _("Unit removed"),
    "report:submit": _("Report submitted"),
    "report:accept": _("Report accepted"),
    "report:return": _("Report returned"),
    "report:~": _("Report changed"),
    "comment": _("Leader comment"),
    "completion:requested": _("Applied for completion"),
    "completion:approved": _("Application for completion approved"),
    "completion:rejected": _("Application for completion rejected"),
    "extension:requested": _("Applied for an extension"),
    "extension:approved": _("Extension request approved"),
    "extension:rejected": _("Extension request rejected"),
    "urge": _("Urged by the supervision office"),
    "notice:issued": _("Supervision notice issued"),
    "notice:answered": _("Supervision notice answered"),
}


@dataclass
class TimelineEvent:
    """One line of a task's timeline: who did what when, and what changed."""

    at: datetime.datetime
    code: str  # a key of ACTIONS
    who: object = None
    subject: str = ""
    changes: list[Change] = field(default_factory=list)
    text: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    late: bool = False

    @property
    def kind(self) -> str:
        """task | assignment | report | comment | completion | extension | urge | notice"""
        return self.code.split(":")[0]

    @property
    def action(self) -> str:
        return ACTIONS[self.code]


# What a report's timeline entry compares: the content, not the bookkeeping around it.
REPORT_DIFF_FIELDS = [
    "progress", "problems", "next_steps", "percent_complete", "needs_coordination", "coordination_request",
]  # fmt: skip


def _value_display(model_field, value):
    if value is None or value == "":
        return "—"
    if model_field.choices:
        return dict(model_field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value)
    return text if len(text) <= 80 else text[:79] + "…"


def _changes(new, old, model, included=None) -> list[Change]:
    """The fields that differ between two history records of one object, for display.

    Records are paired in Python (never record.prev_record, which costs a query each)."""
    delta = new.diff_against(old, included_fields=included)
    changes = []
    for change in delta.changes:
        model_field = model._meta.get_field(change.field)
        if model_field.is_relation:
            # A related row (section, phase, parent) changed: name the field, not raw ids.
            changes.append(Change(str(model_field.verbose_name), "", ""))
        else:
            changes.append(
                Change(
                    str(model_field.verbose_name),
                    _value_display(model_field, change.old),
                    _value_display(model_field, change.new),
                )
            )
    return changes


def _task_events(task: Task) -> list[TimelineEvent]:
    events = []
    previous = None
    for record in task.history.select_related("history_user").order_by("history_date", "history_id"):
        reason = record.history_change_reason or ""
        changes = _changes(record, previous, Task) if previous is not None and record.history_type == "~" else []
        previous = record
        if record.history_type == "~" and not changes:
            continue  # saved without a change (an unchanged re-import)
        code = f"task:{reason}" if f"task:{reason}" in ACTIONS else f"task:{record.history_type}"
        events.append(TimelineEvent(record.history_date, code, record.history_user, changes=changes))
    return events


def _assignment_events(task: Task) -> list[TimelineEvent]:
    events = []
    previous: dict[int, object] = {}
    records = (
        TaskAssignment.history.filter(task_id=task.pk)
        .select_related("history_user", "unit")
        .order_by("history_date", "history_id")
    )
    for record in records:
        old = previous.get(record.id)
        previous[record.id] = record
        changes = []
        if record.history_type == "~":
            changes = _changes(record, old, TaskAssignment, included=["role"]) if old is not None else []
            if not changes:
                continue
        role = dict(TaskAssignment.Role.choices).get(record.role, record.role)
        events.append(
            TimelineEvent(
                record.history_date,
                f"assignment:{record.history_type}",
                record.history_user,
                subject=f"{record.unit.display_name if record.unit else record.unit_id} · {role}",
                changes=changes,
            )
        )
    return events


def _report_events(user, task: Task) -> list[TimelineEvent]:
    """Submissions and reviews of the reports the user may read.

    Draft saves are left out, and each entry is compared with the previous submission or review
    of the same report, never with a draft: another unit's drafts stay private even in history.
    """
    visible = reports_visible_to(user).filter(task=task).values("pk")
    records = (
        ProgressReport.history.filter(task_id=task.pk, id__in=visible)
        .filter(
            Q(history_change_reason__in=["submit", "accept", "return"])
            | (Q(history_change_reason__isnull=True) & ~Q(status=DRAFT))
        )
        .select_related("history_user", "unit", "period", "submitted_by", "reviewed_by")
        .order_by("history_date", "history_id")
    )
    events = []
    previous: dict[int, object] = {}
    for record in records:
        old = previous.get(record.id)
        previous[record.id] = record
        reason = record.history_change_reason or "~"
        changes = (
            _changes(record, old, ProgressReport, included=REPORT_DIFF_FIELDS)
            if old is not None and reason == "submit"
            else []
        )
        text = record.review_comment if reason == "return" else ""
        subject = f"{record.unit.display_name if record.unit else ''} · " + _("Period %(number)s") % {
            "number": record.period.number if record.period else "?"
        }
        events.append(
            TimelineEvent(
                record.history_date,
                f"report:{reason}" if f"report:{reason}" in ACTIONS else "report:~",
                _report_actor(record, reason),
                subject=subject,
                changes=changes,
                text=text,
                late=reason == "submit" and record.is_late,
            )
        )
    return events


def _report_actor(record, reason):
    """Who made a report's change. Outside a web request (a job, the shell) the history has no
    user, and the report's own submitted_by / reviewed_by say who."""
    if record.history_user:
        return record.history_user
    return {"submit": record.submitted_by, "accept": record.reviewed_by, "return": record.reviewed_by}.get(reason)


def _request_events(user, task, completions, extensions) -> list[TimelineEvent]:
    events = []
    for request in completions:
        attachments = list(request.attachments.all()) if permissions.sees_request_evidence(user, request) else []
        events.append(
            TimelineEvent(
                request.requested_at,
                "completion:requested",
                request.requested_by,
                subject=request.unit.display_name,
                text=request.summary,
                attachments=attachments,
            )
        )
        if request.decided_at:
            events.append(
                TimelineEvent(
                    request.decided_at,
                    f"completion:{request.status}",
                    request.decided_by,
                    text=request.decision_comment,
                )
            )
    for request in extensions:
        events.append(
            TimelineEvent(
                request.requested_at,
                "extension:requested",
                request.requested_by,
                subject=request.unit.display_name,
                changes=[
                    Change(
                        str(_("deadline")), request.current_deadline.isoformat(), request.requested_deadline.isoformat()
                    )
                ],
                text=request.reason,
            )
        )
        if request.decided_at:
            events.append(
                TimelineEvent(
                    request.decided_at,
                    f"extension:{request.status}",
                    request.decided_by,
                    text=request.decision_comment,
                )
            )
    return events


def _supervision_events(user, task) -> list[TimelineEvent]:
    """The office urging units on this task, and supervision notices about it the user may see."""
    from supervision.selectors import notices_visible_to, urges_visible_to

    events = [
        TimelineEvent(urge.urged_at, "urge", urge.urged_by, subject=urge.unit.display_name, text=urge.note)
        for urge in urges_visible_to(user).filter(task=task).select_related("urged_by", "unit")
    ]
    for notice in notices_visible_to(user).filter(task=task).select_related("unit", "answered_by"):
        events.append(TimelineEvent(notice.issued_at, "notice:issued", subject=notice.unit.display_name, text=notice.body))
        if notice.answered_at:
            events.append(
                TimelineEvent(notice.answered_at, "notice:answered", notice.answered_by, subject=notice.unit.display_name, text=notice.answer)
            )
    return events


def _timeline(user, task, comments, completions, extensions) -> list[TimelineEvent]:
    events = [
        *_task_events(task),
        *_assignment_events(task),
        *_report_events(user, task),
        *(TimelineEvent(c.created_at, "comment", c.author, text=c.text) for c in comments),
        *_request_events(user, task, completions, extensions),
        *_supervision_events(user, task),
    ]
    events.sort(key=lambda event: event.at, reverse=True)
    return events


def task_timeline(user, task: Task) -> list[TimelineEvent]:
    """The task's history, newest first, as the user may see it: changes to the task and its
    units (django-simple-history), report submissions and reviews of reports the user may
    read, leader comments, and completion and extension requests with their decisions.

    A fixed number of queries (nine), whatever the length of the history.
    """
    comments = list(task.leader_comments.select_related("author"))
    completions, extensions = _task_requests(task)
    return _timeline(user, task, comments, completions, extensions)


# ---- evidence -------------------------------------------------------------------------------


# ---- the unit workspace ---------------------------------------------------------------------


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


def _recent_periods(campaign_ids, now) -> dict[int, tuple[ReportingPeriod | None, ReportingPeriod | None]]:
    """(current, previous) period of each campaign, one query: the current one contains today
    (as current_period says), the previous one is the last due before it."""
    today = timezone.localdate(now)
    recent = ReportingPeriod.objects.filter(
        campaign_id__in=campaign_ids, start_date__lte=today, end_date__gte=today - datetime.timedelta(days=40)
    ).order_by("campaign_id", "number")
    by_campaign: dict[int, list[ReportingPeriod]] = {}
    for period in recent:
        by_campaign.setdefault(period.campaign_id, []).append(period)
    result = {}
    for campaign_id, periods in by_campaign.items():
        current = next((p for p in periods if p.start_date <= today <= p.end_date), None)
        before = [p for p in periods if p.due_at <= now and p is not current]
        result[campaign_id] = (current, before[-1] if before else None)
    return result


def workspace(user, now: datetime.datetime | None = None) -> list[WorkspaceUnit]:
    """For each unit of the user (liaison or head): its open tasks, as lead or supporting unit,
    in active campaigns, each with the current period's report and the previous period's when
    that one is still owed; and its reports the office returned. Six queries, whatever the
    number of units, tasks and campaigns."""
    now = now or timezone.now()
    unit_ids = roles.member_unit_ids(user)
    if not unit_ids:
        return []
    units = list(Unit.objects.filter(pk__in=unit_ids).order_by("sort_order", "name"))
    assignments = list(
        TaskAssignment.objects.filter(
            unit_id__in=unit_ids, task__status=Task.Status.OPEN, task__campaign__status=Campaign.Status.ACTIVE
        )
        .filter(visible_campaigns_q(user, prefix="task__campaign__"))
        .select_related("task__campaign", "unit")
        .order_by("-task__campaign__start_date", "task__campaign__code", "task__sort_key")
    )
    periods = _recent_periods({a.task.campaign_id for a in assignments}, now)
    period_ids = [period.pk for pair in periods.values() for period in pair if period is not None]
    reports = {
        (report.task_id, report.unit_id, report.period_id): report
        for report in reports_visible_to(user).filter(unit_id__in=unit_ids, period_id__in=period_ids)
    }
    returned = list(
        reports_visible_to(user)
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


# ---- the report form ------------------------------------------------------------------------


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

    @property
    def indicator_values(self) -> dict[int, Decimal]:
        if self.report is None:
            return {}
        return {value.indicator_id: value.value for value in self.report.indicator_values.all()}


def report_page(user, campaign_code: str, number: str, unit_id: int, period_number: int) -> ReportPage:
    """A unit's report on a task for a period, as its liaison or head opens it.

    Http404 for a task the user may not see or a period not of the task's campaign;
    PermissionDenied for a visible task the user does not report on for that unit.
    """
    task = get_object_or_404(
        tasks_visible_to(user).select_related("campaign").prefetch_related(*assignments_prefetches()),
        campaign__code=campaign_code,
        number=number,
    )
    unit = permissions.units_reporting_for(user, task).filter(pk=unit_id).first()
    if unit is None:
        raise PermissionDenied
    period = get_object_or_404(ReportingPeriod, campaign_id=task.campaign_id, number=period_number)
    reports = {
        report.unit_id: report
        for report in reports_visible_to(user)
        .filter(task=task, period=period)
        .select_related("period", "submitted_by", "reviewed_by")
        .prefetch_related("attachments", "indicator_values__indicator")
    }
    leads = permissions.lead_units_for(user, task).filter(pk=unit.pk).exists()
    others = []
    if leads:
        for assignment in task.lead_assignments + task.support_assignments:
            if assignment.unit_id != unit.pk:
                report = reports.get(assignment.unit_id)
                others.append(UnitReport(assignment, report if report and report.status != DRAFT else None))
    report = reports.get(unit.pk)
    return ReportPage(
        task=task,
        unit=unit,
        period=period,
        report=report,
        indicators=list(task.indicators.all()),
        can_edit=permissions.can_report(user, task, unit) and (report is None or report.is_editable_state),
        leads=leads,
        others=others,
    )


# ---- office review: the queue is read by tasks.review_selectors --------------------------


def visible_report(user, pk: int) -> ProgressReport:
    return get_object_or_404(reports_visible_to(user).select_related("task__campaign", "unit", "period"), pk=pk)


# ---- the compliance matrix ------------------------------------------------------------------


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
    def label(self) -> str:
        return STATE_LABELS[self.state]

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
    campaign = get_object_or_404(campaigns_visible_to(user), code=campaign_code)
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
        for report in reports_visible_to(user).filter(task__campaign=campaign, period=period).exclude(status=DRAFT)
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
    """The period a campaign's matrix opens on: the latest whose due moment has passed (the one
    whose compliance can be judged), else the first."""
    campaign = get_object_or_404(campaigns_visible_to(user), code=campaign_code)
    periods = list(campaign.periods.order_by("number"))
    if not periods:
        raise Http404
    due = [period for period in periods if period.due_at <= (now or timezone.now())]
    return (due[-1] if due else periods[0]).number


# ---- completion and extension requests ------------------------------------------------------


@dataclass
class PendingRequests:
    completions: list[CompletionRequest]
    extensions: list[ExtensionRequest]


def pending_requests(user) -> PendingRequests:
    """Completion and extension requests waiting for a decision, on open tasks the user may see
    (a task closed off takes no more decisions)."""
    tasks = tasks_visible_to(user).filter(status=Task.Status.OPEN).values("pk")
    return PendingRequests(
        completions=list(
            CompletionRequest.objects.filter(status=Decision.PENDING, task__in=tasks)
            .select_related("task__campaign", "unit", "requested_by")
            .prefetch_related("attachments")
            .order_by("requested_at")
        ),
        extensions=list(
            ExtensionRequest.objects.filter(status=Decision.PENDING, task__in=tasks)
            .select_related("task__campaign", "unit", "requested_by")
            .order_by("requested_at")
        ),
    )


def visible_completion_request(user, pk: int) -> CompletionRequest:
    return get_object_or_404(CompletionRequest.objects.filter(task__in=tasks_visible_to(user).values("pk")), pk=pk)


def visible_extension_request(user, pk: int) -> ExtensionRequest:
    return get_object_or_404(ExtensionRequest.objects.filter(task__in=tasks_visible_to(user).values("pk")), pk=pk)
