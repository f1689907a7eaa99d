"""Reads of the assessment: the ranking of a campaign's units and one unit's score line by line.

Both read the stored UnitScore rows (assessment.services.scores_compute writes them) through
accounts.access.visible_to(user, "assessment.UnitScore"), so a unit's liaison reads only its own
units' rows. A fixed number of queries, whatever the number of units and periods.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum

from accounts import access
from campaigns import periods as campaign_periods
from campaigns.models import ReportingPeriod
from units.models import Unit

from . import rules
from .models import Recomputation, RuleSet, UnitScore
from .services import current_rule_set, rules_of

_SUMS = ("bonus", "deduction", "owed", "on_time", "late", "missing", "returned")


@dataclass(frozen=True)
class RankRow:
    rank: int
    unit: Unit
    score: Decimal
    bonus: Decimal  # summed, before the cap
    deduction: Decimal
    on_time_rate: Decimal | None  # percent, one decimal; None when nothing was owed
    owed: int
    filed: int
    on_time: int
    late: int
    missing: int
    returned: int


def due_periods(campaign, now: datetime.datetime | None = None) -> list[ReportingPeriod]:
    """The campaign's due periods, by number (what a score can be asked through)."""
    return list(campaign_periods.due(ReportingPeriod.objects.filter(campaign=campaign), now).order_by("number"))


def _rows(user, campaign, period):
    rows = access.visible_to(user, UnitScore).filter(campaign=campaign)
    if period is not None:
        rows = rows.filter(period__number__lte=period.number)
    return rows.order_by()


_CURRENT = object()


def ranking(user, campaign, *, period: ReportingPeriod | None = None, rule_set=_CURRENT) -> list[RankRow]:
    """The units' standing through `period` (all due periods by default), best first: by score,
    ties by the rules' tie-break, true ties sharing a rank (1, 2, 2, 4). Three queries."""
    # `rule_set`: the campaign's current one when the caller has read it already (None: the defaults).
    rule = rules_of(current_rule_set(campaign) if rule_set is _CURRENT else rule_set)
    sums = list(_rows(user, campaign, period).values("unit_id").annotate(**{name: Sum(name) for name in _SUMS}))
    units = Unit.objects.in_bulk([row["unit_id"] for row in sums])
    by_unit = {row["unit_id"]: row for row in sums}
    standings = [
        rules.Standing(
            unit_id=row["unit_id"],
            score=rules.score(rule, row["bonus"], row["deduction"]),
            owed=row["owed"],
            on_time=row["on_time"],
            missing=row["missing"],
            order=(units[row["unit_id"]].sort_order, units[row["unit_id"]].name),
        )  # fmt: skip
        for row in sums
    ]
    result = []
    for place, standing in rules.rank(standings, rule.tie_break):
        row = by_unit[standing.unit_id]
        result.append(
            RankRow(
                rank=place,
                unit=units[standing.unit_id],
                score=standing.score,
                bonus=row["bonus"],
                deduction=row["deduction"],
                on_time_rate=standing.on_time_rate,
                owed=row["owed"],
                filed=row["owed"] - row["missing"],
                on_time=row["on_time"],
                late=row["late"],
                missing=row["missing"],
                returned=row["returned"],
            )  # fmt: skip
        )
    return result


@dataclass
class PeriodLines:
    period: ReportingPeriod
    lines: list[dict]
    points: Decimal
    running: Decimal  # the score through this period (caps applied to the totals so far)


@dataclass
class ScoreSheet:
    """How one unit's score was made: the rules, each period's lines (newest first) and the total."""

    rule: rules.Rules
    rule_set: RuleSet | None
    periods: list[PeriodLines] = field(default_factory=list)
    bonus: Decimal = Decimal(0)
    deduction: Decimal = Decimal(0)
    score: Decimal = Decimal(0)
    capped: bool = False  # a cap or bound changed the total


def score_lines(user, campaign, unit, *, period: ReportingPeriod | None = None) -> ScoreSheet:
    """The unit's lines per due period through `period` (all by default) and its total, as the
    user may see them (nothing for someone who may not see the unit's scores). Two queries."""
    rule_set = current_rule_set(campaign)
    rule = rules_of(rule_set)
    rows = _rows(user, campaign, period).filter(unit=unit).select_related("period").order_by("period__number")
    sheet = ScoreSheet(rule=rule, rule_set=rule_set)
    for row in rows:
        sheet.bonus += row.bonus
        sheet.deduction += row.deduction
        sheet.periods.append(
            PeriodLines(row.period, row.lines, row.points, rules.score(rule, sheet.bonus, sheet.deduction))
        )
    sheet.periods.reverse()
    sheet.score = rules.score(rule, sheet.bonus, sheet.deduction)
    sheet.capped = sheet.score != (rule.base_score + sheet.bonus - sheet.deduction).quantize(rules.CENT)
    return sheet


@dataclass
class LogEntry:
    recomputation: object
    diffs: list[tuple[Unit | None, str | None, str | None]]  # (unit, before, after) of the units changed


def rule_versions(campaign, *, limit: int = 20) -> list[RuleSet]:
    """The campaign's rule versions, newest first, with who saved each (the rules page). One query."""
    return list(RuleSet.objects.filter(campaign=campaign).select_related("created_by").order_by("-version")[:limit])


def recomputation_log(campaign, *, limit: int = 20) -> list[LogEntry]:
    """The campaign's latest recomputations, each with the units whose total changed (before →
    after), for the office's rules page. Two queries."""
    entries = list(Recomputation.objects.filter(campaign=campaign).select_related("by").order_by("-at", "-pk")[:limit])
    changed = {}
    for entry in entries:
        changed[entry.pk] = sorted(
            (int(unit), entry.before.get(unit), entry.after.get(unit))
            for unit in entry.before.keys() | entry.after.keys()
            if entry.before.get(unit) != entry.after.get(unit)
        )
    units = Unit.objects.in_bulk({unit for diffs in changed.values() for unit, _b, _a in diffs})
    return [
        LogEntry(entry, [(units.get(unit), before, after) for unit, before, after in changed[entry.pk]])
        for entry in entries
    ]
