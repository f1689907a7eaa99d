"""Each period's lights counted (PeriodLights), kept with the weekly lights it counts.

The writers of TaskLightWeek (lights.services.refresh, lights.history.backfill, and a task's
deletion through tasks.changes) call `recount` with the periods they wrote, in their own
transaction, after writing: the period rows are recounted under their locks (common.rollups), so
two writers of the same weeks cannot leave a count that misses one of them, and since every
writer locks the week rows first and the period rows second, they wait for each other rather
than deadlock. `differences` recounts for a check.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Q

from common import rollups

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


def recount(period_ids: Iterable[int]) -> None:
    """Recount the lights of these periods from their week rows (common.rollups.recount)."""
    rollups.recount(PeriodLights, period_ids, _counted)


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
