"""What lists and dashboards read: counts by light (every light present), ordering by severity,
the weekly counts and a task's history."""

import pytest

from lights import selectors
from lights.models import Light, TaskLight, TaskLightWeek
from lights.services import attention_mark
from tasks.models import Task
from tests.conftest import at
from tests.factories import TaskFactory
from tests.lights.helpers import refresh

pytestmark = pytest.mark.django_db


def test_counts_and_ordering_by_severity(world, assign):
    w = world
    TaskLight.objects.all().delete()
    TaskLightWeek.objects.all().delete()
    far = TaskFactory(campaign=w.campaign, number="3", deadline=None)
    closed = TaskFactory(campaign=w.campaign, number="4", status="closed", closed_at=at(2026, 3, 1))
    assign(far, w.other, "lead")
    refresh(task_ids=[w.task.pk, far.pk], now=at(2026, 3, 3))  # nothing due yet: green
    attention_mark(user=w.office, task=far, now=at(2026, 3, 3))  # yellow
    tasks = Task.objects.filter(campaign=w.campaign)
    # Task 2 was never refreshed here: open, so green; task 4 closed off: closed.
    assert selectors.counts(tasks) == {"red": 0, "yellow": 1, "green": 2, "closed": 1}
    ordered = list(selectors.with_light(tasks).order_by("light_rank", "sort_key").values_list("number", "light"))
    assert ordered == [("3", "yellow"), ("1", "green"), ("2", "green"), ("4", "closed")]
    assert selectors.counts(tasks.none()) == dict.fromkeys(Light.values, 0)
    assert closed.pk in {t.pk for t in tasks}


def test_weekly_counts_and_history(world):
    w = world
    TaskLightWeek.objects.all().delete()
    refresh(campaign_ids=[w.campaign.pk], now=at(2026, 3, 3))
    refresh(campaign_ids=[w.campaign.pk], now=at(2026, 3, 24))
    trend = selectors.weekly_counts([w.campaign.pk])
    assert [(end.isoformat(), counts["green"], counts["red"]) for end, counts in trend] == [
        ("2026-03-06", 2, 0), ("2026-03-27", 0, 2),
    ]  # fmt: skip
    assert [(week.period.number, week.light) for week in selectors.history(w.task)] == [(1, "green"), (4, "red")]
    # Through the access rule: the lights follow the tasks (a unit in the campaign sees its tasks).
    mine = selectors.weekly_counts([w.campaign.pk], user=w.other_liaison)
    assert [sum(counts.values()) for _end, counts in mine] == [2, 2]
    assert selectors.weekly_counts([w.campaign.pk], user=w.outsider) == []
