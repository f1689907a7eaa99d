"""Reads of the ledger by unit: what a unit's workspace and its page show (see tasks.ledger.read,
whose rules hold here: periods opened first, rows through accounts.access.visible_to)."""

from __future__ import annotations

import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Window
from django.utils import timezone

from . import states
from .models import Obligation
from .read import visible


def owed_by_units(rows: QuerySet, unit_ids, period_ids) -> dict[tuple[int, int, int], Obligation]:
    """(task, unit, period) → the obligation, of `rows` (read.visible's) for the units and periods
    given, with its report. One query."""
    # No ordering: the model's (period, task, unit) would join those tables to sort by theirs.
    rows = (
        rows.filter(unit_id__in=list(unit_ids), period_id__in=list(period_ids))
        .select_related("report__period")
        .order_by()
    )
    return {(o.task_id, o.unit_id, o.period_id): o for o in rows}


def returned_to_units(rows: QuerySet, unit_ids) -> QuerySet:
    """Of `rows` (read.visible's), the units' reports returned by the office and not resubmitted
    yet (the fix's drafts included), oldest fix deadline first, each with its report, task and
    period."""
    # The report's task and period are the obligation's (see returned_list): not joined twice.
    return (
        rows.filter(unit_id__in=list(unit_ids), state=states.RETURNED, report__isnull=False)
        .select_related("report__reviewed_by", "task__campaign", "period")
        .order_by("fix_due_at", "pk")
    )


def returned_list(rows: QuerySet, limit: int) -> tuple[list[Obligation], int]:
    """The first `limit` of returned_to_units' `rows`, their reports given the obligation's task
    and period (the same rows), and how many there are in all. One query: the total rides along."""
    found = list(rows.annotate(total=Window(Count("pk")))[:limit])
    for obligation in found:
        obligation.report.task = obligation.task
        obligation.report.period = obligation.period
    return found, (found[0].total if found else 0)


def workspace_counts(rows: QuerySet, assignments: QuerySet, period_ids, current_ids, now) -> dict[int, dict]:
    """Unit → {to_do, overdue} over `rows` (read.visible's) of the periods given that are owed on
    `assignments` (the workspace's rows): to do, this period's (`current_ids`) not filed or
    returned for a fix; overdue, missing or fix overdue (退回未整改). One aggregate query."""
    on_task = Exists(assignments.order_by().filter(task_id=OuterRef("task_id"), unit_id=OuterRef("unit_id")))
    open_states = (states.OWED, states.DRAFT, states.RETURNED)
    counted = (
        rows.filter(on_task, period_id__in=list(period_ids))
        .order_by()
        .values("unit_id")
        .annotate(
            to_do=Count("pk", filter=Q(period_id__in=list(current_ids), state__in=open_states)),
            overdue=Count("pk", filter=states.missing_q(now) | states.fix_overdue_q(now)),
        )
    )
    return {row.pop("unit_id"): row for row in counted}


FIGURES = ("owed", "filed", "on_time", "late", "missing", "fix_overdue", "accepted")


def unit_figures(user, unit_id: int, now: datetime.datetime | None = None) -> dict[int, dict[str, int]]:
    """Task → what the unit owed on it in the campaigns the user sees, up to `now`: owed (periods
    due), of those filed (on time and late, by the first submission), missing, fix overdue
    (退回未整改), accepted. One aggregate query besides the opening check, whatever the number of periods."""
    now = now or timezone.now()
    due = Q(period__due_at__lte=now)
    filed = states.filed_q() & due  # of the reports owed so far: one filed early is counted when due
    rows = (
        visible(user, now=now)
        .filter(unit_id=unit_id)
        .order_by()
        .values("task_id")
        .annotate(
            owed=Count("pk", filter=due),
            filed=Count("pk", filter=filed),
            on_time=Count("pk", filter=filed & Q(first_late=False)),
            late=Count("pk", filter=filed & Q(first_late=True)),
            missing=Count("pk", filter=states.missing_q(now)),
            fix_overdue=Count("pk", filter=states.fix_overdue_q(now)),
            accepted=Count("pk", filter=Q(state=states.ACCEPTED)),
        )
    )
    return {row.pop("task_id"): row for row in rows}


def totals(figures: dict[int, dict[str, int]]) -> dict[str, int]:
    """The sum of unit_figures over the tasks (a handful of rows, not the obligations)."""
    return {name: sum(row[name] for row in figures.values()) for name in FIGURES}
