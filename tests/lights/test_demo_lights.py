"""The demo shows the lights: the leader account `leader` has red, yellow and green tasks, each
explained, and the weeks before the demo's Monday are in the history."""

import pytest

from lights import selectors
from lights.models import Attention, Light, TaskLightWeek
from tasks.models import Task
from units.models import Leader


@pytest.mark.django_db
def test_the_demo_leader_has_red_yellow_and_green_tasks(demo):
    leader = Leader.objects.get(user__username="leader")
    tasks = Task.objects.filter(leaders=leader, campaign__code="efficiency-year-2026")
    counts = selectors.counts(tasks)
    assert counts[Light.RED] and counts[Light.YELLOW] and counts[Light.GREEN], counts
    red = selectors.with_light(tasks).filter(light=Light.RED).first()
    assert red.light_reasons and red.light_reasons[0]["code"] == "deadline_passed"
    assert Attention.objects.filter(task__number="4", task__campaign__code="efficiency-year-2026").exists()
    assert (
        TaskLightWeek.objects.filter(task__campaign__code="efficiency-year-2026").values("period").distinct().count()
        > 5
    )
