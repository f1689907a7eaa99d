"""Which reporting period: the one rule, for pages, jobs and (later) dashboards and exports.

Dates are read in the local calendar (settings.TIME_ZONE, Asia/Shanghai), due moments as instants:

- a period has **begun** once its start date is today or earlier;
- the **current** period contains today (start date ≤ today ≤ end date): a campaign not begun or
  already over has none;
- a period is **due** once its due moment has passed (due_at ≤ now, exactly at the deadline
  included); the **last due** period is the latest of those (highest number);
- a period is **open for reporting** when it has begun and is not yet due (reminders go out for
  these);
- the compliance matrix opens on the last due period (the latest whose compliance can be judged),
  else the first;
- the review queue opens on the begun period with the most reports waiting (the newest of
  equals), else the newest begun period with reports, else the newest begun period.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Mapping, Sequence

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from .models import Campaign, ReportingPeriod

# How far back the workspace looks for the last period still owed (longer than a month).
RECENT_DAYS = 40


def local_today(now: datetime.datetime | None = None) -> datetime.date:
    """Today in Asia/Shanghai at `now` (by default, now)."""
    return timezone.localdate(now or timezone.now())


def begun_q(now: datetime.datetime | None = None, *, prefix: str = "") -> Q:
    """Periods that have begun: their start date is today or earlier."""
    return Q(**{f"{prefix}start_date__lte": local_today(now)})


def begun(periods: QuerySet, now: datetime.datetime | None = None) -> QuerySet:
    """The periods of `periods` that have begun."""
    return periods.filter(begun_q(now))


def has_begun(period: ReportingPeriod, now: datetime.datetime | None = None) -> bool:
    return period.start_date <= local_today(now)


def is_current(period: ReportingPeriod, now: datetime.datetime | None = None) -> bool:
    """The period contains today."""
    return period.start_date <= local_today(now) <= period.end_date


def is_due(period: ReportingPeriod, now: datetime.datetime | None = None) -> bool:
    """The period's due moment has passed (at the deadline itself, it has)."""
    return period.due_at <= (now or timezone.now())


def due(periods: QuerySet, now: datetime.datetime | None = None) -> QuerySet:
    """The periods of `periods` whose due moment has passed, as is_due says for one."""
    return periods.filter(due_at__lte=now or timezone.now())


def open_for_reporting(now: datetime.datetime) -> QuerySet:
    """Periods begun and not yet due, of every campaign."""
    return ReportingPeriod.objects.filter(begun_q(now), due_at__gt=now)


def due_since(since: datetime.datetime, now: datetime.datetime) -> QuerySet:
    """Periods of every campaign that fell due after `since` and by `now`."""
    return ReportingPeriod.objects.filter(due_at__lte=now, due_at__gt=since)


def current_periods(campaign_ids, now: datetime.datetime | None = None) -> dict[int, ReportingPeriod]:
    """The current period of each campaign, in one query: the one whose dates contain today in
    Asia/Shanghai (a campaign that is over or not begun has none)."""
    today = local_today(now)
    periods = ReportingPeriod.objects.filter(campaign_id__in=campaign_ids, start_date__lte=today, end_date__gte=today)
    return {period.campaign_id: period for period in periods}


def current_period(campaign, now: datetime.datetime | None = None) -> ReportingPeriod | None:
    return current_periods([campaign.pk], now).get(campaign.pk)


def last_due(periods: Sequence[ReportingPeriod], now: datetime.datetime | None = None) -> ReportingPeriod | None:
    """The last due period of `periods` (ordered by number): the latest whose due moment has passed."""
    due = [period for period in periods if is_due(period, now)]
    return due[-1] if due else None


def last_due_period_ids(now: datetime.datetime, campaign_ids: Collection[int] | None = None) -> QuerySet:
    """Ids of the last due period of each campaign (of `campaign_ids` if given), as last_due says
    for one: the due period with the highest number; a campaign with none has none. A subquery,
    so lists filter by it in SQL (`period_id__in=last_due_period_ids(now)`): one probe of the
    (campaign, number) index per campaign, however many periods are due."""
    latest = (
        ReportingPeriod.objects.filter(campaign_id=OuterRef("pk"), due_at__lte=now).order_by("-number").values("pk")[:1]
    )
    campaigns = Campaign.objects.all() if campaign_ids is None else Campaign.objects.filter(pk__in=list(campaign_ids))
    return (
        campaigns.order_by()
        .annotate(last_due_id=Subquery(latest))
        .filter(last_due_id__isnull=False)
        .values("last_due_id")
    )


def recent_periods(
    campaign_ids, now: datetime.datetime
) -> dict[int, tuple[ReportingPeriod | None, ReportingPeriod | None]]:
    """(current, previous) period of each campaign, one query: the current one contains today (as
    current_period says), the previous one is the last due one other than the current, if it
    ended within RECENT_DAYS. A campaign with neither is left out."""
    today = local_today(now)
    recent = ReportingPeriod.objects.filter(
        campaign_id__in=campaign_ids, start_date__lte=today, end_date__gte=today - datetime.timedelta(days=RECENT_DAYS)
    ).order_by("campaign_id", "number")
    by_campaign: dict[int, list[ReportingPeriod]] = {}
    for period in recent:
        by_campaign.setdefault(period.campaign_id, []).append(period)
    result = {}
    for campaign_id, periods in by_campaign.items():
        current = next((p for p in periods if is_current(p, now)), None)
        result[campaign_id] = (current, last_due([p for p in periods if p is not current], now))
    return result


def matrix_default(periods: Sequence[ReportingPeriod], now: datetime.datetime | None = None) -> ReportingPeriod:
    """The period a campaign's compliance matrix opens on: the last due one, else the first.
    `periods` are ordered by number and not empty."""
    return last_due(periods, now) or periods[0]


def review_default(
    periods: Sequence[ReportingPeriod], waiting: Mapping[int, int], with_reports: Collection[int]
) -> ReportingPeriod | None:
    """The period the review queue opens on, of `periods` (begun ones, newest first): the one with
    the most reports awaiting review (`waiting` by period pk; the newest of equals), so reports
    submitted early in the current week are there the moment they come in. With none waiting,
    the newest with reports (`with_reports`: period pks), else the newest."""
    busiest = max(periods, key=lambda period: waiting.get(period.pk, 0), default=None)
    if busiest is not None and waiting.get(busiest.pk, 0):
        return busiest
    return next((period for period in periods if period.pk in with_reports), periods[0] if periods else None)
