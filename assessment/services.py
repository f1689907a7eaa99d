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
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
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
    rows = (
        PeriodUnitSummary.objects.filter(campaign=campaign, period_id__in=due)
        .order_by()
        .values("unit_id", "period_id")
        .annotate(
            owed=Sum("owed"), unfiled=Sum("unfiled"), on_time=Sum("on_time"), late=Sum("late"), returns=Sum("returns")
        )  # fmt: skip
        .values_list("unit_id", "period_id", "owed", "on_time", "late", "unfiled", "returns")
    )
    return {(unit, period): rules.Counts(*counts) for unit, period, *counts in rows}


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
    # Tasks in their natural order (5.2 before 10): each line's task numbers come out in it.
    tasks = (
        Task.objects.filter(campaign=campaign)
        .order_by("sort_key")
        .values_list("pk", "number", "deadline", "original_deadline", "closed_at")
    )
    numbers = {}
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
                    found = counts.setdefault((unit_id, closed_in), rules.Counts())
                    found.closed_on_time.setdefault(role, []).append(number)
    place = {pk: index for index, pk in enumerate(numbers)}
    leads = {task_id: [unit for unit, role in assigned if role == rules.LEAD] for task_id, assigned in units.items()}
    weeks = TaskLightWeek.objects.filter(
        campaign=campaign, period_id__in=due, light__in=[Light.YELLOW, Light.RED]
    ).values_list("task_id", "period_id", "light")
    touched = set()
    for task_id, period_id, light in weeks:
        for unit_id in leads.get(task_id, ()):
            found = counts.setdefault((unit_id, period_id), rules.Counts())
            (found.red_weeks if light == Light.RED else found.yellow_weeks).append(task_id)
            touched.add((unit_id, period_id))
    for key in touched:  # task ids → numbers, in the tasks' order
        found = counts[key]
        found.red_weeks = [numbers[pk] for pk in sorted(found.red_weeks, key=place.__getitem__)]
        found.yellow_weeks = [numbers[pk] for pk in sorted(found.yellow_weeks, key=place.__getitem__)]


def counted(campaign, rule: rules.Rules, now: datetime.datetime) -> dict[tuple[int, int], rules.Counts]:
    """(unit, period) → what the unit did in the period, for every due period in which it owed
    reports or has a task line: six queries."""
    periods, due = _periods(campaign, now)
    counts = _ledger_counts(campaign, due)
    _task_lines(campaign, rule, periods, due, counts)
    return counts


def _fingerprint(rule_key: str, found: rules.Counts) -> str:
    """What a row's values follow from (the rules and the counts), hashed: a re-run compares
    fingerprints and builds lines only for the rows whose inputs changed (a city campaign has
    30,000 rows; reading them back, or lining them all, takes seconds)."""
    text = repr((
        rule_key, found.owed, found.on_time, found.late, found.missing, found.returns,
        sorted(found.overdue.items()), sorted(found.closed_on_time.items()), found.yellow_weeks, found.red_weeks,
    ))  # fmt: skip
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def row_values(found: rules.Counts, rule: rules.Rules, cache: dict) -> dict:
    """The UnitScore fields for one unit's period. The report lines repeat a few hundred count
    combinations over a city campaign's 30,000 periods: made once per run (`cache`)."""
    key = (found.on_time, found.late, found.missing, found.returns)
    made = cache.get(key)
    if made is None:
        report = rules.report_lines(found, rule)
        made = cache[key] = (report, *rules.points(report))
    report, bonus, deduction = made
    tasks = rules.task_lines(found, rule)
    if tasks:
        more_bonus, more_deduction = rules.points(tasks)
        bonus, deduction = bonus + more_bonus, deduction + more_deduction
    return {
        "rule_version": rule.version, "points": bonus - deduction, "bonus": bonus, "deduction": deduction,
        "lines": report + tasks, "owed": found.owed, "on_time": found.on_time, "late": found.late,
        "missing": found.missing, "returned": found.returns,
    }  # fmt: skip


def _totals(sums: dict[int, tuple[Decimal, Decimal]], rule: rules.Rules) -> dict[str, str]:
    """unit id (text) → its score through the last due period, by `rule`, from its bonus and
    deduction summed over the periods."""
    return {str(unit_id): str(rules.score(rule, bonus, deduction)) for unit_id, (bonus, deduction) in sums.items()}


_STORED = ("rule_version", "points", "bonus", "deduction", "lines", *COUNT_FIELDS)


def _write(campaign, rows: dict[tuple[int, int], dict], now) -> None:
    """Upsert the rows. On PostgreSQL one INSERT … SELECT FROM UNNEST … ON CONFLICT per batch with
    the values as arrays (Django's bulk_create spends seconds building 30,000 model instances);
    elsewhere bulk_create."""
    if connection.vendor != "postgresql":
        UnitScore.objects.bulk_create(
            [UnitScore(campaign=campaign, unit_id=u, period_id=p, computed_at=now, **row) for (u, p), row in rows.items()],
            batch_size=BATCH, update_conflicts=True, unique_fields=["campaign", "unit", "period"],
            update_fields=[*_STORED, "digest", "computed_at"],
        )  # fmt: skip
        return
    table = UnitScore._meta.db_table
    names = ["unit_id", "period_id", *_STORED, "digest"]
    types = ["int", "int", "int", "numeric", "numeric", "numeric", "jsonb", *["int"] * len(COUNT_FIELDS), "text"]
    unnest = ", ".join(f"%s::{kind}[]" for kind in types)
    sql = (
        f"INSERT INTO {table} (campaign_id, computed_at, {', '.join(names)}) "
        f"SELECT %s, %s, * FROM UNNEST({unnest}) "
        f"ON CONFLICT (campaign_id, unit_id, period_id) DO UPDATE SET "
        + ", ".join(f"{name} = EXCLUDED.{name}" for name in [*_STORED, "digest", "computed_at"])
    )
    items = list(rows.items())
    with connection.cursor() as cursor:
        for start in range(0, len(items), BATCH * 5):
            batch = items[start : start + BATCH * 5]
            columns = [[u for (u, _p), _row in batch], [p for (_u, p), _row in batch]]
            for name in [*_STORED, "digest"]:
                if name == "lines":
                    columns.append([json.dumps(row["lines"], ensure_ascii=False) for _key, row in batch])
                else:
                    columns.append([row[name] for _key, row in batch])
            cursor.execute(sql, [campaign.pk, now, *columns])


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
    counts = counted(campaign, rule, now)
    rule_key = repr(rule)
    fingerprints = {key: _fingerprint(rule_key, found) for key, found in counts.items()}
    stored_rows = UnitScore.objects.filter(campaign=campaign).order_by()
    stored = {(unit, period): (pk, digest) for pk, unit, period, digest in stored_rows.values_list(
        "pk", "unit_id", "period_id", "digest")}  # fmt: skip
    changes = [key for key, digest in fingerprints.items() if stored.get(key, (None, None))[1] != digest]
    gone = [pk for key, (pk, _digest) in stored.items() if key not in counts]
    # Totals before, and the old points of the rows about to change: the totals after follow.
    sums = {
        row["unit_id"]: [row["bonus"], row["deduction"]]
        for row in stored_rows.values("unit_id").annotate(bonus=Sum("bonus"), deduction=Sum("deduction"))
    }
    before = _totals(sums, _stored_rule(stored_rows, rule, campaign))
    replaced = [stored[key][0] for key in changes if key in stored] + gone
    for chunk in range(0, len(replaced), 10000):
        old = stored_rows.filter(pk__in=replaced[chunk : chunk + 10000]).values_list("unit_id", "bonus", "deduction")
        for unit_id, bonus, deduction in old:
            sums[unit_id][0] -= bonus
            sums[unit_id][1] -= deduction
    cache = {}
    rows = {}
    for key in changes:
        rows[key] = row_values(counts[key], rule, cache)
        rows[key]["digest"] = fingerprints[key]
        total = sums.setdefault(key[0], [Decimal(0), Decimal(0)])
        total[0] += rows[key]["bonus"]
        total[1] += rows[key]["deduction"]
    if rows:
        _write(campaign, rows, now)
    if gone:
        UnitScore.objects.filter(pk__in=gone).delete()
    units_now = {unit for unit, _period in counts}
    after = _totals({unit: total for unit, total in sums.items() if unit in units_now}, rule)
    changed = sum(1 for unit in before.keys() | after.keys() if before.get(unit) != after.get(unit))
    recomputation = None
    if reason or (changed and before):
        recomputation = Recomputation.objects.create(
            campaign=campaign, by=by, at=now, reason=reason or _("Scores changed with the ledger"),
            version_from=version_from if version_from is not None else rule.version, version_to=rule.version,
            before=before, after=after, changed=changed,
        )  # fmt: skip
    return Outcome(written=len(changes), deleted=len(gone), changed=changed, recomputation=recomputation)


def _stored_rule(stored_rows, rule: rules.Rules, campaign) -> rules.Rules:
    """The rules the stored rows were totalled by (their caps): the version they name."""
    versions = set(stored_rows.values_list("rule_version", flat=True).distinct())
    if len(versions) != 1 or versions == {rule.version}:
        return rule
    version = versions.pop()
    return rules_of(RuleSet.objects.filter(campaign=campaign, version=version).first() if version else None)


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
