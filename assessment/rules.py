"""The assessment's arithmetic, with no database: counts → lines → points → score → ranks.

Each function takes plain values (a `Rules`, counts, dates) so that every rule is tested on its
own. assessment.services gathers the counts from the ledger and stores the lines; the pages put
the lines into words (assessment.explain) in the reader's language.

Decisions the office should know (README, 考核):
- a task not closed by its deadline is deducted once, in the first period due after the deadline
  (not again every week: its red light-weeks already count each week it stays overdue);
- a task closed by its deadline earns its points in the period in which it was closed;
- task lines (overdue, closed on time) count for lead units × the lead coefficient and for
  supporting units × the support coefficient; light-weeks count for the lead units of the task;
- caps apply to the totals through a period, not to each period.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

LEAD, SUPPORT = "lead", "support"

# Line codes, in the order a unit's page shows them. Bonus lines add, the others deduct.
ON_TIME = "on_time"
LATE = "late"
MISSING = "missing"
RETURNED = "returned"
OVERDUE_TASK = "overdue_task"
CLOSED_ON_TIME = "closed_on_time"
YELLOW_WEEK = "yellow_week"
RED_WEEK = "red_week"
CODES = (ON_TIME, LATE, MISSING, RETURNED, CLOSED_ON_TIME, OVERDUE_TASK, YELLOW_WEEK, RED_WEEK)
BONUS = frozenset({ON_TIME, CLOSED_ON_TIME})

# Which rule field prices each line.
PRICE = {
    ON_TIME: "on_time_points",
    LATE: "late_deduction",
    MISSING: "missing_deduction",
    RETURNED: "returned_deduction",
    OVERDUE_TASK: "overdue_task_deduction",
    CLOSED_ON_TIME: "closed_on_time_points",
    YELLOW_WEEK: "yellow_deduction",
    RED_WEEK: "red_deduction",
}

ORIGINAL, CURRENT = "original", "current"  # RuleSet.ExtensionRule
ON_TIME_RATE, SHARED = "on_time_rate", "shared"  # RuleSet.TieBreak

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Rules:
    """A rule table's values (RuleSet.FIELDS) and its version (0: the defaults)."""

    base_score: Decimal
    on_time_points: Decimal
    late_deduction: Decimal
    missing_deduction: Decimal
    returned_deduction: Decimal
    overdue_task_deduction: Decimal
    yellow_deduction: Decimal
    red_deduction: Decimal
    closed_on_time_points: Decimal
    lead_coefficient: Decimal
    support_coefficient: Decimal
    max_bonus: Decimal | None
    max_deduction: Decimal | None
    min_score: Decimal | None
    max_score: Decimal | None
    tie_break: str = ON_TIME_RATE
    extension_rule: str = ORIGINAL
    version: int = 0

    def coefficient(self, role: str) -> Decimal:
        return self.lead_coefficient if role == LEAD else self.support_coefficient


@dataclass
class Counts:
    """What one unit did in one period: the ledger's counts (every role together) and the task
    numbers behind each task line, by role."""

    owed: int = 0
    on_time: int = 0
    late: int = 0
    missing: int = 0
    returns: int = 0
    overdue: dict[str, list[str]] = field(default_factory=dict)  # role → task numbers
    closed_on_time: dict[str, list[str]] = field(default_factory=dict)
    yellow_weeks: list[str] = field(default_factory=list)  # task numbers led, yellow in the period
    red_weeks: list[str] = field(default_factory=list)


def _line(code: str, count: int, rules: Rules, *, role: str = "", tasks: Sequence[str] = ()) -> dict:
    each = getattr(rules, PRICE[code])
    coefficient = rules.coefficient(role) if role else Decimal(1)
    total = (each * coefficient * count).quantize(CENT)
    if code not in BONUS:
        total = -total
    return {
        "code": code, "role": role, "count": count, "points_each": str(each), "coefficient": str(coefficient),
        "total": str(total), "tasks": sorted(tasks, key=_number_key),
    }  # fmt: skip


def _number_key(number: str):
    return [int(part) if part.isdigit() else part for part in number.replace("(", ".").replace(")", "").split(".")]


def lines(counts: Counts, rules: Rules) -> list[dict]:
    """The lines of one unit's period: one per code (and role, for task lines) with a count,
    in CODES order. A line worth nothing (a count of 0) is left out."""
    found = []
    for code, count in ((ON_TIME, counts.on_time), (LATE, counts.late), (MISSING, counts.missing),
                        (RETURNED, counts.returns)):  # fmt: skip
        if count:
            found.append(_line(code, count, rules))
    for code, by_role in ((CLOSED_ON_TIME, counts.closed_on_time), (OVERDUE_TASK, counts.overdue)):
        for role in (LEAD, SUPPORT):
            numbers = by_role.get(role) or []
            if numbers:
                found.append(_line(code, len(numbers), rules, role=role, tasks=numbers))
    for code, numbers in ((YELLOW_WEEK, counts.yellow_weeks), (RED_WEEK, counts.red_weeks)):
        if numbers:
            found.append(_line(code, len(numbers), rules, role=LEAD, tasks=numbers))
    return found


def points(found: Iterable[dict]) -> tuple[Decimal, Decimal]:
    """(bonus, deduction) of a period's lines: the positive totals summed, the negative ones
    summed as a positive number."""
    bonus = deduction = Decimal(0)
    for line in found:
        total = Decimal(line["total"])
        if total >= 0:
            bonus += total
        else:
            deduction -= total
    return bonus, deduction


def score(rules: Rules, bonus: Decimal, deduction: Decimal) -> Decimal:
    """A unit's score from its bonus and deduction summed over the periods so far: the base, the
    bonus up to max_bonus, minus the deduction up to max_deduction, kept within min/max score."""
    if rules.max_bonus is not None:
        bonus = min(bonus, rules.max_bonus)
    if rules.max_deduction is not None:
        deduction = min(deduction, rules.max_deduction)
    total = rules.base_score + bonus - deduction
    if rules.min_score is not None:
        total = max(total, rules.min_score)
    if rules.max_score is not None:
        total = min(total, rules.max_score)
    return total.quantize(CENT)


# ---- deadlines and the period a task line falls in -----------------------------------------


def effective_deadline(
    *,
    current: datetime.date | None,
    original: datetime.date | None,
    approvals: Iterable[tuple[datetime.date, datetime.date]],
    rule: str,
) -> datetime.date | None:
    """The deadline a task is scored against. `approvals`: (day approved, new deadline) of each
    approved extension. CURRENT: the task's deadline now. ORIGINAL (the default): the original
    deadline, moved only by extensions approved on or before the deadline they moved (an
    extension approved once the deadline had passed does not excuse the lateness)."""
    approvals = sorted(approvals)
    if rule == CURRENT or not approvals:
        return current
    deadline = original or current
    for approved_on, new_deadline in approvals:
        if deadline is None or approved_on <= deadline:
            deadline = new_deadline if deadline is None else max(deadline, new_deadline)
    return deadline


def overdue_period(
    deadline: datetime.date | None, closed_on: datetime.date | None, periods: Sequence[tuple[int, datetime.date]]
) -> int | None:
    """The period (of `periods`: (id, local due day), by number) in which a task not closed by
    its deadline is deducted: the first due after the deadline's day; None when it was closed in
    time, has no deadline, or no period comes after its deadline."""
    if deadline is None or (closed_on is not None and closed_on <= deadline):
        return None
    return next((pk for pk, due_on in periods if due_on > deadline), None)


def closed_on_time(deadline: datetime.date | None, closed_on: datetime.date | None) -> bool:
    """Closed off (销号) by its deadline (a task with no deadline closed off is on time)."""
    return closed_on is not None and (deadline is None or closed_on <= deadline)


def closing_period(closed_at: datetime.datetime, periods: Sequence[tuple[int, datetime.datetime]]) -> int | None:
    """The period (of `periods`: (id, due moment), by number) a closing falls in: the first due
    at or after it; closed after the last period: the last."""
    if not periods:
        return None
    return next((pk for pk, due_at in periods if due_at >= closed_at), periods[-1][0])


# ---- ranks ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    """What ranks a unit: its score, its rates, and its place in the directory's official order."""

    unit_id: int
    score: Decimal
    owed: int
    on_time: int
    missing: int
    order: tuple  # (sort_order, name): the directory's order, the last tie-break (display only)

    @property
    def on_time_rate(self) -> Decimal | None:
        if not self.owed:
            return None
        return (Decimal(self.on_time) * 100 / self.owed).quantize(Decimal("0.1"))


def _merit(standing: Standing, tie_break: str) -> tuple:
    """Higher is better. Equal merits share a rank (the directory's order only lists them)."""
    if tie_break == SHARED:
        return (standing.score,)
    # Compared exactly: two units at 2/3 tie, whatever a float would say.
    rate = Fraction(standing.on_time, standing.owed) if standing.owed else Fraction(-1)
    return (standing.score, rate, -standing.missing)


def rank(standings: Iterable[Standing], tie_break: str) -> list[tuple[int, Standing]]:
    """(rank, standing), best first: by score, then by the tie-break; equals share a rank and the
    next rank skips (1, 2, 2, 4); equals are listed in the directory's order."""
    ordered = sorted(standings, key=lambda s: s.order)
    ordered.sort(key=lambda s: _merit(s, tie_break), reverse=True)
    ranked, previous, place = [], None, 0
    for index, standing in enumerate(ordered, start=1):
        merit = _merit(standing, tie_break)
        if merit != previous:
            place, previous = index, merit
        ranked.append((place, standing))
    return ranked
