"""A task's timeline: its history as the user may see it, newest first."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.dateparse import parse_datetime
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


def _previous_id(records) -> Subquery:
    """The history_id of the record before each one of the same object among `records` (so a
    change is compared with the record before it even when that one is on an older page)."""
    earlier = Q(history_date__lt=OuterRef("history_date")) | Q(
        history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id")
    )
    return Subquery(
        records.filter(earlier, id=OuterRef("id")).order_by("-history_date", "-history_id").values("history_id")[:1]
    )


def window(rows, field: str, before: datetime.datetime | None, limit: int) -> tuple[list, datetime.datetime | None]:
    """The `limit` newest of `rows` by `field` before `before`, newest first, one query; and the
    horizon: `field` of the oldest fetched when the limit was reached (older rows may exist),
    else None (nothing older).

    When all `limit` share one instant (a bulk change recorded at once), a second query reads
    every row of that instant: the next page starts before it, so none of them is skipped."""
    if before is not None:
        rows = rows.filter(**{f"{field}__lt": before})
    fetched = list(rows.order_by(f"-{field}", "-pk")[:limit])
    if len(fetched) < limit:
        return fetched, None
    horizon = getattr(fetched[-1], field)
    if getattr(fetched[0], field) == horizon:
        fetched = list(rows.filter(**{field: horizon}).order_by("-pk"))
    return fetched, horizon


def _with_previous(model, records: list) -> dict[int, object]:
    """history_id → the previous record of each of `records` (annotated prev_id), one query."""
    wanted = {record.prev_id for record in records if record.prev_id is not None}
    known = {record.history_id: record for record in records}
    missing = wanted - known.keys()
    if missing:
        known.update((r.history_id, r) for r in model.history.filter(history_id__in=missing))
    return {record.history_id: known.get(record.prev_id) for record in records}


def _task_events(task: Task, before, limit) -> SourcePage:
    history = task.history.all()
    records, horizon = window(
        history.select_related("history_user").annotate(prev_id=_previous_id(history)), "history_date", before, limit
    )
    previous = _with_previous(Task, records)
    events = []
    for record in reversed(records):
        reason = record.history_change_reason or ""
        old = previous[record.history_id]
        changes = _changes(record, old, Task) if old is not None and record.history_type == "~" else []
        if record.history_type == "~" and not changes:
            continue  # saved without a change (an unchanged re-import)
        code = f"task:{reason}" if f"task:{reason}" in ACTIONS else f"task:{record.history_type}"
        events.append(TimelineEvent(record.history_date, code, record.history_user, changes=changes))
    return events, horizon


def _assignment_events(task: Task, before, limit) -> SourcePage:
    history = TaskAssignment.history.filter(task_id=task.pk)
    records, horizon = window(
        history.select_related("history_user", "unit").annotate(prev_id=_previous_id(history)),
        "history_date",
        before,
        limit,
    )
    previous = _with_previous(TaskAssignment, records)
    events = []
    for record in reversed(records):
        old = previous[record.history_id]
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
    return events, horizon


def _report_events(user, task: Task, before, limit) -> SourcePage:
    """Submissions and reviews of the reports the user may read.

    Draft saves are left out, and each entry is compared with the previous submission or review
    of the same report, never with a draft: another unit's drafts stay private even in history.
    """
    visible = access.visible_to(user, ProgressReport).filter(task=task).values("pk")
    entries = ProgressReport.history.filter(task_id=task.pk).filter(
        Q(history_change_reason__in=["submit", "accept", "return"])
        | (Q(history_change_reason__isnull=True) & ~Q(status=DRAFT))
    )
    history = entries.filter(id__in=visible)
    records, horizon = window(
        # The record before one is of the same report, visible as it is: the access rule is not
        # repeated in that subquery (planning it twice cost more than running the statement).
        history.select_related("history_user", "unit", "period", "submitted_by", "reviewed_by").annotate(
            prev_id=_previous_id(entries)
        ),
        "history_date",
        before,
        limit,
    )
    submissions = [record for record in records if record.history_change_reason == "submit"]
    previous = _with_previous(ProgressReport, submissions)
    events = []
    for record in reversed(records):
        reason = record.history_change_reason or "~"
        old = previous.get(record.history_id)
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
    return events, horizon


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


# A paged source: source(user, task, *, before, limit) -> (events, horizon), as `window` gives.
TimelineSource = Callable[..., tuple[list[TimelineEvent], datetime.datetime | None]]
SourcePage = tuple[list[TimelineEvent], datetime.datetime | None]

# How many entries a page of the timeline shows.
PAGE_SIZE = 30

# Extra sources of events from apps above tasks (supervision's urges and notices). Layers run
# tasks -> supervision, never back: tasks must not read those apps' models, not even by label, so
# each such app registers its source here from its AppConfig.ready(). Kept in a list, in order of
# registration (events at the same instant keep that order).
_extra_sources: list[TimelineSource] = []


def register_timeline_source(source: TimelineSource, actions: dict | None = None) -> None:
    """Add `source(user, task, *, before, limit) -> (events, horizon)` to every task's timeline,
    with the names of the codes it uses (`actions`, merged into ACTIONS): at most `limit` of its
    newest events before `before` (None: from the newest), and the horizon (`window` gives both
    for a queryset). It must show only what the user may see (through accounts.access) and run
    a fixed number of queries.

    Idempotent: ready() may run twice in some test setups, so a source already registered (by
    its dotted name, which survives a module reload) is not added again."""
    ACTIONS.update(actions or {})
    name = f"{source.__module__}.{source.__qualname__}"
    if all(f"{s.__module__}.{s.__qualname__}" != name for s in _extra_sources):
        _extra_sources.append(source)


@dataclass
class TimelinePage:
    """The newest `limit` entries before a cursor; `older`: the cursor of the next page (None:
    this is the oldest)."""

    events: list[TimelineEvent]
    older: datetime.datetime | None = None

    @property
    def older_cursor(self) -> str:
        return self.older.isoformat() if self.older else ""


def parse_cursor(value: str | None) -> datetime.datetime | None:
    """A page's cursor from the query string; anything else reads as the first page."""
    moment = parse_datetime(value or "")
    return moment if moment is not None and timezone.is_aware(moment) else None


def _merge(pages: list[SourcePage], limit: int) -> TimelinePage:
    """The `limit` newest events of the sources' pages. A source that reached its limit knows
    nothing older than its horizon, and may not have read every event at the horizon's very
    instant: the page shows what is newer than the latest of those horizons, and the next page
    starts just after that instant, so it reads them all. Events at the same instant as the
    page's last one come with it (that instant is newer than every horizon, so all of them are
    known), so none is skipped or shown twice between pages."""
    events = [event for source_events, _horizon in pages for event in source_events]
    events.sort(key=lambda event: event.at, reverse=True)  # stable: sources keep their order
    horizons = [horizon for _events, horizon in pages if horizon is not None]
    cut = max(horizons) if horizons else None
    known, older = events, None
    if cut is not None:
        known, older = [event for event in events if event.at > cut], cut + datetime.timedelta(microseconds=1)
        if (
            not known
        ):  # a whole page of one source at one instant (window read all of it): shown, and the next page before it
            known, older = [event for event in events if event.at >= cut], cut
    if len(known) > limit:
        last = known[limit - 1].at
        shown = [event for event in known if event.at >= last]
        return TimelinePage(shown, older=last)
    return TimelinePage(known, older=older)


def timeline_page(user, task, comments, completions, extensions, *, before=None, limit=PAGE_SIZE) -> TimelinePage:
    """A page of the task's timeline: its `limit` newest entries before `before`. Comments and
    requests come from the lists the page has loaded anyway; every other source is limited in
    SQL, so the queries and rows read do not grow with the history."""

    def loaded(events):
        return [event for event in events if before is None or event.at < before], None

    pages = [
        _task_events(task, before, limit),
        _assignment_events(task, before, limit),
        _report_events(user, task, before, limit),
        loaded(TimelineEvent(c.created_at, "comment", c.author, text=c.text) for c in comments),
        loaded(_request_events(user, task, completions, extensions)),
        *(source(user, task, before=before, limit=limit) for source in _extra_sources),
    ]
    return _merge(pages, limit)


def task_timeline(user, task: Task, *, before=None, limit=PAGE_SIZE) -> TimelinePage:
    """A page of the task's history, newest first, as the user may see it: changes to the task
    and its units (django-simple-history), report submissions and reviews of reports the user
    may read, leader comments, completion and extension requests with their decisions, and what
    the registered sources add (supervision's urges and notices).

    A fixed number of queries, whatever the length of the history."""
    comments = list(task.leader_comments.select_related("author"))
    completions, extensions = task_requests(task)
    return timeline_page(user, task, comments, completions, extensions, before=before, limit=limit)
