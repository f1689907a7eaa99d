"""Readers of the ledger for the office's pages: the compliance matrix and the review pages.

They stand on tasks.ledger.read (periods opened first, rows through accounts.access) and show
states as the office sees them (states.shown_case without own units: a unit's draft is "not yet
due" or "missing", never a draft). Each function is one query, whatever the number of rows, and
reads only the obligations of one campaign (and period) through the table's indexes.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce

from accounts import access

from ..models import Task
from . import states
from .models import AssignmentTerm, Obligation, PeriodSummary

# A filter of the matrix that is not a shown state: the first submission came after the due moment.
LATE = "late"


def campaign_rows(user, campaign_id: int) -> QuerySet:
    """The campaign's obligations the user may see (periods are opened by the caller, once:
    read.ensure_open)."""
    return access.visible_to(user, Obligation).filter(campaign_id=campaign_id)


def period_shown(period, now: datetime.datetime) -> Case:
    """states.shown_case for the obligations of one period, as the office sees them: the period's
    due moment is known, so no join to the periods (what a count over thousands of rows saves)."""
    unfiled = states.MISSING if now >= period.due_at else states.NOT_DUE
    return Case(
        When(state__in=states.UNFILED, then=Value(unfiled)),
        When(states.fix_overdue_q(now), then=Value(states.FIX_OVERDUE)),
        default=F("state"),
    )


def state_q(state: str, now: datetime.datetime, prefix: str = "") -> Q:
    """Obligations in a shown state (as the office sees it), or LATE: first submitted late."""
    field = lambda name: f"{prefix}{name}"  # noqa: E731
    if state == LATE:
        return Q(**{field("first_late"): True})
    if state == states.MISSING:
        return states.missing_q(now, prefix)
    if state == states.NOT_DUE:
        return states.not_due_q(now, prefix)
    if state == states.FIX_OVERDUE:
        return states.fix_overdue_q(now, prefix)
    if state == states.RETURNED:
        return Q(**{field("state"): states.RETURNED, field("fix_due_at__gt"): now})
    return Q(**{field("state"): state})


# ---- the compliance matrix --------------------------------------------------------------------


def period_totals(rows: QuerySet, period, now: datetime.datetime) -> dict[str, int]:
    """How many of `rows` (the period's obligations) are in each shown state, and how many were
    first submitted late (LATE), in one aggregate."""
    totals = dict.fromkeys([*states.SHOWN_LABELS, LATE], 0)
    grouped = (
        rows.annotate(shown=period_shown(period, now))
        .order_by()
        .values("shown")
        .annotate(n=Count("pk"), late=Count("pk", filter=Q(first_late=True)))
    )
    for row in grouped:
        totals[row["shown"]] = row["n"]
        totals[LATE] += row["late"]
    return totals


def tasks_on_ledger(campaign_id: int, period_rows: QuerySet, *, now: datetime.datetime,
                    section_id: int | None = None, state: str | None = None) -> QuerySet:  # fmt: skip
    """Ids of the campaign's tasks with a unit on them (a term, now or once: terms are never
    deleted, so every obligation has one), in the order of their numbers; of one section, and
    only those with an obligation of the period (`period_rows`) in `state` (a shown state or
    LATE), if given. A heading task without units of its own is not a row."""
    tasks = Task.objects.filter(campaign_id=campaign_id).filter(
        Exists(AssignmentTerm.objects.filter(task_id=OuterRef("pk")))
    )
    if section_id is not None:
        tasks = tasks.filter(section_id=section_id)
    if state:
        tasks = tasks.filter(Exists(period_rows.filter(state_q(state, now), task_id=OuterRef("pk"))))
    return tasks.order_by("sort_key", "pk").values_list("pk", flat=True)


UNIT_FIELDS = ("unit_id", "unit__name", "unit__short_name", "unit__sort_order")


def units_on(task_ids: Iterable[int], period, period_rows: QuerySet, now: datetime.datetime) -> QuerySet:
    """Every unit that is or was on the tasks (their terms, oldest first), with its obligation of
    the period if it owes one: `shown` (as the office sees it; None if it owes nothing) and `late`
    (the first submission came after the due moment). One query: an index probe per term."""
    owed = period_rows.filter(task_id=OuterRef("task_id"), unit_id=OuterRef("unit_id")).order_by()
    return (
        AssignmentTerm.objects.filter(task_id__in=list(task_ids))
        .annotate(
            shown=Subquery(owed.annotate(shown=period_shown(period, now)).values("shown")[:1]),
            late=Subquery(owed.values("first_late")[:1]),
        )
        .order_by("task_id", "started_at", "pk")
        .values("task_id", "role", "first_period_number", "ended_at", "shown", "late", *UNIT_FIELDS)
    )


def term_owes(term: dict, period) -> bool:
    """Whether a term (a row of units_on) covers a period not opened yet (it would owe it if
    nothing changes)."""
    return term["ended_at"] is None and term["first_period_number"] <= period.number


# ---- the review pages ---------------------------------------------------------------------------


def awaiting_review_count(campaign_ref: str = "pk") -> Coalesce:
    """An annotation for campaigns: how many obligations await review (submitted or resubmitted),
    added up from the ledger's rows per period (PeriodSummary): a hundred rows a campaign, not
    its obligations."""
    waiting = (
        PeriodSummary.objects.filter(period__campaign_id=OuterRef(campaign_ref))
        .order_by()
        .values("period__campaign_id")
        .annotate(n=Sum("awaiting_review"))
        .values("n")
    )
    return Coalesce(Subquery(waiting, output_field=IntegerField()), 0)


def awaiting_review_by_period(rows: QuerySet) -> dict[int, int]:
    """Period id → obligations of `rows` awaiting review (periods with none left out)."""
    grouped = rows.filter(state__in=states.AWAITING_REVIEW).order_by().values("period_id").annotate(n=Count("pk"))
    return {row["period_id"]: row["n"] for row in grouped}


def newest_filed_period(periods: QuerySet, rows: QuerySet):
    """The newest of `periods` with something filed in `rows` (None if none): each period is one
    probe of the (period, state) index, newest first, stopping at the first."""
    filed = rows.filter(states.filed_q(), period_id=OuterRef("pk"))
    return periods.filter(Exists(filed)).order_by("-number").first()


def filed_counts(rows: QuerySet, now: datetime.datetime) -> dict[str, int]:
    """How many of `rows` were filed, per shown state (submitted, resubmitted, returned, fix
    overdue, accepted; states with none left out)."""
    shown = Case(When(states.fix_overdue_q(now), then=Value(states.FIX_OVERDUE)), default=F("state"))
    grouped = rows.filter(states.filed_q()).annotate(shown=shown).order_by().values("shown").annotate(n=Count("pk"))
    return {row["shown"]: row["n"] for row in grouped}


def filed_in(rows: QuerySet, shown_states: Iterable[str], now: datetime.datetime) -> QuerySet:
    """The obligations of `rows` filed and now in one of `shown_states`."""
    wanted = Q(pk__in=[])
    for state in shown_states:
        wanted |= state_q(state, now)
    return rows.filter(states.filed_q()).filter(wanted)


def with_reports(ids: list[int], campaign, period) -> list[Obligation]:
    """The obligations of `ids` (of `campaign` and `period`), in that order, each with its task,
    unit, period and report (its evidence and indicator values prefetched): a page of the review
    queue."""
    # No ordering in SQL (the model's would join its tables for nothing): `ids` gives the order.
    # Fewer joins, less planning: the campaign and the period are the page's, given.
    rows = (
        Obligation.objects.filter(pk__in=ids)
        .select_related("task", "unit", "report__submitted_by", "report__reviewed_by")
        .prefetch_related("report__attachments", "report__indicator_values__indicator")
        .order_by()
    )
    order = {pk: index for index, pk in enumerate(ids)}
    rows = sorted(rows, key=lambda row: order[row.pk])
    for row in rows:  # one campaign and period, not one copy per row (the task's address names it)
        row.task.campaign = campaign
        if period is not None and row.period_id == period.pk:
            row.period = period
    return rows


def unit_ids_ever_on(campaign) -> QuerySet:
    """Ids of the units on one of the campaign's tasks now or once (terms are never deleted): a unit
    taken off a task keeps its filed reports in the review queue, so its filter offers it too."""
    return AssignmentTerm.objects.filter(task__campaign=campaign).values("unit_id")
