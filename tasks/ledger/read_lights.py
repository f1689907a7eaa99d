"""What the traffic lights (lights/, above tasks) read from the ledger, for many tasks at once.

The lights judge a task by its units' obligations (tasks.ledger.states is the one definition of
missing, late, returned and fix overdue; nothing here re-derives them): how many of the latest
due periods in a row a unit's report is missing, the last due period's late, missing or returned
reports, returned reports whose fix is overdue, and the lead units' latest reported percent.

Set-based: a fixed number of queries however many tasks (the beat job refreshes every task of a
city, some 5,000, at once), each returning only the rows that matter: the missing, late and
returned obligations of the latest periods, not every obligation.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from campaigns.models import ReportingPeriod
from campaigns.periods import local_today

from ..models import TaskAssignment
from . import states
from .models import Obligation


class DuePeriod(NamedTuple):
    pk: int
    number: int
    end_date: datetime.date


class UnitMark(NamedTuple):
    """A unit's finding on a task: `what` is states.MISSING, "late", states.RETURNED or
    states.FIX_OVERDUE; `count` the periods missing in a row (MISSING), `when` the fix's deadline
    (FIX_OVERDUE) or the period's end date."""

    unit_id: int
    unit_name: str
    what: str
    count: int = 0
    when: datetime.date | None = None
    period_number: int = 0


@dataclass
class LightInputs:
    """The ledger's findings for a set of tasks (tasks without any are absent from the dicts)."""

    # campaign → its last due period (absent: nothing due yet)
    last_due: dict[int, DuePeriod] = field(default_factory=dict)
    # campaign → the id of its current period (campaigns.periods.current_periods' rule: its dates
    # contain today), read with the due ones (absent: not begun or over)
    current: dict[int, int] = field(default_factory=dict)
    # task → each unit missing the latest due periods in a row, with how many (the streak)
    streaks: dict[int, list[UnitMark]] = field(default_factory=lambda: defaultdict(list))
    # task → each unit whose report for the campaign's last due period is missing, late or returned
    last_period: dict[int, list[UnitMark]] = field(default_factory=lambda: defaultdict(list))
    # task → each returned report not resubmitted by its fix deadline (退回未整改)
    fix_overdue: dict[int, list[UnitMark]] = field(default_factory=lambda: defaultdict(list))
    # task → the mean of its lead units' latest reported percent complete (units that filed none left out)
    lead_percent: dict[int, float] = field(default_factory=dict)


def _display(name: str, short_name: str) -> str:
    return short_name or name


class _Now:
    """The obligations' states as stored: what they are at `now` (tasks.ledger.states)."""

    def __init__(self, now: datetime.datetime):
        self.now = now

    def missing_q(self) -> Q:
        return Q(state__in=states.UNFILED)

    def late_q(self) -> Q:
        return Q(first_late=True)

    def returned_q(self) -> Q:
        return Q(state=states.RETURNED)

    def fix_overdue_q(self) -> Q:
        return states.fix_overdue_q(self.now)

    def missing(self, row) -> bool:
        return row["state"] in states.UNFILED

    def late(self, row) -> bool:
        return bool(row["first_late"])

    def returned(self, row) -> bool:
        return row["state"] == states.RETURNED

    def fix_overdue(self, row) -> bool:
        return self.returned(row) and row["fix_due_at"] is not None and row["fix_due_at"] <= self.now

    def filed_q(self) -> Q:
        return Q()


class _Then(_Now):
    """What the obligations were at a past moment, as far as the ledger still shows it: a report
    was missing until its first submission, late if that came after the due moment; a return
    is known only as the last one (returned_at, fix_due_at, fix_submitted_at), so an earlier
    return since fixed and returned again is seen as the last one only."""

    def missing_q(self) -> Q:
        return Q(first_submitted_at__isnull=True) | Q(first_submitted_at__gt=self.now)

    def late_q(self) -> Q:
        return Q(first_late=True, first_submitted_at__lte=self.now)

    def returned_q(self) -> Q:
        return Q(returned_at__lte=self.now) & (Q(fix_submitted_at__isnull=True) | Q(fix_submitted_at__gt=self.now))

    def fix_overdue_q(self) -> Q:
        return self.returned_q() & Q(fix_due_at__lte=self.now)

    def missing(self, row) -> bool:
        return row["first_submitted_at"] is None or row["first_submitted_at"] > self.now

    def late(self, row) -> bool:
        return bool(row["first_late"]) and not self.missing(row)

    def returned(self, row) -> bool:
        fixed = row["fix_submitted_at"]
        return row["returned_at"] is not None and row["returned_at"] <= self.now and (fixed is None or fixed > self.now)

    def filed_q(self) -> Q:
        return Q(first_submitted_at__lte=self.now)


_FIELDS = ("task_id", "unit_id", "unit__name", "unit__short_name", "period_id", "period__number", "period__end_date",
           "state", "first_submitted_at", "first_late", "returned_at", "fix_due_at", "fix_submitted_at")  # fmt: skip


def light_inputs(
    *,
    campaign_ids: Iterable[int],
    task_ids: Iterable[int] | None,
    now: datetime.datetime,
    depth: int,
    past: bool = False,
) -> LightInputs:
    """The findings for the tasks (`task_ids`, or every task of `campaign_ids` when None) at `now`,
    looking back `depth` due periods for streaks of missing reports. Four queries besides the
    number of tasks. The periods are read as opened: unlike the pages' readers this one does
    not open them (tasks.ledger.read.ensure_open), since the services call it in their
    transactions, often as of another moment; the beat job opens them before it refreshes.

    `past`: as of a moment gone by (lights.history's backfill), from the timeliness the ledger
    keeps (see _Then) rather than the states now."""
    campaign_ids = sorted(set(campaign_ids))
    found = LightInputs()
    if not campaign_ids:
        return found
    judged = _Then(now) if past else _Now(now)
    window: dict[int, list[DuePeriod]] = defaultdict(list)  # campaign → its latest due periods, latest first
    today = local_today(now)
    due = (
        ReportingPeriod.objects.filter(
            Q(due_at__lte=now) | Q(start_date__lte=today, end_date__gte=today), campaign_id__in=campaign_ids
        )
        .order_by("campaign_id", "-number")
        .values_list("campaign_id", "pk", "number", "start_date", "end_date", "due_at")
    )
    for campaign_id, pk, number, start_date, end_date, due_at in due:
        if start_date <= today <= end_date:
            found.current[campaign_id] = pk
        if due_at <= now and len(window[campaign_id]) < depth:
            window[campaign_id].append(DuePeriod(pk, number, end_date))
    for campaign_id, periods in window.items():
        found.last_due[campaign_id] = periods[0]
    rank = {period.pk: index for periods in window.values() for index, period in enumerate(periods)}
    last_ids = [periods[0].pk for periods in window.values()]
    rows = Obligation.objects.filter(campaign_id__in=campaign_ids)
    if task_ids is not None:
        rows = rows.filter(task_id__in=sorted(set(task_ids)))
    # Only what a light reads: the window's missing reports, the last period's late and returned
    # ones, and overdue fixes of any period.
    wanted = (
        (Q(period_id__in=list(rank)) & judged.missing_q())
        | (Q(period_id__in=last_ids) & (judged.late_q() | judged.returned_q()))
        | judged.fix_overdue_q()
    )
    missing: dict[tuple[int, int], set[int]] = defaultdict(set)
    names: dict[int, str] = {}
    for row in rows.filter(wanted).order_by("task_id", "unit__sort_order", "unit_id").values(*_FIELDS):
        task_id, unit_id, period_id, number = row["task_id"], row["unit_id"], row["period_id"], row["period__number"]
        unit = names.setdefault(unit_id, _display(row["unit__name"], row["unit__short_name"]))
        if judged.fix_overdue(row):
            when = timezone.localdate(row["fix_due_at"])
            found.fix_overdue[task_id].append(
                UnitMark(unit_id, unit, states.FIX_OVERDUE, when=when, period_number=number)
            )
        in_window = period_id in rank
        if in_window and judged.missing(row):
            missing[(task_id, unit_id)].add(rank[period_id])
        if in_window and rank[period_id] == 0:
            if judged.missing(row):
                what = states.MISSING
            elif judged.returned(row):
                what = states.RETURNED
            elif judged.late(row):
                what = "late"
            else:
                continue
            mark = UnitMark(unit_id, unit, what, when=row["period__end_date"], period_number=number)
            found.last_period[task_id].append(mark)
    for (task_id, unit_id), ranks in missing.items():
        streak = 0
        while streak in ranks:  # consecutive from the latest due period backwards
            streak += 1
        if streak:
            found.streaks[task_id].append(UnitMark(unit_id, names[unit_id], states.MISSING, count=streak))
    found.lead_percent = _lead_percent(campaign_ids, task_ids, judged.filed_q())
    return found


def _lead_percent(campaign_ids, task_ids, filed: Q) -> dict[int, float]:
    """Task → mean of its lead units' latest filed report's percent complete, one query: each lead
    assignment's latest filed report found through its obligations (as read_tasks does)."""
    latest = (
        # A report not a draft is filed (states.FILED): saying so lets PostgreSQL walk the
        # filed rows' index backwards by period number and stop at the first.
        Obligation.objects.filter(
            filed,
            task_id=OuterRef("task_id"),
            unit_id=OuterRef("unit_id"),
            state__in=states.FILED,
            report__isnull=False,
        )  # fmt: skip
        .exclude(report__status="draft")
        .order_by("-period_number")
        .values("report__percent_complete")[:1]
    )
    leads = TaskAssignment.objects.filter(task__campaign_id__in=campaign_ids, role=TaskAssignment.Role.LEAD)
    if task_ids is not None:
        leads = leads.filter(task_id__in=sorted(set(task_ids)))
    sums: dict[int, list[int]] = defaultdict(list)
    for task_id, percent in leads.annotate(percent=Subquery(latest)).order_by().values_list("task_id", "percent"):
        if percent is not None:
            sums[task_id].append(percent)
    return {task_id: sum(values) / len(values) for task_id, values in sums.items()}
