"""Two refreshes at once (two beat machines, the beat job beside a report submitted) on
PostgreSQL with real threads: no error, no duplicate row, the same lights as one refresh."""

import pytest

from lights.models import Attention, Light, TaskLight, TaskLightWeek
from lights.services import attention_mark, refresh
from supervision.jobs import run_job
from tasks.ledger.read import ensure_open
from tasks.services import report_save

from ..conftest import at
from ..factories import TaskFactory
from ..tasks.test_concurrency import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

NOW = at(2026, 3, 26, 9)


def test_two_refreshes_of_the_same_tasks_at_once_store_one_light_each(world, assign):
    tasks = [world.task, *(TaskFactory(campaign=world.campaign, number=str(n)) for n in range(3, 13))]
    for task in tasks[1:]:
        assign(task, world.lead)
    ensure_open(now=NOW)  # as the beat job does before it refreshes
    outcomes = race(*(lambda: refresh(campaign_ids=[world.campaign.pk], now=NOW) for _n in range(3)))
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert TaskLight.objects.filter(campaign=world.campaign).count() == len(tasks) + 1  # and task 2
    assert TaskLightWeek.objects.filter(campaign=world.campaign, period=world.period).count() == len(tasks) + 1
    assert set(TaskLight.objects.values_list("light", flat=True)) == {Light.RED}  # three periods missing


def test_a_report_submitted_beside_the_beat_job_and_a_double_marked_attention(world):
    submit = lambda: report_save(  # noqa: E731
        user=world.lead_liaison, task=world.task, unit=world.lead, period=world.period, submit=True,
        expected_version=None, progress="进展", now=NOW,
    )  # fmt: skip
    beat = lambda: run_job("refresh_lights", NOW)  # noqa: E731 (the job opens the periods first)
    mark = lambda: attention_mark(user=world.office, task=world.task, now=NOW)  # noqa: E731
    outcomes = race(submit, beat, mark, mark)
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert Attention.objects.filter(task=world.task).count() == 1
    refresh(task_ids=[world.task.pk], now=NOW)
    assert TaskLight.objects.filter(task=world.task).count() == 1
