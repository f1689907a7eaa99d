"""Rows a reporting period that count other rows (the ledger's summary per period, the lights
per period), recounted safely while other transactions write.

`recount` locks the periods' rows first (a missing row is created, waiting for another
transaction creating it, and locked in a second round), then counts with a statement that starts
after the lock was granted: under READ COMMITTED it sees every row committed by a transaction
that held the lock before, and a writer that has not reached the lock yet changes the recounted
row after. Writers take the counted rows first and the period rows second, so none deadlock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import models, transaction

BATCH = 5000


def recount(
    model: type[models.Model], period_ids: Iterable[int], count: Callable[[list[int]], dict[int, dict[str, int]]]
) -> None:
    """Make `model`'s rows (primary key `period`) of these periods what `count(periods)` says
    (period → field → value); a period it does not return loses its row. Four or five queries."""
    periods = sorted(set(period_ids))
    if not periods:
        return
    with transaction.atomic(savepoint=False):
        rows = model.objects.filter(period_id__in=periods)
        for attempt in range(2):
            locked = set(rows.select_for_update().order_by("period_id").values_list("period_id", flat=True))
            new = set(periods) - locked
            if not new or attempt:
                break
            model.objects.bulk_create([model(period_id=p) for p in sorted(new)], ignore_conflicts=True)
        counted = count(periods)
        if counted:
            fields = sorted({name for values in counted.values() for name in values})
            model.objects.bulk_create(
                [model(period_id=p, **values) for p, values in counted.items()],
                update_conflicts=True, unique_fields=["period"], update_fields=fields, batch_size=BATCH,
            )  # fmt: skip
        empty = set(periods) - counted.keys()
        if empty:
            rows.filter(period_id__in=empty).delete()
