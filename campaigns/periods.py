"""Which reporting period: the one rule, in Asia/Shanghai.

A campaign's period is current from its start date to its end date, both included, in the local
calendar (settings.TIME_ZONE, Asia/Shanghai).
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from .models import ReportingPeriod


def current_periods(campaign_ids, now: datetime.datetime | None = None) -> dict[int, ReportingPeriod]:
    """The current period of each campaign, in one query: the one whose dates contain today in
    Asia/Shanghai (a campaign that is over or not begun has none)."""
    today = timezone.localdate(now or timezone.now())
    periods = ReportingPeriod.objects.filter(campaign_id__in=campaign_ids, start_date__lte=today, end_date__gte=today)
    return {period.campaign_id: period for period in periods}


def current_period(campaign, now: datetime.datetime | None = None) -> ReportingPeriod | None:
    return current_periods([campaign.pk], now).get(campaign.pk)
