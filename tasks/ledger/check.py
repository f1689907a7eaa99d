"""The ledger rebuilt from scratch, and its differences from the stored one (manage.py ledger_check).

What the ledger should hold follows from other tables alone:

- an obligation for every opened period of a campaign (ReportingPeriod.opened_at) and every unit
  on one of its tasks then: from the term's first period, for periods due before the unit was
  taken off (if it was) and before the task was closed (if it was);
- an obligation for every report ever submitted, whatever became of the unit's term since (what
  was filed stays in the ledger);
- its state as the report implies (states.derived_state), its role the unit's latest term's.

`expected` computes this for a scope (campaigns, tasks or periods, or everything), tasks.ledger.sync
makes the table match it after every change of structure, and `differences` lists every row that
does not, with the timeliness a report no longer shows (the first submission, the fix) checked
against the invariants it must keep, and every row of the summary per period × unit
(tasks.ledger.summary) that is not the obligations summed.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from campaigns.models import ReportingPeriod

from ..models import ProgressReport, Task
from . import states
from .models import AssignmentTerm, Obligation

Key = tuple[int, int, int]  # task, unit, period


@dataclass(frozen=True)
class Scope:
    """Which part of the ledger: None means no restriction on that axis."""

    campaign_ids: frozenset[int] | None = None
    task_ids: frozenset[int] | None = None
    period_ids: frozenset[int] | None = None

    def filter(self, queryset, *, campaign="campaign_id", task="task_id", period="period_id"):
        if self.campaign_ids is not None and campaign:
            queryset = queryset.filter(**{f"{campaign}__in": self.campaign_ids})
        if self.task_ids is not None and task:
            queryset = queryset.filter(**{f"{task}__in": self.task_ids})
        if self.period_ids is not None and period:
            queryset = queryset.filter(**{f"{period}__in": self.period_ids})
        return queryset


EVERYTHING = Scope()


@dataclass
class Expected:
    campaign_id: int
    role: str
    report: tuple | None  # (pk, status, submitted_at, reviewed_at, is_late)

    @property
    def state(self) -> str:
        if self.report is None:
            return states.OWED
        _pk, status, submitted_at, reviewed_at, _late = self.report
        return states.derived_state(_ReportFacts(status, submitted_at, reviewed_at))


@dataclass
class _ReportFacts:
    status: str
    submitted_at: datetime.datetime | None
    reviewed_at: datetime.datetime | None


def _owes(term, period, task) -> bool:
    _campaign, number, due_at = period
    _status, closed_at = task
    return (
        number >= term["first_period_number"]
        and (term["ended_at"] is None or due_at <= term["ended_at"])
        and (closed_at is None or due_at <= closed_at)
    )


def expected(scope: Scope = EVERYTHING) -> dict[Key, Expected]:
    """What the ledger should hold in `scope`: key → campaign, role and report. Four queries."""
    periods = {
        pk: (campaign_id, number, due_at)
        for pk, campaign_id, number, due_at in scope.filter(
            ReportingPeriod.objects.filter(opened_at__isnull=False), task=None, period="pk"
        ).values_list("pk", "campaign_id", "number", "due_at")
    }
    by_campaign = defaultdict(list)
    for pk, period in periods.items():
        by_campaign[period[0]].append((pk, period))
    tasks_in_scope = scope.filter(Task.objects.all(), task="pk", period=None)
    tasks = {
        pk: (campaign_id, (status, closed_at if status == Task.Status.CLOSED else None))
        for pk, campaign_id, status, closed_at in tasks_in_scope.values_list("pk", "campaign_id", "status", "closed_at")
    }
    result: dict[Key, Expected] = {}
    latest_role: dict[tuple[int, int], str] = {}
    terms = (
        AssignmentTerm.objects.filter(task_id__in=tasks_in_scope.values("pk"))
        .order_by("pk")  # in the order written: the latest term last
        .values("task_id", "unit_id", "role", "first_period_number", "ended_at")
    )
    for term in terms:
        campaign_id, task = tasks[term["task_id"]]
        latest_role[(term["task_id"], term["unit_id"])] = term["role"]
        for period_id, period in by_campaign.get(campaign_id, ()):
            if _owes(term, period, task):
                result[(term["task_id"], term["unit_id"], period_id)] = Expected(campaign_id, term["role"], None)
    reports = scope.filter(
        ProgressReport.objects.filter(task_id__in=tasks_in_scope.values("pk")), campaign=None
    ).values_list("pk", "task_id", "unit_id", "period_id", "status", "submitted_at", "reviewed_at", "is_late")
    for pk, task_id, unit_id, period_id, status, submitted_at, reviewed_at, is_late in reports.iterator(
        chunk_size=5000
    ):
        key = (task_id, unit_id, period_id)
        facts = (pk, status, submitted_at, reviewed_at, is_late)
        if key in result:
            result[key].report = facts
        elif submitted_at is not None:  # filed once: in the ledger for good
            role = latest_role.get((task_id, unit_id), "")
            result[key] = Expected(tasks[task_id][0], role, facts)
    for key, entry in result.items():  # the latest term's role everywhere
        entry_role = latest_role.get(key[:2])
        if entry_role is not None:
            entry.role = entry_role
    return result


def _stored(scope: Scope):
    return scope.filter(Obligation.objects.all()).values_list(
        "pk", "task_id", "unit_id", "period_id", "campaign_id", "role", "report_id", "state",
        "first_submitted_at", "first_late", "returns", "fix_due_at", "fix_submitted_at", "fix_late", "period__due_at",
        "period_number", "period__number",
    )  # fmt: skip


def differences(scope: Scope = EVERYTHING, *, limit: int | None = None) -> list[str]:
    """Every difference between the stored ledger and `expected`, as lines for a person to read
    (empty when the ledger is right)."""
    wanted = expected(scope)
    found: list[str] = []
    seen = set()
    for row in _stored(scope).iterator(chunk_size=5000):
        (pk, task_id, unit_id, period_id, campaign_id, role, report_id, state,
         first_at, first_late, returns, fix_due_at, fix_at, fix_late, due_at, number, period_number) = row  # fmt: skip
        key = (task_id, unit_id, period_id)
        seen.add(key)
        where = f"obligation {pk} (task {task_id}, unit {unit_id}, period {period_id})"
        entry = wanted.get(key)
        if entry is None:
            found.append(f"{where}: not owed (no term covers it and nothing was filed)")
            continue
        report_pk = entry.report[0] if entry.report else None
        if (campaign_id, role, report_id, state) != (entry.campaign_id, entry.role, report_pk, entry.state):
            found.append(
                f"{where}: stored campaign {campaign_id}, role {role!r}, report {report_id}, state {state}; "
                f"expected campaign {entry.campaign_id}, role {entry.role!r}, report {report_pk}, state {entry.state}"
            )
        if number != period_number:
            found.append(f"{where}: stored period number {number}, the period's is {period_number}")
        filed = state in states.FILED
        if filed != (first_at is not None) or (first_at is not None and first_late != (first_at > due_at)):
            found.append(f"{where}: first submission {first_at} (late: {first_late}) does not match its state {state}")
        if state in (states.RETURNED, states.RESUBMITTED) and (not returns or fix_due_at is None):
            found.append(f"{where}: {state} but no return recorded")
        if fix_at is not None and fix_late != (fix_at > fix_due_at):
            found.append(f"{where}: fix submitted {fix_at} (late: {fix_late}), due {fix_due_at}")
        if limit and len(found) >= limit:
            return found
    for key in wanted.keys() - seen:
        found.append(f"task {key[0]}, unit {key[1]}, period {key[2]}: owed but not in the ledger")
        if limit and len(found) >= limit:
            return found
    # The open coordination requests stored on the obligations (tasks.ledger.coordination).
    from . import coordination, summary  # they build on this module

    found.extend(
        coordination.differences(scope.filter(Obligation.objects.all()), limit=limit - len(found) if limit else None)
    )
    if limit and len(found) >= limit:
        return found
    # The summary per period × unit against the obligations as stored (tasks.ledger.summary).
    found.extend(summary.differences(scope, limit=limit - len(found) if limit else None))
    return found
