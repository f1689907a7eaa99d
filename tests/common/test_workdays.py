"""The working-day calendar: national schedule, make-up days, local overrides, unknown years."""

import datetime
import logging

import pytest

from campaigns.services import ensure_reporting_periods
from common.models import CalendarOverride
from common.workdays import WorkCalendar, add_workdays, is_workday, next_workday

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
    with caplog.at_level(logging.WARNING, logger="common.workdays"):
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


# ---- a year the library does not know yet ------------------------------------------------------


@pytest.fixture
def fresh_process(monkeypatch):
    """As if each run were a new process: forget what this one remembers of warnings given."""
    import common.workdays as workdays

    def new_process():
        monkeypatch.setattr(workdays, "_warned", set())

    new_process()
    return new_process


def unknown_year_warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "common.workdays" and "2027" in r.getMessage()]


def test_jobs_log_an_unknown_year_once_a_day_not_once_a_call(demo, caplog, monkeypatch, fresh_process):
    from supervision.jobs import run_job
    from tasks.models import Task
    from tests.conftest import at

    # Every task due in January 2027: counting the working days left asks about many 2027 days.
    assert Task.objects.filter(campaign__code="efficiency-year-2026").update(deadline=D(2027, 1, 15)) > 1
    monkeypatch.setattr("common.workdays._today", lambda: D(2026, 12, 28))
    with caplog.at_level(logging.WARNING, logger="common.workdays"):
        run_job("deadline_warnings", at(2026, 12, 28, 8))
        run_job("deadline_warnings", at(2026, 12, 28, 9))
        fresh_process()  # another process: runjob from the shell, another worker
        run_job("deadline_warnings", at(2026, 12, 28, 10))
        assert len(unknown_year_warnings(caplog)) == 1
        assert "Enter its holidays" in unknown_year_warnings(caplog)[0]
        monkeypatch.setattr("common.workdays._today", lambda: D(2026, 12, 29))
        fresh_process()
        run_job("deadline_warnings", at(2026, 12, 29, 8))
        run_job("deadline_warnings", at(2026, 12, 29, 9))
    assert len(unknown_year_warnings(caplog)) == 2  # the next day, once more


@pytest.fixture
def office_page(login):
    from django.urls import reverse

    from units.models import Membership

    from ..factories import MembershipFactory

    office = MembershipFactory(role=Membership.Role.OFFICE).user
    liaison = MembershipFactory(role=Membership.Role.LIAISON).user

    def page(user=office):
        return login(user).get(reverse("campaigns:list")).content.decode()

    page.liaison = liaison
    return page


def test_from_1_december_the_office_is_asked_to_enter_next_years_calendar(office_page, monkeypatch):
    from django.urls import reverse

    monkeypatch.setattr("supervision.context_processors._today", lambda: D(2026, 11, 30))
    assert 'id="calendar-notice"' not in office_page()
    monkeypatch.setattr("supervision.context_processors._today", lambda: D(2026, 12, 1))
    page = office_page()
    assert 'id="calendar-notice"' in page and "2027年的法定节假日安排尚未收录" in page
    assert reverse("admin:common_calendaroverride_changelist") in page
    assert 'id="calendar-notice"' not in office_page(office_page.liaison)  # the office's task only

    # A make-up working day alone is not the year's calendar; a holiday is.
    CalendarOverride.objects.create(date=D(2027, 1, 4), is_workday=True, note="调休上班")
    assert 'id="calendar-notice"' in office_page()
    CalendarOverride.objects.create(date=D(2027, 1, 1), is_workday=False, note="元旦")
    assert 'id="calendar-notice"' not in office_page()


def test_no_notice_when_the_library_knows_next_year(office_page, monkeypatch):
    monkeypatch.setattr("supervision.context_processors._today", lambda: D(2025, 12, 15))  # 2026 is in the library
    assert 'id="calendar-notice"' not in office_page()


# ---- counting by bisection gives the answers of a day-by-day walk ------------------------------------


def walked(calendar_truth):
    """The old definitions, one day at a time, from a plain is-working-day function."""
    one = datetime.timedelta(days=1)

    def between(a, b):
        count, day = 0, a
        while day < b:
            day += one
            count += calendar_truth(day)
        return count

    def add(day, count):
        while count > 0:
            day += one
            if calendar_truth(day):
                count -= 1
        return day

    def previous(day):
        day -= one
        while not calendar_truth(day):
            day -= one
        return day

    def following(day):
        while not calendar_truth(day):
            day += one
        return day

    return between, add, previous, following


def test_counting_matches_a_day_by_day_walk_over_holidays_make_up_days_overrides_and_an_unknown_year():
    import chinese_calendar

    CalendarOverride.objects.create(date=D(2026, 11, 20), is_workday=False, note="本地节日")
    CalendarOverride.objects.create(date=D(2026, 11, 22), is_workday=True, note="调休上班")
    CalendarOverride.objects.create(date=D(2027, 1, 4), is_workday=False, note="本地节日")
    overrides = {D(2026, 11, 20): False, D(2026, 11, 22): True, D(2027, 1, 4): False}

    def truth(day):
        if day in overrides:
            return overrides[day]
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            return day.weekday() < 5

    between, add, previous, following = walked(truth)
    # Mid-Autumn and National Day 2026 (with the make-up Sundays/Saturdays), the overrides, and
    # January 2027 (not in the library: Monday–Friday).
    days = [D(2026, 9, 10) + datetime.timedelta(days=n) for n in range(150)]
    calendar = WorkCalendar(D(2026, 10, 1), D(2026, 10, 31))  # a smaller window: the rest widens it
    for day in days:
        assert calendar.is_workday(day) == truth(day), day
        assert calendar.next_workday(day) == following(day), day
        assert calendar.previous_workday(day) == previous(day), day
        for count in (0, 1, 2, 3, 5, 12, 40):
            assert calendar.add_workdays(day, count) == add(day, count), (day, count)
    for start in days[::3]:
        for end in days:
            assert calendar.workdays_between(start, end) == between(start, end), (start, end)
    # Far outside the window, both ways, and a span longer than the window.
    assert calendar.workdays_between(D(2025, 1, 1), D(2026, 12, 31)) == between(D(2025, 1, 1), D(2026, 12, 31))
    assert calendar.add_workdays(D(2026, 1, 5), 400) == add(D(2026, 1, 5), 400)
    assert calendar.previous_workday(D(2024, 10, 8)) == previous(D(2024, 10, 8))


def test_a_far_day_is_counted_without_a_query_per_day(django_assert_max_num_queries):
    calendar = WorkCalendar(D(2026, 11, 1), D(2026, 11, 30))
    with django_assert_max_num_queries(1):  # the window widens once (one read of the overrides)
        assert calendar.workdays_between(D(2024, 1, 2), D(2026, 11, 2)) > 600
        assert calendar.workdays_between(D(2024, 6, 3), D(2026, 11, 2)) > 500
        assert calendar.add_workdays(D(2024, 1, 2), 480) < D(2026, 1, 1)
