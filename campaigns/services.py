"""Writes for campaigns: deriving reporting periods from a campaign's dates and cadence."""

from __future__ import annotations

import calendar
import datetime

from django.db import transaction
from django.utils import timezone

from common.workdays import WorkCalendar

from .models import Campaign, ReportingPeriod


def _period_bounds(campaign: Campaign) -> list[tuple[datetime.date, datetime.date, datetime.date]]:
    """(start, end, due date) of every period between the campaign's start and end.

    A due day that is not a working day (Friday 2 October 2026, inside the National Day
    holiday) moves to the next working day, as offices do (遇节假日顺延).
    """
    workdays = WorkCalendar(campaign.start_date, campaign.end_date)
    bounds = []
    start = campaign.start_date
    while start <= campaign.end_date:
        if campaign.cadence == Campaign.Cadence.MONTHLY:
            due = datetime.date(start.year, start.month, calendar.monthrange(start.year, start.month)[1])
        else:
            due = start + datetime.timedelta(days=(campaign.due_weekday - start.weekday()) % 7)
        end = min(due, campaign.end_date)
        bounds.append((start, end, workdays.next_workday(end)))
        start = due + datetime.timedelta(days=1)
    return bounds


def periods_past_due(campaign: Campaign, today: datetime.date) -> int:
    """How many of the campaign's periods (by its dates, saved or not) were due before `today`."""
    return sum(1 for _start, _end, due in _period_bounds(campaign) if due < today)


def ensure_reporting_periods(campaign: Campaign) -> int:
    """Make the campaign's periods match its dates and cadence; return how many were created.

    Idempotent: periods are matched by number and only changed where they differ. A period
    that no longer fits is removed only when no report refers to it.
    """
    tz = timezone.get_default_timezone()
    wanted = {
        number: (start, end, timezone.make_aware(datetime.datetime.combine(due, campaign.due_time), tz))
        for number, (start, end, due) in enumerate(_period_bounds(campaign), start=1)
    }
    existing = {period.number: period for period in campaign.periods.all()}
    created = []
    with transaction.atomic():
        # Free the (campaign, start) slots of periods that move before reusing them.
        stale = [p for n, p in existing.items() if n not in wanted or (p.start_date, p.end_date, p.due_at) != wanted[n]]
        ReportingPeriod.objects.filter(pk__in=[p.pk for p in stale], reports__isnull=True).delete()
        existing = {period.number: period for period in campaign.periods.all()}
        for number, (start, end, due_at) in wanted.items():
            period = existing.get(number)
            if period is None:
                created.append(
                    ReportingPeriod(campaign=campaign, number=number, start_date=start, end_date=end, due_at=due_at)
                )
            elif (period.start_date, period.end_date, period.due_at) != (start, end, due_at):
                period.start_date, period.end_date, period.due_at = start, end, due_at
                period.save(update_fields=["start_date", "end_date", "due_at"])
        ReportingPeriod.objects.bulk_create(created)
    return len(created)
