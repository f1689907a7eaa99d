"""The lights counted per period (lights.weeks, PeriodLights): what the weekly trends read, kept
with the weekly rows by every writer of them (refresh, backfill, a task deleted)."""

import pytest

from lights import selectors, weeks
from lights.history import backfill
from lights.models import PeriodLights, TaskLightWeek
from tasks.ledger.sync import tasks_delete
from tests.conftest import at
from tests.factories import TaskFactory
from tests.lights.helpers import refresh

pytestmark = pytest.mark.django_db


def stored(period):
    return PeriodLights.objects.values("red", "yellow", "green", "closed").get(period=period)


def test_refresh_counts_the_period_it_writes(world):
    w = world
    second = TaskFactory(campaign=w.campaign, number="99")
    refresh(campaign_ids=[w.campaign.pk], now=at(2026, 3, 3))
    week_1 = w.campaign.periods.get(number=1)
    tasks = w.campaign.tasks.count()
    assert stored(week_1) == {"red": 0, "yellow": 0, "green": tasks, "closed": 0}
    second.status, second.closed_at = "closed", at(2026, 3, 4)
    second.save()
    refresh(campaign_ids=[w.campaign.pk], now=at(2026, 3, 4))  # the same week, recounted
    assert stored(week_1) == {"red": 0, "yellow": 0, "green": tasks - 1, "closed": 1}
    assert weeks.differences() == []


def test_the_trend_from_the_counts_equals_the_weekly_rows(world):
    w = world
    TaskFactory(campaign=w.campaign, number="99")
    refresh(campaign_ids=[w.campaign.pk], now=at(2026, 3, 24))
    added = backfill([w.campaign.pk], now=at(2026, 3, 24))
    assert added > 0
    trend = selectors.weekly_counts([w.campaign.pk])
    # The same weeks counted task by task (the path a user's own view takes).
    by_rows = {}
    for end, light in TaskLightWeek.objects.filter(campaign=w.campaign).values_list("period__end_date", "light"):
        by_rows.setdefault(end, dict.fromkeys(("red", "yellow", "green", "closed"), 0))[light] += 1
    assert dict(trend) == by_rows and len(trend) == 4
    since = selectors.weekly_counts([w.campaign.pk], since=trend[2][0])
    assert [end for end, _counts in since] == [trend[2][0], trend[3][0]]


def test_a_task_deleted_leaves_the_counts(world):
    w = world
    second = TaskFactory(campaign=w.campaign, number="99")
    refresh(campaign_ids=[w.campaign.pk], now=at(2026, 3, 24))
    backfill([w.campaign.pk], now=at(2026, 3, 24))
    assert tasks_delete([second.pk]) == 1
    assert weeks.differences() == []
    assert sum(stored(w.campaign.periods.get(number=4)).values()) == w.campaign.tasks.count()


@pytest.mark.ledger_unchecked
def test_differences_name_a_wrong_or_missing_period(world):
    w = world
    refresh(campaign_ids=[w.campaign.pk], now=at(2026, 3, 24))
    week_4 = w.campaign.periods.get(number=4)
    PeriodLights.objects.filter(period=week_4).update(red=9)
    assert [line.split(":")[0] for line in weeks.differences()] == [f"lights of period {week_4.pk}"]
    PeriodLights.objects.filter(period=week_4).delete()
    assert weeks.differences()[0].startswith(f"lights of period {week_4.pk}: missing")
    weeks.recount([week_4.pk])
    assert weeks.differences() == []
