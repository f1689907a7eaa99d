"""What the supervision jobs read from the ledger: what is owed before the due moment, what is
missing after it, and which returned reports were not fixed in time (退回未整改).

Built on tasks.ledger.states (the one definition of missing and fix-overdue), so a returned
report whose fix is being drafted is never missing, and a unit owes nothing outside its term on
a task (no obligation, nothing to remind or escalate). Each reader is one query returning plain
rows, the fields a job needs to build its messages: a job reads thousands of them at city scale.
The jobs open the periods that have begun first (tasks.ledger.read.ensure_open).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import NamedTuple

from django.db.models import QuerySet

from campaigns.models import Campaign

from ..models import Task
from . import states
from .models import Obligation


class Due(NamedTuple):
    """One obligation as a job sees it."""

    pk: int
    period_id: int
    campaign_id: int
    unit_id: int
    task_id: int


_FIELDS = ("pk", "period_id", "campaign_id", "unit_id", "task_id")
# Units in their directory order, tasks by number: the order of the lists in the messages.
_ORDER = ("period_id", "unit__sort_order", "unit_id", "task__sort_key")


def _open_tasks(rows: QuerySet) -> QuerySet:
    # A closed-off task is no longer urged (what it still owes from before stays in the ledger).
    return rows.filter(task__status=Task.Status.OPEN, campaign__status=Campaign.Status.ACTIVE)


def _rows(rows: QuerySet) -> list[Due]:
    return [Due(*row) for row in rows.order_by(*_ORDER).values_list(*_FIELDS)]


def unfiled(period_ids: Iterable[int]) -> list[Due]:
    """Obligations of the periods (not due yet: what reminders are about) with nothing submitted:
    owed, or only a draft. A returned report is filed, and not among them."""
    return _rows(_open_tasks(Obligation.objects.filter(period_id__in=list(period_ids), state__in=states.UNFILED)))


def missing(period_ids: Iterable[int], now: datetime.datetime) -> list[Due]:
    """Obligations of the periods missing at `now` (states.missing_q: nothing submitted, period due)."""
    return _rows(_open_tasks(Obligation.objects.filter(states.missing_q(now), period_id__in=list(period_ids))))


class FixDue(NamedTuple):
    """A returned report not resubmitted by its fix deadline."""

    pk: int
    period_id: int
    campaign_id: int
    unit_id: int
    task_id: int
    fix_due_at: datetime.datetime
    returns: int


def fix_overdue(now: datetime.datetime, since: datetime.datetime) -> list[FixDue]:
    """Returned reports whose fix fell due after `since` and was not resubmitted by `now`
    (states.fix_overdue_q), of open tasks in active campaigns. Served by the (state, fix_due_at) index."""
    rows = _open_tasks(Obligation.objects.filter(states.fix_overdue_q(now), fix_due_at__gt=since))
    return [FixDue(*row) for row in rows.order_by("fix_due_at", "pk").values_list(*_FIELDS, "fix_due_at", "returns")]
