"""Two liaisons of the same unit submit reports on two tasks of the same period at the same moment
(PostgreSQL, real threads): the unit's summary row counts both — no lost increment — and a
recompute running beside submissions loses none either."""

import pytest

from tasks.ledger import summary
from tasks.ledger.check import EVERYTHING
from tasks.ledger.models import PeriodUnitSummary
from tasks.ledger.sync import open_periods
from tasks.services import report_save

from ..conftest import at
from ..factories import TaskFactory
from .test_concurrency import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def submitting(user, task, unit, period, text):
    return lambda: report_save(
        user=user, task=task, unit=unit, period=period, submit=True, expected_version=None, progress=text,
        now=at(2026, 3, 26, 9),
    )  # fmt: skip


@pytest.fixture
def two_tasks(world, assign, member):
    tasks = [world.task, *(TaskFactory(campaign=world.campaign, number=str(n)) for n in (3, 4, 5))]
    for task in tasks[1:]:
        assign(task, world.lead)
    open_periods(at(2026, 3, 26, 9))
    return tasks, [world.lead_liaison, member(world.lead), member(world.lead), member(world.lead)]


def counts(world):
    return PeriodUnitSummary.objects.values(*summary.COUNTS).get(period=world.period, unit=world.lead, role="lead")


def test_two_liaisons_submitting_at_once_are_both_counted(world, two_tasks):
    tasks, liaisons = two_tasks
    outcomes = race(*(
        submitting(liaison, task, world.lead, world.period, f"任务{task.number}进展")
        for liaison, task in zip(liaisons, tasks, strict=True)
    ))  # fmt: skip
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    row = counts(world)
    assert (row["owed"], row["unfiled"], row["awaiting_review"], row["on_time"]) == (4, 0, 4, 4)
    assert summary.differences(EVERYTHING) == []


def test_a_recompute_beside_submissions_loses_none(world, two_tasks):
    tasks, liaisons = two_tasks
    calls = [
        submitting(liaison, task, world.lead, world.period, f"任务{task.number}进展")
        for liaison, task in zip(liaisons, tasks, strict=True)
    ]
    calls.append(lambda: summary.refresh([(world.period.pk, world.lead.pk)]))
    outcomes = race(*calls)
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert counts(world)["awaiting_review"] == 4
    assert summary.differences(EVERYTHING) == []
