"""Reads of the lights, for lists, dashboards and the task page. Callers pass querysets of tasks
that went through accounts.access.visible_to already; the lights follow the tasks.

A task not computed yet (no TaskLight row: created since the last refresh) reads as green while
open and closed once closed off, so counts always add up to the number of tasks.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Case, CharField, Count, IntegerField, JSONField, QuerySet, Value, When
from django.db.models.functions import Coalesce

from accounts import access

from .models import SEVERITY, Light, PeriodLights, TaskLightWeek


def light_expression():
    """A task's light as an SQL expression over tasks (closed off wins over a stale stored light)."""
    return Case(
        When(status="closed", then=Value(Light.CLOSED.value)),
        default=Coalesce("stored_light__light", Value(Light.GREEN.value)),
        output_field=CharField(),
    )


def rank_expression(field: str = "light"):
    """SEVERITY as an SQL expression over an annotated light (red 0 … closed 3)."""
    return Case(
        *(When(**{field: light.value}, then=Value(rank)) for light, rank in SEVERITY.items()),
        default=Value(SEVERITY[Light.GREEN]),
        output_field=IntegerField(),
    )


def with_light(tasks: QuerySet) -> QuerySet:
    """`tasks` annotated with `light` and `light_rank` (order_by("light_rank") puts red first),
    and `light_reasons` (the stored reasons; None when not computed yet)."""
    return tasks.annotate(
        light=light_expression(), light_reasons=Coalesce("stored_light__reasons", Value([], output_field=JSONField()))
    ).annotate(light_rank=rank_expression())


def counts(tasks: QuerySet) -> dict[str, int]:
    """How many of `tasks` have each light, every light present (0 when none). One query."""
    found = dict.fromkeys(Light.values, 0)
    rows = tasks.order_by().annotate(_light=light_expression()).values("_light").annotate(n=Count("pk"))
    for row in rows:
        found[row["_light"]] = row["n"]
    return found


def weekly_counts(campaign_ids, user=None, *, since=None) -> list[tuple[datetime.date, dict[str, int]]]:
    """Per reporting week (the period's end date, oldest first), how many tasks of the campaigns
    had each light that week. One query; weeks of several campaigns ending the same day add up.
    With `user`, only the tasks the user may see are counted; with `since` (a date), only the
    weeks ending that day or later (a dashboard's recent weeks, not every week's rows)."""
    weeks: dict[datetime.date, dict[str, int]] = defaultdict(lambda: dict.fromkeys(Light.values, 0))
    if user is None:
        # Every task: the periods' counts (PeriodLights), a row a week instead of one per task.
        counted = PeriodLights.objects.filter(period__campaign_id__in=list(campaign_ids))
        if since is not None:
            counted = counted.filter(period__end_date__gte=since)
        for end_date, *counts in counted.order_by().values_list("period__end_date", *Light.values):
            for light, n in zip(Light.values, counts, strict=True):
                weeks[end_date][light] += n
        return sorted((day, counts) for day, counts in weeks.items() if any(counts.values()))
    rows = TaskLightWeek.objects.filter(campaign_id__in=list(campaign_ids))
    if since is not None:
        rows = rows.filter(period__end_date__gte=since)
    rows = rows.filter(pk__in=access.visible_to(user, TaskLightWeek).values("pk"))
    for end_date, light, n in (
        rows.order_by()
        .values_list("period__end_date", "light")
        .annotate(n=Count("pk"))
        .values_list("period__end_date", "light", "n")
    ):
        weeks[end_date][light] += n
    return sorted(weeks.items())


def history(task) -> list[TaskLightWeek]:
    """The task's light week by week, oldest first, each with its period. One query."""
    return list(TaskLightWeek.objects.filter(task=task).select_related("period").order_by("period__number"))
