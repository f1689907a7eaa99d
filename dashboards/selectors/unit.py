"""A unit's home page: its standing in the active campaigns (on-time and submission rates from the
ledger's summary, reports missing, returned and fix overdue), the lights of its tasks, and what
it owes this period. A unit sees only its own: the page asks for one of the user's units."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Window

from accounts import access
from campaigns.models import Campaign
from campaigns.periods import local_today
from lights.models import Light
from lights.selectors import counts as light_counts
from lights.selectors import with_light
from tasks.ledger import read, states
from tasks.ledger.read_summary import Rates, rates_by_unit
from tasks.models import Task
from units.models import Unit

FLAGGED_SHOWN = 20


@dataclass
class ThisPeriod:
    """The unit's obligations in the current periods of the active campaigns."""

    owed: int = 0
    to_do: int = 0  # not filed yet, or returned for a fix
    filed: int = 0


@dataclass
class UnitHome:
    unit: Unit
    units: list[Unit]  # every unit the user may pick (more than one: a switch is offered)
    campaign_ids: list[int]
    rates: Rates | None
    lights: dict[str, int]
    flagged: list[Task]  # red and yellow tasks, red first
    flagged_total: int
    this_period: ThisPeriod


def member_units(user) -> list[Unit]:
    """The units whose home page the user may open (liaison or head), by name."""
    return list(Unit.objects.filter(pk__in=access.workspace_unit_ids(user)).order_by("name"))


def unit_tasks(user, unit: Unit) -> QuerySet:
    """The visible tasks of active campaigns the unit is on now (lead or support)."""
    return access.visible_to(user, Task).filter(campaign__status=Campaign.Status.ACTIVE, assignments__unit=unit)


def _this_period(user, unit: Unit, campaign_ids: list[int], now: datetime.datetime) -> ThisPeriod:
    today = local_today(now)
    rows = read.visible(user, campaign_ids, now).filter(
        unit_id=unit.pk, period__start_date__lte=today, period__end_date__gte=today
    )
    figures = rows.order_by().aggregate(
        owed=Count("pk"),
        to_do=Count("pk", filter=Q(state__in=(*states.UNFILED, states.RETURNED))),
        filed=Count("pk", filter=states.filed_q()),
    )
    return ThisPeriod(**figures)


def unit_home(user, unit: Unit, units: list[Unit], *, now: datetime.datetime) -> UnitHome:
    campaign_ids = list(
        access.visible_to(user, Campaign).filter(status=Campaign.Status.ACTIVE).values_list("pk", flat=True)
    )
    # This period's figures first: reading the ledger opens the periods that have begun, so the
    # summary read next counts a period that fell due since anything last opened one.
    this_period = _this_period(user, unit, campaign_ids, now) if campaign_ids else ThisPeriod()
    rates = rates_by_unit(campaign_ids, now=now, unit_ids=[unit.pk]).get(unit.pk) if campaign_ids else None
    tasks = unit_tasks(user, unit)
    flagged = list(
        with_light(tasks.select_related("campaign"))
        .filter(light__in=[Light.RED, Light.YELLOW])
        .annotate(total=Window(Count("pk")))
        .order_by("light_rank", "deadline", "campaign_id", "sort_key")[:FLAGGED_SHOWN]
    )
    return UnitHome(
        unit=unit,
        units=units,
        campaign_ids=campaign_ids,
        rates=rates,
        lights=light_counts(tasks),
        flagged=flagged,
        flagged_total=flagged[0].total if flagged else 0,
        this_period=this_period,
    )
