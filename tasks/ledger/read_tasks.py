"""Reads of the ledger by task: what a campaign's task list shows beside each task (see
tasks.ledger.read, whose rules hold here: periods opened first, rows through
accounts.access.visible_to)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.utils import timezone

from campaigns.periods import local_today

from . import states
from .models import Obligation
from .read import visible


@dataclass(frozen=True)
class TaskFigures:
    """What the units on a task owed and filed: this period (owed, filed), and over the periods
    due so far (owed, filed on time, missing, fix overdue)."""

    now_owed: int = 0
    now_filed: int = 0
    due: int = 0
    on_time: int = 0
    missing: int = 0
    fix_overdue: int = 0

    @property
    def on_time_percent(self) -> int | None:
        return round(self.on_time * 100 / self.due) if self.due else None


def task_figures(user, campaign_id: int, task_ids: Iterable[int], now: datetime.datetime | None = None) -> dict:
    """Task → TaskFigures for the tasks of one campaign, one aggregate query (besides the
    opening check) over their obligations, whatever the number of periods and units. A task
    with no obligation has none (TaskFigures() when read with .get(pk, TaskFigures()))."""
    now = now or timezone.now()
    today = local_today(now)
    this_period = Q(period__start_date__lte=today, period__end_date__gte=today)
    rows = (
        visible(user, [campaign_id], now)
        .filter(task_id__in=list(task_ids))
        .order_by()
        .values("task_id")
        .annotate(
            now_owed=Count("pk", filter=this_period),
            now_filed=Count("pk", filter=this_period & states.filed_q()),
            due=Count("pk", filter=Q(period__due_at__lte=now)),
            on_time=Count("pk", filter=Q(period__due_at__lte=now, first_late=False)),
            missing=Count("pk", filter=states.missing_q(now)),
            fix_overdue=Count("pk", filter=states.fix_overdue_q(now)),
        )
    )
    return {row.pop("task_id"): TaskFigures(**row) for row in rows}


def latest_filed_report_id() -> Subquery:
    """For a TaskAssignment row: the id of its unit's latest non-draft report on its task.

    The ledger finds it (the unit's obligations on the task, by the unique index on task, unit
    and period), never by scanning the reports table."""
    return Subquery(
        Obligation.objects.filter(task_id=OuterRef("task_id"), unit_id=OuterRef("unit_id"), report__isnull=False)
        .exclude(report__status="draft")
        .order_by("-period__start_date")
        .values("report_id")[:1]
    )


def later_filed_exists() -> Exists:
    """For an obligation row: whether its unit filed a report on its task for a later period (the
    ledger's filed states: a returned report being fixed is still filed). What makes an earlier
    report no longer the unit's latest word on the task (open coordination requests)."""
    return Exists(
        Obligation.objects.filter(
            states.filed_q(),
            task_id=OuterRef("task_id"),
            unit_id=OuterRef("unit_id"),
            period_number__gt=OuterRef("period_number"),
        )
    )
