"""A task's timeline: its history as the user may see it, newest first."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import access

from ..models import Attachment, CompletionRequest, ExtensionRequest, ProgressReport, Task, TaskAssignment
from .states import DRAFT


def task_requests(task: Task) -> tuple[list[CompletionRequest], list[ExtensionRequest]]:
    """The task's completion and extension requests, with who asked and who decided."""
    completions = list(
        task.completion_requests.select_related("unit", "requested_by", "decided_by").prefetch_related("attachments")
    )
    extensions = list(task.extension_requests.select_related("unit", "requested_by", "decided_by"))
    return completions, extensions


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
    # and those of the registered sources (below): supervision's urge, notice:issued, notice:answered
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
        """task | assignment | report | comment | completion | extension, or a registered
        source's (supervision: urge | notice)"""
        return self.code.split(":")[0]

    @property
    def action(self) -> str:
        return ACTIONS[self.code]


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
    visible = access.visible_to(user, ProgressReport).filter(task=task).values("pk")
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
        # A submission lists what changed in the content, not the bookkeeping around it.
        changes = (
            _changes(record, old, ProgressReport, included=ProgressReport.CONTENT_FIELDS)
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
        attachments = list(request.attachments.all()) if access.can(user, "see_evidence", request) else []
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


TimelineSource = Callable[..., list[TimelineEvent]]  # source(user, task) -> events

# Extra sources of events from apps above tasks (supervision's urges and notices). Layers run
# tasks -> supervision, never back: tasks must not read those apps' models, not even by label, so
# each such app registers its source here from its AppConfig.ready(). Kept in a list, in order of
# registration (events at the same instant keep that order).
_extra_sources: list[TimelineSource] = []


def register_timeline_source(source: TimelineSource, actions: dict | None = None) -> None:
    """Add `source(user, task) -> list[TimelineEvent]` to every task's timeline, with the names of
    the codes it uses (`actions`, merged into ACTIONS). It must show only what the user may see
    (through accounts.access) and run a fixed number of queries.

    Idempotent: ready() may run twice in some test setups, so a source already registered (by
    its dotted name, which survives a module reload) is not added again."""
    ACTIONS.update(actions or {})
    name = f"{source.__module__}.{source.__qualname__}"
    if all(f"{s.__module__}.{s.__qualname__}" != name for s in _extra_sources):
        _extra_sources.append(source)


def build_timeline(user, task, comments, completions, extensions) -> list[TimelineEvent]:
    events = [
        *_task_events(task),
        *_assignment_events(task),
        *_report_events(user, task),
        *(TimelineEvent(c.created_at, "comment", c.author, text=c.text) for c in comments),
        *_request_events(user, task, completions, extensions),
        *(event for source in _extra_sources for event in source(user, task)),
    ]
    events.sort(key=lambda event: event.at, reverse=True)
    return events


def task_timeline(user, task: Task) -> list[TimelineEvent]:
    """The task's history, newest first, as the user may see it: changes to the task and its
    units (django-simple-history), report submissions and reviews of reports the user may
    read, leader comments, completion and extension requests with their decisions, and what the
    registered sources add (supervision's urges and notices).

    A fixed number of queries (nine), whatever the length of the history.
    """
    comments = list(task.leader_comments.select_related("author"))
    completions, extensions = task_requests(task)
    return build_timeline(user, task, comments, completions, extensions)
