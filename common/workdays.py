"""Working days as the Chinese government calendar counts them.

The national schedule (statutory holidays and make-up working days, 调休) comes from the
`chinesecalendar` package, which knows only the years it ships (each year's schedule is published
in November). For other years we fall back to Monday–Friday with a logged warning, never an
error: once a day, however many calls and processes ask (the day is recorded in the database).
Local holidays and extra working days declared by the office (CalendarOverride, in the admin)
take precedence over both.
"""

from __future__ import annotations

import datetime
import logging

import chinese_calendar
from django.db import DatabaseError, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)
# (year, day) pairs this process has already dealt with: a job asks about hundreds of days, and
# only the first question of the day goes to the database.
_warned: set[tuple[int, datetime.date]] = set()


def library_knows(year: int) -> bool:
    """Whether the installed chinesecalendar has the official schedule of the year."""
    try:
        chinese_calendar.is_workday(datetime.date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def _today() -> datetime.date:
    return timezone.localdate()


def _warn_unknown_year(year: int) -> None:
    """Log that the year's official calendar is unknown, once a day across processes and runs."""
    from .models import CalendarWarning

    today = _today()
    if (year, today) in _warned:
        return
    _warned.add((year, today))
    try:
        with transaction.atomic():  # a savepoint: a failure here must not break the caller's transaction
            _record, first = CalendarWarning.objects.get_or_create(year=year, day=today)
    except DatabaseError:  # e.g. before migrations: say it rather than stay silent
        first = True
    if first:
        logger.warning(
            "No official working-day calendar for %s: counting Monday–Friday. Enter its holidays and "
            "make-up working days under 日历调整 (calendar overrides) in the admin.",
            year,
        )


def _overrides(start: datetime.date, end: datetime.date) -> dict[datetime.date, bool]:
    from .models import CalendarOverride

    return dict(CalendarOverride.objects.filter(date__range=(start, end)).values_list("date", "is_workday"))


def _national(day: datetime.date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        _warn_unknown_year(day.year)
        return day.weekday() < 5


class WorkCalendar:
    """Working-day arithmetic over a window, reading the overrides once."""

    def __init__(self, start: datetime.date, end: datetime.date):
        self.overrides = _overrides(start - datetime.timedelta(days=60), end + datetime.timedelta(days=60))

    def is_workday(self, day: datetime.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        return _national(day)

    def next_workday(self, day: datetime.date) -> datetime.date:
        """The day itself if it is a working day, else the next one."""
        while not self.is_workday(day):
            day += datetime.timedelta(days=1)
        return day

    def previous_workday(self, day: datetime.date) -> datetime.date:
        """The last working day strictly before `day`."""
        day -= datetime.timedelta(days=1)
        while not self.is_workday(day):
            day -= datetime.timedelta(days=1)
        return day

    def add_workdays(self, day: datetime.date, count: int) -> datetime.date:
        """The working day `count` working days after `day` (e.g. 3个工作日内 → add_workdays(today, 3))."""
        while count > 0:
            day += datetime.timedelta(days=1)
            if self.is_workday(day):
                count -= 1
        return day

    def workdays_between(self, start: datetime.date, end: datetime.date) -> int:
        """Working days after `start` up to and including `end` (0 when end <= start)."""
        count, day = 0, start
        while day < end:
            day += datetime.timedelta(days=1)
            count += self.is_workday(day)
        return count


def calendar_around(*days: datetime.date) -> WorkCalendar:
    return WorkCalendar(min(days), max(days))


def is_workday(day: datetime.date) -> bool:
    return calendar_around(day).is_workday(day)


def next_workday(day: datetime.date) -> datetime.date:
    return calendar_around(day).next_workday(day)


def add_workdays(day: datetime.date, count: int) -> datetime.date:
    return WorkCalendar(day, day + datetime.timedelta(days=count * 2 + 30)).add_workdays(day, count)


def calendar_year_to_enter(today: datetime.date) -> int | None:
    """The year whose official holidays and make-up working days the office should enter under
    日历调整, or None. A year counts as missing when the chinesecalendar library does not know it
    and the office has entered no holiday in it yet (every year has statutory holidays, so one
    entered holiday means the office has started). Asked about the current year, and from
    1 December about the next one too, when its schedule is usually published."""
    from .models import CalendarOverride

    years = [today.year] + ([today.year + 1] if today.month == 12 else [])
    for year in years:
        if not library_knows(year) and not CalendarOverride.objects.filter(date__year=year, is_workday=False).exists():
            return year
    return None
