"""The one rule for "which period" (campaigns.periods), at its boundaries, in Asia/Shanghai."""

import datetime

import pytest
from django.utils import timezone

from campaigns import periods
from campaigns.services import ensure_reporting_periods
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db

SHANGHAI = timezone.get_fixed_timezone(8 * 60)


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=SHANGHAI)


MON, FRI, SAT = datetime.date(2026, 3, 2), datetime.date(2026, 3, 6), datetime.date(2026, 3, 7)


@pytest.fixture
def campaign():
    """Weekly, due Fridays 18:00, 2 to 31 March 2026: periods Mon 2–Fri 6, Sat 7–Fri 13, …"""
    campaign = CampaignFactory(start_date=MON, end_date=datetime.date(2026, 3, 31))
    ensure_reporting_periods(campaign)
    return campaign


def ordered(campaign):
    return list(campaign.periods.order_by("number"))


def test_the_periods_the_tests_rely_on(campaign):
    first, second, *_, last = ordered(campaign)
    assert (first.start_date, first.end_date, first.due_at) == (MON, FRI, at(FRI, 18))
    assert (second.start_date, second.end_date) == (SAT, datetime.date(2026, 3, 13))
    assert last.end_date == datetime.date(2026, 3, 31)


def test_before_the_first_period_none_is_current_begun_or_due(campaign):
    before = at(MON - datetime.timedelta(days=1), 23, 59)
    assert periods.current_period(campaign, before) is None
    assert not periods.begun(campaign.periods.all(), before).exists()
    assert periods.last_due(ordered(campaign), before) is None
    assert not periods.open_for_reporting(before).filter(campaign=campaign).exists()
    # The matrix then opens on the first period.
    assert periods.matrix_default(ordered(campaign), before).number == 1
    assert periods.recent_periods([campaign.pk], before) == {}


def test_the_current_period_follows_the_calendar_in_shanghai(campaign):
    # 23:30 on Friday in Shanghai is still Friday (15:30 UTC): period 1.
    assert periods.current_period(campaign, at(FRI, 23, 30)).number == 1
    # 00:30 on Saturday in Shanghai is 16:30 UTC on Friday: period 2 already.
    saturday = at(SAT, 0, 30)
    assert saturday.astimezone(datetime.UTC).date() == FRI
    assert periods.current_period(campaign, saturday).number == 2
    assert periods.local_today(saturday) == SAT


def test_between_due_moment_and_end_of_day_the_period_is_current_and_due(campaign):
    evening = at(FRI, 20)
    first = ordered(campaign)[0]
    assert periods.is_current(first, evening) and periods.is_due(first, evening)
    recent = periods.recent_periods([campaign.pk], evening)[campaign.pk]
    # The workspace's "previous" is the last due period other than the current one.
    assert recent == (first, None)


def test_exactly_at_the_deadline_the_period_is_due(campaign):
    first = ordered(campaign)[0]
    deadline = first.due_at
    assert not periods.is_due(first, deadline - datetime.timedelta(seconds=1))
    assert periods.is_due(first, deadline)
    assert periods.last_due(ordered(campaign), deadline) == first
    assert periods.last_due(ordered(campaign), deadline - datetime.timedelta(seconds=1)) is None
    assert first in periods.open_for_reporting(deadline - datetime.timedelta(seconds=1))
    assert first not in periods.open_for_reporting(deadline)
    assert first in periods.due_since(deadline - datetime.timedelta(days=1), deadline)
    assert first not in periods.due_since(deadline, deadline + datetime.timedelta(days=1))


def test_between_periods_the_last_due_is_the_one_before(campaign):
    first, second, third, *_ = ordered(campaign)
    wednesday = at(datetime.date(2026, 3, 11), 10)
    assert periods.current_period(campaign, wednesday) == second
    assert periods.last_due(ordered(campaign), wednesday) == first
    assert periods.matrix_default(ordered(campaign), wednesday) == first
    assert periods.recent_periods([campaign.pk], wednesday)[campaign.pk] == (second, first)
    assert set(periods.begun(campaign.periods.all(), wednesday)) == {first, second}
    assert periods.has_begun(second, wednesday) and not periods.has_begun(third, wednesday)


def test_after_the_last_period_none_is_current_and_the_last_is_due(campaign):
    *_, last = ordered(campaign)
    later = last.due_at + datetime.timedelta(days=1)
    assert periods.current_period(campaign, later) is None
    assert periods.last_due(ordered(campaign), later) == last
    assert periods.matrix_default(ordered(campaign), later) == last
    assert periods.recent_periods([campaign.pk], later)[campaign.pk] == (None, last)
    # Long after, the workspace no longer looks back at it.
    assert periods.recent_periods([campaign.pk], later + datetime.timedelta(days=60)) == {}


def test_current_periods_reads_many_campaigns_in_one_query(campaign, django_assert_num_queries):
    other = CampaignFactory(start_date=MON, end_date=datetime.date(2026, 6, 30), cadence="monthly")
    ensure_reporting_periods(other)
    with django_assert_num_queries(1):
        found = periods.current_periods([campaign.pk, other.pk], at(datetime.date(2026, 3, 11), 10))
    assert found[campaign.pk].number == 2 and found[other.pk].number == 1


def test_the_review_default_prefers_waiting_reports_then_reports_then_the_newest(campaign):
    newest_first = list(reversed(ordered(campaign)))
    fifth, fourth, third, *_ = newest_first
    assert periods.review_default(newest_first, {third.pk: 2, fourth.pk: 2}, {third.pk, fourth.pk}) == fourth
    assert periods.review_default(newest_first, {third.pk: 3, fourth.pk: 1}, set()) == third
    assert periods.review_default(newest_first, {fourth.pk: 0}, {third.pk}) == third
    assert periods.review_default(newest_first, {}, set()) == fifth
    assert periods.review_default([], {}, set()) is None


def test_a_periods_dates_cannot_be_edited_in_the_admin(client, world):
    """The ledger counts from a period's week: the admin shows it, and a forged POST moves nothing."""
    from django.urls import reverse

    from tests.factories import UserFactory

    period = world.period
    week = (period.start_date, period.end_date)
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    url = reverse("admin:campaigns_reportingperiod_change", args=[period.pk])
    form = client.get(url).content.decode()
    assert 'name="start_date"' not in form and 'name="end_date"' not in form
    response = client.post(url, {"start_date": "2026-01-05", "end_date": "2026-01-11"})
    assert response.status_code == 302
    period.refresh_from_db()
    assert (period.start_date, period.end_date) == week != (datetime.date(2026, 1, 5), datetime.date(2026, 1, 11))
