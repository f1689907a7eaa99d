"""The ledger summed per period × unit × role (PeriodUnitSummary), kept right by the ledger's writers.

Two ways of writing, both in the writer's transaction:

- `add`, `add_all`: obligations moved (a report saved, submitted, reviewed; several accepted
  together): their rows change by the difference of what each counted before and after, in one
  UPDATE of `x = x + d`.
  PostgreSQL re-reads the row under its lock, so two units' liaisons submitting at the same
  moment both count: increments never overwrite each other.
- `refresh`: anything else (periods opened, terms, reconcile, restate, repair, tasks deleted):
  the rows of the touched periods × units are locked first, then recomputed from the
  obligations by a statement that starts after the lock was granted. Under READ COMMITTED that
  statement sees every transaction that held the lock before, and a transaction still holding
  an obligation's lock has not yet added its delta (it will, to the recomputed row).

Each period's rows added up (PeriodSummary, a row per period for the weekly trends) change with
them: by the same differences summed per period after an `add`, recounted from the period's rows
under the period row's lock after a `refresh`. Every writer takes the rows per unit first and the
period's row second, so two writers cannot deadlock, and a recount waits for a writer that has
added to the period row (it then sees its rows) while a writer that has not yet done so adds its
difference to the recounted row afterwards.

`expected` and `differences` recompute the summary from the obligations for ledger_check, and
`rebuild` makes the table match (ledger_check --fix, seed_scale).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Case, Count, F, IntegerField, Q, Sum, Value, When
from django.db.models.functions import Coalesce

from common import rollups

from . import states
from .check import EVERYTHING, Scope
from .models import Obligation, PeriodSummary, PeriodUnitSummary

Key = tuple[int, int, str]  # period, unit, role
COUNTS = PeriodUnitSummary.COUNTS
BATCH = 5000


def _aggregates(prefix: str = "") -> dict:
    """The summary's counts as aggregates over obligations (`prefix`: the path to them)."""

    def n(condition: Q):
        return Count("pk", filter=condition)

    p = prefix
    return {
        "owed": Count("pk"),
        "unfiled": n(Q(**{f"{p}state__in": states.UNFILED})),
        "on_time": n(Q(**{f"{p}first_late": False})),
        "late": n(Q(**{f"{p}first_late": True})),
        "returned": n(Q(**{f"{p}state": states.RETURNED})),
        "resubmitted": n(Q(**{f"{p}state": states.RESUBMITTED})),
        "accepted": n(Q(**{f"{p}state": states.ACCEPTED})),
        "awaiting_review": n(Q(**{f"{p}state__in": states.AWAITING_REVIEW})),
        "returns": Coalesce(Sum(f"{p}returns"), 0),
        "fix_late": n(Q(**{f"{p}fix_late": True})),
        "stale": n(Q(**{f"{p}state__in": states.FILED, f"{p}report__stale": True})),
    }


def counted(obligation: Obligation, *, stale: bool) -> dict[str, int]:
    """What one obligation counts in its row (`stale`: its report is flagged 内容雷同)."""
    state = obligation.state
    return {
        "owed": 1,
        "unfiled": int(state in states.UNFILED),
        "on_time": int(obligation.first_late is False),
        "late": int(obligation.first_late is True),
        "returned": int(state == states.RETURNED),
        "resubmitted": int(state == states.RESUBMITTED),
        "accepted": int(state == states.ACCEPTED),
        "awaiting_review": int(state in states.AWAITING_REVIEW),
        "returns": obligation.returns,
        "fix_late": int(obligation.fix_late is True),
        "stale": int(state in states.FILED and stale),
    }


def _computed(obligations) -> dict[Key, dict]:
    """key → (campaign, counts) recomputed from `obligations`, in one query."""
    rows = (
        obligations.order_by()
        .values("period_id", "unit_id", "role", "campaign_id")
        .annotate(**_aggregates())
        .values_list("period_id", "unit_id", "role", "campaign_id", *COUNTS)
    )
    return {(p, u, r): {"campaign_id": c, **dict(zip(COUNTS, rest, strict=True))} for p, u, r, c, *rest in rows}


def add(obligation: Obligation, before: dict[str, int], after: dict[str, int]) -> None:
    """The obligation moved from counting `before` to `after`: its row changes by the difference
    (no statement when nothing changed, as for a draft saved again)."""
    add_all([(obligation, before, after)])


def add_all(moves: Iterable[tuple[Obligation, dict[str, int], dict[str, int]]]) -> None:
    """Several obligations moved (the office accepting reports together): their rows change by
    the differences, in one UPDATE whatever the number of rows (a CASE per count)."""
    deltas: dict[Key, dict[str, int]] = {}
    for obligation, before, after in moves:
        key = (obligation.period_id, obligation.unit_id, obligation.role)
        delta = deltas.setdefault(key, dict.fromkeys(COUNTS, 0))
        for name in COUNTS:
            delta[name] += after[name] - before[name]
    deltas = {key: {n: d for n, d in delta.items() if d} for key, delta in deltas.items()}
    deltas = {key: delta for key, delta in deltas.items() if delta}
    if not deltas:
        return

    def at(key: Key) -> Q:
        return Q(period_id=key[0], unit_id=key[1], role=key[2])

    changes = {}
    for name in {name for delta in deltas.values() for name in delta}:
        cases = [When(at(key), then=Value(delta[name])) for key, delta in deltas.items() if name in delta]
        changes[name] = F(name) + Case(*cases, default=Value(0), output_field=IntegerField())
    where = Q()
    for key in deltas:
        where |= at(key)
    updated = PeriodUnitSummary.objects.filter(where).update(**changes)
    if updated < len(deltas):  # a row missing (obligations written before the summary existed)
        refresh((period, unit) for period, unit, _role in deltas)
        return
    by_period: dict[int, dict[str, int]] = {}
    for (period, _unit, _role), delta in deltas.items():
        total = by_period.setdefault(period, {})
        for name, d in delta.items():
            total[name] = total.get(name, 0) + d
    _add_to_periods(by_period)


def _add_to_periods(by_period: dict[int, dict[str, int]]) -> None:
    """The period rows change by these differences, in one UPDATE (a CASE per count); a period
    without its row (or with a difference of nothing) is recounted instead."""
    by_period = {period: {n: d for n, d in delta.items() if d} for period, delta in by_period.items()}
    by_period = {period: delta for period, delta in by_period.items() if delta}
    if not by_period:
        return
    changes = {}
    for name in {name for delta in by_period.values() for name in delta}:
        cases = [When(period_id=p, then=Value(delta[name])) for p, delta in by_period.items() if name in delta]
        changes[name] = F(name) + Case(*cases, default=Value(0), output_field=IntegerField())
    updated = PeriodSummary.objects.filter(period_id__in=sorted(by_period)).update(**changes)
    if updated < len(by_period):
        _recount_periods(by_period)


def _recount_periods(periods: Iterable[int]) -> None:
    """Recompute the period rows of `periods` from their rows per unit, under the period rows'
    locks (common.rollups.recount); a period with no rows per unit left loses its row."""
    rollups.recount(PeriodSummary, periods, lambda ids: _added_up(PeriodUnitSummary.objects.filter(period_id__in=ids)))


def _added_up(unit_rows) -> dict[int, dict[str, int]]:
    """period → the rows per unit of `unit_rows` (a queryset) added up, one query."""
    return {
        period: dict(zip(COUNTS, counts, strict=True))
        for period, *counts in unit_rows.order_by()
        .values("period_id")
        .annotate(**{f"sum_{name}": Sum(name) for name in COUNTS})
        .values_list("period_id", *(f"sum_{name}" for name in COUNTS))
    }


def refresh(pairs: Iterable[tuple[int, int]]) -> None:
    """Recompute the rows of these (period, unit) pairs, every role, from the obligations.

    The rows are locked (in key order, so two refreshes cannot deadlock) before the counts are
    read; a key with obligations but no row yet gets a row first, and is locked with the rest
    (one more round), so that two transactions creating the same row cannot overwrite each
    other's counts. Four to six queries whatever the number of pairs."""
    pairs = set(pairs)
    if not pairs:
        return
    # Its own transaction when called outside one (a test factory); no savepoint inside one.
    with transaction.atomic(savepoint=False):
        _refresh(pairs)


def _refresh(pairs: set[tuple[int, int]]) -> None:
    periods = {period for period, _unit in pairs}
    units = {unit for _period, unit in pairs}
    # A superset of the pairs (their periods × their units) is as right and one simple filter.
    rows = PeriodUnitSummary.objects.filter(period_id__in=periods, unit_id__in=units)
    obligations = Obligation.objects.filter(period_id__in=periods, unit_id__in=units)
    for attempt in range(2):
        locked = set(
            rows.select_for_update()
            .order_by("period_id", "unit_id", "role")
            .values_list("period_id", "unit_id", "role")
        )
        fresh = _computed(obligations)
        new = fresh.keys() - locked
        if not new or attempt:
            break
        # Waits for another transaction inserting the same row, then takes it in the next round.
        PeriodUnitSummary.objects.bulk_create(
            [
                PeriodUnitSummary(period_id=p, unit_id=u, role=r, campaign_id=fresh[(p, u, r)]["campaign_id"])
                for p, u, r in new
            ],
            ignore_conflicts=True,
        )
    _store(fresh)
    gone = locked - fresh.keys()
    if gone:
        query = Q()
        for period, unit, role in gone:
            query |= Q(period_id=period, unit_id=unit, role=role)
        rows.filter(query).delete()
    _recount_periods(periods)


def _store(fresh: dict[Key, dict]) -> None:
    if fresh:
        PeriodUnitSummary.objects.bulk_create(
            [PeriodUnitSummary(period_id=p, unit_id=u, role=r, **values) for (p, u, r), values in fresh.items()],
            update_conflicts=True,
            unique_fields=["period", "unit", "role"],
            update_fields=["campaign", *COUNTS],
            batch_size=BATCH,
        )


def refresh_obligations(obligations) -> None:
    """Refresh the rows that the given obligations (a queryset, read now) count in."""
    refresh(obligations.order_by().values_list("period_id", "unit_id").distinct())


# ---- checking and rebuilding ------------------------------------------------------------------


def _in_scope(queryset, scope: Scope, *, summary: bool):
    if scope.campaign_ids is not None:
        queryset = queryset.filter(campaign_id__in=scope.campaign_ids)
    if scope.period_ids is not None:
        queryset = queryset.filter(period_id__in=scope.period_ids)
    if scope.task_ids is not None:
        # A task's rows are shared with the unit's other tasks: the rows of its periods × units.
        mine = Obligation.objects.filter(task_id__in=scope.task_ids)
        queryset = queryset.filter(period_id__in=mine.values("period_id"), unit_id__in=mine.values("unit_id"))
    return queryset


def expected(scope: Scope) -> dict[Key, dict]:
    """The summary as the obligations in `scope` say it should be."""
    return _computed(_in_scope(Obligation.objects.all(), scope, summary=False))


def differences(scope: Scope, *, limit: int | None = None) -> list[str]:
    """Every row of the stored summary that differs from `expected` (or is missing, or extra), and
    every period row that is not its rows per unit added up."""
    wanted = expected(scope)
    found = _period_differences(scope, limit=limit)
    if limit and len(found) >= limit:
        return found
    stored = _in_scope(PeriodUnitSummary.objects.all(), scope, summary=True).values_list(
        "period_id", "unit_id", "role", "campaign_id", *COUNTS
    )
    seen = set()
    for period, unit, role, campaign, *counts in stored.iterator(chunk_size=BATCH):
        key = (period, unit, role)
        seen.add(key)
        have = {"campaign_id": campaign, **dict(zip(COUNTS, counts, strict=True))}
        want = wanted.get(key)
        if want != have:
            found.append(f"summary of period {period}, unit {unit}, role {role!r}: stored {have}, expected {want}")
        if limit and len(found) >= limit:
            return found
    for period, unit, role in wanted.keys() - seen:
        found.append(
            f"summary of period {period}, unit {unit}, role {role!r}: missing, expected {wanted[(period, unit, role)]}"
        )
        if limit and len(found) >= limit:
            break
    return found


def _period_differences(scope: Scope, *, limit: int | None = None) -> list[str]:
    """Every period row (PeriodSummary) in `scope` that is not its rows per unit added up."""
    stored_rows, unit_rows = PeriodSummary.objects.all(), PeriodUnitSummary.objects.all()
    if scope.campaign_ids is not None:
        stored_rows = stored_rows.filter(period__campaign_id__in=scope.campaign_ids)
        unit_rows = unit_rows.filter(campaign_id__in=scope.campaign_ids)
    if scope.period_ids is not None:
        stored_rows = stored_rows.filter(period_id__in=scope.period_ids)
        unit_rows = unit_rows.filter(period_id__in=scope.period_ids)
    if scope.task_ids is not None:
        periods = Obligation.objects.filter(task_id__in=scope.task_ids).values("period_id")
        stored_rows = stored_rows.filter(period_id__in=periods)
        unit_rows = unit_rows.filter(period_id__in=periods)
    wanted = _added_up(unit_rows)
    found = []
    for period, *counts in stored_rows.order_by("period_id").values_list("period_id", *COUNTS):
        have, want = dict(zip(COUNTS, counts, strict=True)), wanted.pop(period, None)
        if have != want:
            found.append(f"summary of period {period}: stored {have}, its units' rows add up to {want}")
    found.extend(f"summary of period {period}: missing, its units' rows add up to {want}"
                 for period, want in sorted(wanted.items()))  # fmt: skip
    return found[:limit] if limit else found


def rebuild(scope: Scope) -> int:
    """Make the stored summary in `scope` what the obligations say (ledger_check --fix, seed_scale).
    Returns how many rows were written or deleted. Not for concurrent use: it takes no row locks
    beyond those of its own writes (run it where nothing else writes, or in a locked scope)."""
    if scope == EVERYTHING:
        return rebuild_all()
    wanted = expected(scope)
    stored = set(
        _in_scope(PeriodUnitSummary.objects.all(), scope, summary=True).values_list("period_id", "unit_id", "role")
    )
    _store(wanted)
    gone = stored - wanted.keys()
    for chunk_start in range(0, len(gone), 500):
        query = Q()
        for period, unit, role in list(gone)[chunk_start : chunk_start + 500]:
            query |= Q(period_id=period, unit_id=unit, role=role)
        PeriodUnitSummary.objects.filter(query).delete()
    _recount_periods({period for period, _unit, _role in wanted.keys() | gone})
    return len(wanted) + len(gone)


def _sql_counts() -> str:
    """The counts as SQL over obligations `o` left-joined to their reports `r` (portable: SUM of
    CASE, not FILTER), in COUNTS order."""
    unfiled, filed, awaiting = (", ".join(f"'{s}'" for s in group) for group in
                                (states.UNFILED, states.FILED, states.AWAITING_REVIEW))  # fmt: skip

    def n(condition: str) -> str:
        return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"

    return ", ".join([
        "COUNT(*)", n(f"o.state IN ({unfiled})"), n("NOT o.first_late"), n("o.first_late"),
        n(f"o.state = '{states.RETURNED}'"), n(f"o.state = '{states.RESUBMITTED}'"),
        n(f"o.state = '{states.ACCEPTED}'"), n(f"o.state IN ({awaiting})"), "SUM(o.returns)",
        n("o.fix_late"), n(f"o.state IN ({filed}) AND r.stale"),
    ])  # fmt: skip


def rebuild_all() -> int:
    """The whole summary recomputed in one INSERT … SELECT … GROUP BY (seed_scale, a city's
    ledger_check --fix): a million obligations take seconds, not a round trip of every row.
    Nothing else may write the ledger meanwhile (the table is emptied first). Returns the rows."""
    summary_table = PeriodUnitSummary._meta.db_table
    columns = ", ".join(["campaign_id", "period_id", "unit_id", "role", *COUNTS])
    sql = (
        f"INSERT INTO {summary_table} ({columns}) "
        f"SELECT o.campaign_id, o.period_id, o.unit_id, o.role, {_sql_counts()} "
        f"FROM {Obligation._meta.db_table} o "
        f"LEFT JOIN {Obligation._meta.get_field('report').related_model._meta.db_table} r ON r.id = o.report_id "
        "GROUP BY o.campaign_id, o.period_id, o.unit_id, o.role "
        # Written in campaign order: a campaign's rows then lie together on disk, and a dashboard
        # reads a few hundred pages instead of a few from every page of the table.
        "ORDER BY o.campaign_id, o.period_id, o.unit_id, o.role"
    )
    period_table = PeriodSummary._meta.db_table
    sums = ", ".join(f"SUM({name})" for name in COUNTS)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {summary_table}")
        cursor.execute(sql)
        written = cursor.rowcount
        cursor.execute(f"DELETE FROM {period_table}")
        cursor.execute(
            f"INSERT INTO {period_table} (period_id, {', '.join(COUNTS)}) "
            f"SELECT period_id, {sums} FROM {summary_table} GROUP BY period_id ORDER BY period_id"
        )
        return written
