"""Which obligations carry an open coordination request (需协调解决事项), kept in the ledger.

A unit asks the leaders for coordination in its report (needs_coordination). The request is open
while that report is filed, is the unit's latest filed word on the task, and the task is open: a
later filed report closes it (or, if it asks again, becomes the open request in its place), and
closing the task closes them all.

Every dashboard and home page lists or counts the open requests. Derived on each read, that is an
anti-join over the ~20,000 reports of a city that ever asked (80–230 ms a page at city scale); so
the answer is stored on the obligation (`coordination_open`, a partial index over the few hundred
open ones) and rewritten, for the tasks concerned, by whatever changes one of its inputs: the
ledger's writers through tasks.changes.tasks_changed (submit, return, accept, close, reopen, the
admin) and tasks.ledger.sync.restate. `ledger_check` compares it with the definition below.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet

from ..models import ProgressReport, Task
from . import states
from .models import Obligation
from .read_tasks import later_filed_exists


def is_open_q() -> Q:
    """The definition, as a condition on an obligation row (see the module's docstring)."""
    return (
        states.filed_q()
        & Q(Exists(ProgressReport.objects.filter(pk=OuterRef("report_id"), needs_coordination=True)))
        & Q(Exists(Task.objects.filter(pk=OuterRef("task_id"), status=Task.Status.OPEN)))
        & ~Q(later_filed_exists())
    )


def _candidates(rows: QuerySet) -> QuerySet:
    # Only rows flagged now or filed with a request can change: a few of a task's obligations.
    return rows.filter(Q(coordination_open=True) | Q(states.filed_q(), report__needs_coordination=True))


def refresh(rows: QuerySet) -> int:
    """Rewrite the flag of `rows` (obligations, whole tasks or units on tasks: whether a report is
    the latest depends on the same unit's other periods) from the definition, in one statement.
    Returns how many rows were rewritten."""
    flag = ExpressionWrapper(is_open_q(), output_field=BooleanField())
    return Obligation.objects.filter(pk__in=_candidates(rows).values("pk")).update(coordination_open=flag)


def refresh_tasks(task_ids: Iterable[int]) -> int:
    """The flags of every obligation on these tasks (tasks.changes.tasks_changed calls it)."""
    return refresh(Obligation.objects.filter(task_id__in=list(task_ids)))


def refresh_ids(obligation_ids: Iterable[int]) -> int:
    """The flags of these obligations alone (a returned report's fix saved: its own request)."""
    return refresh(Obligation.objects.filter(pk__in=list(obligation_ids)))


def differences(rows: QuerySet, *, limit: int | None = None) -> list[str]:
    """Obligations of `rows` whose stored flag is not what the definition says, as lines."""
    wrong = rows.filter(
        (Q(coordination_open=True) & ~is_open_q()) | (Q(coordination_open=False) & is_open_q())
    ).values_list("pk", "task_id", "unit_id", "period_id", "coordination_open")
    if limit:
        wrong = wrong[:limit]
    return [
        f"obligation {pk} (task {task_id}, unit {unit_id}, period {period_id}): open coordination request "
        f"stored {stored}, expected {not stored}"
        for pk, task_id, unit_id, period_id, stored in wrong
    ]
