"""Each period's lights counted (PeriodLights), kept with the weekly lights it counts.

The writers of TaskLightWeek (lights.services.refresh, lights.history.backfill, and a task's
deletion through tasks.changes) call `recount` with the periods they wrote, in their own
transaction, after writing. The period rows are locked first (a missing one is created, waiting
for another transaction creating it, and locked in a second round), and the count is a statement
that starts after the lock was granted: under READ COMMITTED it sees every week row committed by
a transaction that held the lock before. Two writers of the same weeks therefore cannot leave a
count that misses one of them, and since every writer locks the week rows first and the period
rows second, they wait for each other rather than deadlock. `differences` recounts for a check.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, Q

from .models import Light, PeriodLights, TaskLightWeek

LIGHTS = tuple(Light.values)


def _counted(period_ids=None) -> dict[int, dict[str, int]]:
    """period → light → tasks, from the week rows of `period_ids` (None: every period); one query."""
    weeks = (
        TaskLightWeek.objects.all() if period_ids is None else TaskLightWeek.objects.filter(period_id__in=period_ids)
    )
    rows = (
        weeks.order_by()
        .values("period_id")
        .annotate(**{f"n_{light}": Count("pk", filter=Q(light=light)) for light in LIGHTS})
        .values_list("period_id", *(f"n_{light}" for light in LIGHTS))
    )
    return {period: dict(zip(LIGHTS, counts, strict=True)) for period, *counts in rows}


@transaction.atomic(savepoint=False)
def recount(period_ids: Iterable[int]) -> None:
    """Recount the lights of these periods from their week rows (four or five queries)."""
    periods = sorted(set(period_ids))
    if not periods:
        return
    rows = PeriodLights.objects.filter(period_id__in=periods)
    for attempt in range(2):
        locked = set(rows.select_for_update().order_by("period_id").values_list("period_id", flat=True))
        new = set(periods) - locked
        if not new or attempt:
            break
        PeriodLights.objects.bulk_create([PeriodLights(period_id=p) for p in sorted(new)], ignore_conflicts=True)
    counted = _counted(periods)
    if counted:
        PeriodLights.objects.bulk_create(
            [PeriodLights(period_id=p, **counts) for p, counts in counted.items()],
            update_conflicts=True, unique_fields=["period"], update_fields=list(LIGHTS),
        )  # fmt: skip
    empty = set(periods) - counted.keys()
    if empty:
        rows.filter(period_id__in=empty).delete()


def recount_campaigns(*, campaign_ids: Iterable[int]) -> None:
    """Tasks of these campaigns were deleted, and their week rows with them: recount the periods
    that had lights (registered with tasks.changes)."""
    recount(PeriodLights.objects.filter(period__campaign_id__in=list(campaign_ids)).values_list("pk", flat=True))


def differences() -> list[str]:
    """Every period whose stored counts are not its week rows counted (or missing, or extra)."""
    wanted = _counted()
    found = []
    for period, *counts in PeriodLights.objects.order_by("period_id").values_list("period_id", *LIGHTS):
        have, want = dict(zip(LIGHTS, counts, strict=True)), wanted.pop(period, None)
        if have != want:
            found.append(f"lights of period {period}: stored {have}, its weeks count {want}")
    found.extend(
        f"lights of period {period}: missing, its weeks count {want}" for period, want in sorted(wanted.items())
    )
    return found
