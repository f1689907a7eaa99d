"""Writes of the assessment: computing a campaign's scores, and a new version of its rules.

`scores_compute` is set-based: a handful of queries read the ledger's summary per period × unit
(tasks.ledger PeriodUnitSummary), the tasks with their approved extensions and units, and the
weekly lights (lights.TaskLightWeek); assessment.rules turns them into lines; only the rows
that differ from the stored ones are written (in bulk), and rows no longer due any points are
deleted. The result depends only on the data, the rules and the moment: a re-run writes
nothing. The campaign's row is locked first, so two runs at once (the beat job and the office
saving rules) run one after the other.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import access
from campaigns.models import Campaign, ReportingPeriod
from lights.models import Light, TaskLightWeek
from tasks.ledger.models import PeriodUnitSummary
from tasks.ledger.read import ensure_open
from tasks.models import Decision, ExtensionRequest, Task, TaskAssignment

from . import rules
from .models import Recomputation, RuleSet, UnitScore

BATCH = 2000
COUNT_FIELDS = ("owed", "on_time", "late", "missing", "returned")


def current_rule_set(campaign) -> RuleSet | None:
    return RuleSet.objects.filter(campaign=campaign).order_by("-version").first()


def rules_of(rule_set: RuleSet | None) -> rules.Rules:
    """The arithmetic's rules for a saved version, or the defaults (version 0)."""
    if rule_set is None:
        return rules.Rules(**RuleSet.DEFAULTS, version=0)
    return rules.Rules(**rule_set.values(), version=rule_set.version)


@dataclass(frozen=True)
class Outcome:
    written: int  # rows created or changed
    deleted: int
    changed: int  # units whose total through the last due period changed
    recomputation: Recomputation | None


def _periods(campaign, now):
    periods = list(ReportingPeriod.objects.filter(campaign=campaign).order_by("number").values_list("pk", "due_at"))
    due = {pk for pk, due_at in periods if due_at <= now}
    return periods, due


def _ledger_counts(campaign, due) -> dict[tuple[int, int], rules.Counts]:
    """(unit, period) → counts from the ledger's summary (every role summed): one query."""
    found = {}
    rows = (
        PeriodUnitSummary.objects.filter(campaign=campaign, period_id__in=due)
        .order_by()
        .values("unit_id", "period_id")
        .annotate(
            owed=Sum("owed"), unfiled=Sum("unfiled"), on_time=Sum("on_time"), late=Sum("late"), returns=Sum("returns")
        )  # fmt: skip
    )
    for row in rows:
        found[(row["unit_id"], row["period_id"])] = rules.Counts(
            owed=row["owed"], on_time=row["on_time"], late=row["late"], missing=row["unfiled"], returns=row["returns"]
        )
    return found


def _task_lines(campaign, rule: rules.Rules, periods, due, counts) -> None:
    """Add the task lines (overdue, closed on time, light-weeks) to `counts`: four queries."""
    approvals = defaultdict(list)
    for task_id, decided_at, new_deadline in ExtensionRequest.objects.filter(
        task__campaign=campaign, status=Decision.APPROVED, decided_at__isnull=False
    ).values_list("task_id", "decided_at", "requested_deadline"):
        approvals[task_id].append((timezone.localdate(decided_at), new_deadline))
    units = defaultdict(list)
    for task_id, unit_id, role in TaskAssignment.objects.filter(task__campaign=campaign).values_list(
        "task_id", "unit_id", "role"
    ):
        units[task_id].append((unit_id, role))
    by_due_day = [(pk, timezone.localdate(due_at)) for pk, due_at in periods]
    numbers = {}
    tasks = Task.objects.filter(campaign=campaign).values_list(
        "pk", "number", "deadline", "original_deadline", "closed_at"
    )
    for pk, number, deadline, original, closed_at in tasks:
        numbers[pk] = number
        deadline = rules.effective_deadline(
            current=deadline, original=original, approvals=approvals.get(pk, ()), rule=rule.extension_rule
        )
        closed_on = timezone.localdate(closed_at) if closed_at else None
        late_in = rules.overdue_period(deadline, closed_on, by_due_day)
        if late_in in due:
            for unit_id, role in units.get(pk, ()):
                counts.setdefault((unit_id, late_in), rules.Counts()).overdue.setdefault(role, []).append(number)
        if rules.closed_on_time(deadline, closed_on):
            closed_in = rules.closing_period(closed_at, periods)
            if closed_in in due:
                for unit_id, role in units.get(pk, ()):
                    counts.setdefault((unit_id, closed_in), rules.Counts()).closed_on_time.setdefault(role, []).append(
                        number
                    )
    weeks = TaskLightWeek.objects.filter(
        campaign=campaign, period_id__in=due, light__in=[Light.YELLOW, Light.RED]
    ).values_list("task_id", "period_id", "light")
    for task_id, period_id, light in weeks.iterator(chunk_size=BATCH):
        for unit_id, role in units.get(task_id, ()):
            if role != rules.LEAD:
                continue
            found = counts.setdefault((unit_id, period_id), rules.Counts())
            (found.red_weeks if light == Light.RED else found.yellow_weeks).append(numbers[task_id])


def computed(campaign, rule: rules.Rules, now: datetime.datetime) -> dict[tuple[int, int], dict]:
    """(unit, period) → the UnitScore fields as the data says now, for every due period in which
    the unit owed reports or has a task line."""
    periods, due = _periods(campaign, now)
    counts = _ledger_counts(campaign, due)
    _task_lines(campaign, rule, periods, due, counts)
    result = {}
    for key, found in counts.items():
        made = rules.lines(found, rule)
        bonus, deduction = rules.points(made)
        result[key] = {
            "rule_version": rule.version, "points": bonus - deduction, "bonus": bonus, "deduction": deduction,
            "lines": made, "owed": found.owed, "on_time": found.on_time, "late": found.late,
            "missing": found.missing, "returned": found.returns,
        }  # fmt: skip
    return result


def _totals(rows: dict[tuple[int, int], dict], rule: rules.Rules) -> dict[str, str]:
    """unit id (text) → its score through the last due period, by `rule`."""
    sums = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for (unit_id, _period_id), row in rows.items():
        sums[unit_id][0] += row["bonus"]
        sums[unit_id][1] += row["deduction"]
    return {str(unit_id): str(rules.score(rule, bonus, deduction)) for unit_id, (bonus, deduction) in sums.items()}


_STORED = ("rule_version", "points", "bonus", "deduction", "lines", *COUNT_FIELDS)


@transaction.atomic
def scores_compute(*, campaign, now=None, by=None, reason: str = "", version_from: int | None = None) -> Outcome:
    """Compute the campaign's scores as of `now` and store the rows that changed. A Recomputation
    is recorded when a reason is given (a rule change, the office recomputing) or when units'
    totals changed under the same rules (a decision revoked, a report reviewed late): every
    change of a score is traceable. Returns what was written."""
    now = now or timezone.now()
    ensure_open([campaign.pk], now)  # locks periods and campaigns first, as every writer does
    # Two runs at once (the job, the office saving rules) queue here and the second finds nothing to do.
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    rule = rules_of(current_rule_set(campaign))
    wanted = computed(campaign, rule, now)
    stored = {
        (row["unit_id"], row["period_id"]): row
        for row in UnitScore.objects.filter(campaign=campaign).values("pk", "unit_id", "period_id", *_STORED)
    }
    before = _totals(stored, _stored_rule(stored, rule, campaign))
    changes = [key for key, row in wanted.items() if key not in stored or _differs(stored[key], row)]
    if changes:
        UnitScore.objects.bulk_create(
            [UnitScore(campaign=campaign, unit_id=u, period_id=p, computed_at=now, **wanted[(u, p)]) for u, p in changes],
            batch_size=BATCH, update_conflicts=True, unique_fields=["campaign", "unit", "period"],
            update_fields=[*_STORED, "computed_at"],
        )  # fmt: skip
    gone = [row["pk"] for key, row in stored.items() if key not in wanted]
    if gone:
        UnitScore.objects.filter(pk__in=gone).delete()
    after = _totals(wanted, rule)
    changed = sum(1 for unit in before.keys() | after.keys() if before.get(unit) != after.get(unit))
    recomputation = None
    if reason or (changed and before):
        recomputation = Recomputation.objects.create(
            campaign=campaign, by=by, at=now, reason=reason or _("Scores changed with the ledger"),
            version_from=version_from if version_from is not None else rule.version, version_to=rule.version,
            before=before, after=after, changed=changed,
        )  # fmt: skip
    return Outcome(written=len(changes), deleted=len(gone), changed=changed, recomputation=recomputation)


def _stored_rule(stored, rule: rules.Rules, campaign) -> rules.Rules:
    """The rules the stored rows were totalled by (their caps): the version they name."""
    versions = {row["rule_version"] for row in stored.values()}
    if len(versions) != 1 or versions == {rule.version}:
        return rule
    return rules_of(RuleSet.objects.filter(campaign=campaign, version=versions.pop()).first())


def _differs(stored: dict, wanted: dict) -> bool:
    return any(stored[name] != wanted[name] for name in _STORED)


def _clean_values(fields: dict) -> dict:
    """The rule fields, checked as the model checks them (a clear message per field)."""
    unknown = set(fields) - set(RuleSet.FIELDS)
    if unknown:
        raise TypeError(f"unknown rule fields: {sorted(unknown)}")
    values = {**RuleSet.DEFAULTS, **fields}
    for name in RuleSet.FIELDS:
        value = values[name]
        if isinstance(value, (int, float, str)) and name not in ("tie_break", "extension_rule"):
            values[name] = Decimal(str(value))
    return values


@transaction.atomic
def rules_update(*, campaign, by, now=None, note: str = "", **fields) -> RuleSet:
    """The office saves the campaign's rules: a new version (N+1) if they differ from the current
    ones (or from the defaults), the scores recomputed and the recomputation recorded, all in one
    transaction. The same values posted twice (a double click) make no second version and
    recompute nothing: the current version is returned."""
    if not access.can(by, "edit_assessment", campaign):
        raise PermissionDenied
    now = now or timezone.now()
    ensure_open([campaign.pk], now)
    # Locked before the latest version is read: two saves at once number their versions in turn.
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    values = _clean_values(fields)
    current = current_rule_set(campaign)
    if current is not None and values == current.values():
        return current
    rule_set = RuleSet(
        campaign=campaign, version=(current.version if current else 0) + 1, created_by=by, created_at=now,
        note=note.strip(), **values,
    )  # fmt: skip
    if (
        values["min_score"] is not None
        and values["max_score"] is not None
        and values["min_score"] > values["max_score"]
    ):
        raise ValidationError({"max_score": _("The highest score must not be below the lowest score.")})
    rule_set.full_clean(exclude=["campaign"])
    rule_set.save()
    scores_compute(
        campaign=campaign, now=now, by=by, version_from=current.version if current else 0,
        reason=_("Rules changed to version %(version)s") % {"version": rule_set.version},
    )  # fmt: skip
    return rule_set


def compute_active(*, now=None) -> dict[str, Outcome]:
    """Every active campaign's scores (the beat job): campaign code → what was written."""
    now = now or timezone.now()
    return {
        campaign.code: scores_compute(campaign=campaign, now=now)
        for campaign in Campaign.objects.filter(status=Campaign.Status.ACTIVE).order_by("pk")
    }
