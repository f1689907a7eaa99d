"""Working days as the Chinese government calendar counts them.

The national schedule (statutory holidays and make-up working days, 调休) comes from the
`chinesecalendar` package, which knows only the years it ships (each year's schedule is published
in November). For other years we fall back to Monday–Friday with a logged warning, never an
error: once a day, however many calls and processes ask (the day is recorded in the database).
Local holidays and extra working days declared by the office (CalendarOverride, in the admin)
take precedence over both.
"""

from __future__ import annotations

import bisect
import datetime
import functools
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


@functools.lru_cache(maxsize=4096)
def _official_workday(day: datetime.date) -> bool | None:
    """The official calendar's answer for a day, None for a year it does not know. It never
    changes while the process runs, and asking it costs about 0.1 ms a day: a page's calendar
    over a year and a half of deadlines paid some 45 ms for it on every request."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None


class WorkCalendar:
    """Working-day arithmetic over a window, reading the overrides once.

    The working days of the window (plus a margin) are kept as a sorted list of ordinals, so
    counting and adding working days is a bisection, not a walk: a job asks about thousands of
    deadlines. A question outside the window widens it (one more read of the overrides).
    """

    MARGIN = datetime.timedelta(days=60)

    def __init__(self, start: datetime.date, end: datetime.date):
        self.overrides: dict[datetime.date, bool] = {}
        self._days: list[int] = []  # ordinals of the working days in [_low, _high], sorted
        self._low = self._high = None
        self._guessed: set[int] = set()  # years counted Monday–Friday: warned about when asked
        self._cover(start - self.MARGIN, end + self.MARGIN)

    def _cover(self, start: datetime.date, end: datetime.date) -> None:
        """Make the window hold [start, end]; only the part not held yet is read and computed."""
        if self._low is None:
            self.overrides.update(_overrides(start, end))
            self._low, self._high = start, end
            self._days = self._compute(start, end)
            return
        if start < self._low:
            # Widen by at least a year at a time: the next question is likely further still.
            start = min(start, self._low - datetime.timedelta(days=366))
            before = self._low - datetime.timedelta(days=1)
            self.overrides.update(_overrides(start, before))
            self._days = self._compute(start, before) + self._days
            self._low = start
        if end > self._high:
            end = max(end, self._high + datetime.timedelta(days=366))
            after = self._high + datetime.timedelta(days=1)
            self.overrides.update(_overrides(after, end))
            self._days += self._compute(after, end)
            self._high = end

    def _compute(self, start: datetime.date, end: datetime.date) -> list[int]:
        first, last = start.toordinal(), end.toordinal()
        return [ordinal for ordinal in range(first, last + 1) if self._decide(datetime.date.fromordinal(ordinal))]

    def _decide(self, day: datetime.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        official = _official_workday(day)
        if official is None:
            self._guessed.add(day.year)
            return day.weekday() < 5
        return official

    def _asked(self, first: datetime.date, last: datetime.date) -> None:
        """A question looked at the days from `first` to `last`: warn about any year among them
        counted Monday–Friday (as before: a year is warned about when a question reaches it, not
        because the window computed ahead of time runs into it)."""
        for year in range(first.year, last.year + 1):
            if year in self._guessed:
                _warn_unknown_year(year)

    def is_workday(self, day: datetime.date) -> bool:
        self._cover(day, day)
        self._asked(day, day)
        index = bisect.bisect_left(self._days, day.toordinal())
        return index < len(self._days) and self._days[index] == day.toordinal()

    def next_workday(self, day: datetime.date) -> datetime.date:
        """The day itself if it is a working day, else the next one."""
        self._cover(day, day)
        index = bisect.bisect_left(self._days, day.toordinal())
        while index >= len(self._days):  # no working day left in the window (a very long holiday)
            self._cover(day, self._high + datetime.timedelta(days=1))
        found = datetime.date.fromordinal(self._days[index])
        self._asked(day, found)
        return found

    def previous_workday(self, day: datetime.date) -> datetime.date:
        """The last working day strictly before `day`."""
        self._cover(day - datetime.timedelta(days=1), day)
        index = bisect.bisect_left(self._days, day.toordinal()) - 1
        while index < 0:
            held = len(self._days)
            self._cover(self._low - datetime.timedelta(days=1), day)
            index += len(self._days) - held
        found = datetime.date.fromordinal(self._days[index])
        self._asked(found, day)
        return found

    def add_workdays(self, day: datetime.date, count: int) -> datetime.date:
        """The working day `count` working days after `day` (e.g. 3个工作日内 → add_workdays(today, 3))."""
        if count <= 0:
            return day
        self._cover(day, day + datetime.timedelta(days=count * 2))
        index = bisect.bisect_right(self._days, day.toordinal()) + count - 1
        while index >= len(self._days):
            self._cover(day, self._high + datetime.timedelta(days=1))
        found = datetime.date.fromordinal(self._days[index])
        self._asked(day, found)
        return found

    def workdays_between(self, start: datetime.date, end: datetime.date) -> int:
        """Working days after `start` up to and including `end` (0 when end <= start)."""
        if end <= start:
            return 0
        self._cover(start, end)
        self._asked(start, end)
        return bisect.bisect_right(self._days, end.toordinal()) - bisect.bisect_right(self._days, start.toordinal())


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
