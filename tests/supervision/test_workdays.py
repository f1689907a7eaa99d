"""The working-day calendar: national schedule, make-up days, local overrides, unknown years."""

import datetime
import logging

import pytest

from campaigns.services import ensure_reporting_periods
from supervision.models import CalendarOverride
from supervision.workdays import WorkCalendar, add_workdays, is_workday, next_workday

from ..factories import CampaignFactory

pytestmark = pytest.mark.django_db
D = datetime.date


def test_national_day_and_mid_autumn_2026_with_make_up_days():
    assert not is_workday(D(2026, 10, 2))  # a Friday inside the holiday
    assert not is_workday(D(2026, 9, 25))  # Mid-Autumn
    assert is_workday(D(2026, 9, 20))  # Sunday make-up working day
    assert is_workday(D(2026, 10, 10))  # Saturday make-up working day
    assert next_workday(D(2026, 10, 2)) == D(2026, 10, 8)


def test_adding_working_days_skips_holidays_and_counts_make_up_days():
    assert add_workdays(D(2026, 9, 30), 3) == D(2026, 10, 10)  # Oct 8, 9, then Saturday 10th
    calendar = WorkCalendar(D(2026, 9, 1), D(2026, 10, 31))
    assert calendar.workdays_between(D(2026, 9, 30), D(2026, 10, 9)) == 2
    assert calendar.previous_workday(D(2026, 10, 8)) == D(2026, 9, 30)


def test_local_overrides_win():
    CalendarOverride.objects.create(date=D(2026, 11, 20), is_workday=False, note="本地节日")
    CalendarOverride.objects.create(date=D(2026, 11, 22), is_workday=True, note="调休上班")
    assert not is_workday(D(2026, 11, 20)) and is_workday(D(2026, 11, 22))


def test_a_year_the_library_does_not_know_falls_back_to_monday_to_friday(caplog):
    with caplog.at_level(logging.WARNING, logger="supervision.workdays"):
        assert is_workday(D(2031, 1, 6)) and not is_workday(D(2031, 1, 4))
    assert "2031" in caplog.text


def test_a_due_friday_inside_the_holiday_moves_to_the_next_working_day():
    campaign = CampaignFactory(start_date=D(2026, 9, 1), end_date=D(2026, 10, 31))
    ensure_reporting_periods(campaign)
    period = campaign.periods.get(end_date=D(2026, 10, 2))
    assert period.due_at.astimezone(datetime.timezone(datetime.timedelta(hours=8))).date() == D(2026, 10, 8)
    normal = campaign.periods.get(end_date=D(2026, 9, 11))
    assert normal.due_at.isoformat() == "2026-09-11T10:00:00+00:00"  # Friday 18:00 in Shanghai


def test_monthly_periods_are_due_at_month_end_or_the_next_working_day():
    campaign = CampaignFactory(start_date=D(2026, 9, 1), end_date=D(2026, 12, 31), cadence="monthly")
    ensure_reporting_periods(campaign)
    periods = list(campaign.periods.order_by("number"))
    assert [(p.start_date, p.end_date) for p in periods] == [
        (D(2026, 9, 1), D(2026, 9, 30)), (D(2026, 10, 1), D(2026, 10, 31)),
        (D(2026, 11, 1), D(2026, 11, 30)), (D(2026, 12, 1), D(2026, 12, 31)),
    ]  # fmt: skip
    # 31 October 2026 is a Saturday: due the next working day, Monday 2 November.
    assert periods[1].due_at.astimezone(datetime.timezone(datetime.timedelta(hours=8))).date() == D(2026, 11, 2)
