"""The weekly history filled in for past weeks (lights.history.backfill) and the beat job."""

import datetime

import pytest

from lights.history import backfill
from lights.models import Light, TaskLight, TaskLightWeek
from supervision.jobs import run_job
from tasks.ledger.read import ensure_open
from tests.conftest import at
from tests.factories import ProgressReportFactory
from tests.lights.helpers import refresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(world):
    TaskLightWeek.objects.all().delete()
    TaskLight.objects.all().delete()
    return world


def weeks(task):
    return dict(TaskLightWeek.objects.filter(task=task).values_list("period__number", "light"))


def test_backfill_judges_each_past_week_from_the_ledger(w):
    # The lead files periods 1–4 on time, period 2 only on the following Tuesday; the support
    # unit files nothing until period 3 (late), so it was missing 1 and 2 in a row at week 2's end.
    for number in (1, 3, 4):
        period = w.campaign.periods.get(number=number)
        ProgressReportFactory(task=w.task, unit=w.lead, period=period, status="submitted",
                              submitted_at=period.due_at - datetime.timedelta(hours=1), percent_complete=90)  # fmt: skip
    period2 = w.campaign.periods.get(number=2)
    ProgressReportFactory(task=w.task, unit=w.lead, period=period2, status="submitted",
                          submitted_at=period2.due_at + datetime.timedelta(days=4), is_late=True, percent_complete=90)  # fmt: skip
    for number in (3, 4):
        period = w.campaign.periods.get(number=number)
        ProgressReportFactory(task=w.task, unit=w.support, period=period, status="submitted",
                              submitted_at=period.due_at + datetime.timedelta(hours=1), is_late=True)  # fmt: skip
    for number in (1, 2):  # filed much later: missing in the weeks gone by
        period = w.campaign.periods.get(number=number)
        ProgressReportFactory(task=w.task, unit=w.support, period=period, status="submitted",
                              submitted_at=at(2026, 3, 31), is_late=True)  # fmt: skip
    ensure_open(now=at(2026, 4, 1))
    added = backfill([w.campaign.pk], now=at(2026, 4, 1))
    assert added == 2 * 4  # two tasks, periods 1–4 ended before 1 April
    assert weeks(w.task) == {1: Light.YELLOW, 2: Light.RED, 3: Light.YELLOW, 4: Light.YELLOW}
    week2 = TaskLightWeek.objects.get(task=w.task, period__number=2)
    assert [r["code"] for r in week2.reasons] == ["missing_in_a_row", "last_missing"]
    assert backfill([w.campaign.pk], now=at(2026, 4, 1)) == 0  # again: nothing to add


def test_backfill_keeps_the_weeks_recorded_live(w):
    # Week 2, live on Tuesday: period 1 missing, yellow. Judged at the week's end it would be red
    # (period 2 missing too), but the live row stands.
    refresh(task_ids=[w.task.pk], now=at(2026, 3, 10))
    ensure_open(now=at(2026, 3, 17))
    backfill([w.campaign.pk], now=at(2026, 3, 17))
    assert weeks(w.task) == {1: Light.YELLOW, 2: Light.YELLOW}
    assert TaskLightWeek.objects.get(task=w.task, period__number=2).reasons[0]["code"] == "last_missing"


def test_the_beat_job_refreshes_every_task_of_the_active_campaigns_once(w):
    first = run_job("refresh_lights", at(2026, 3, 24))
    assert first.lights_changed == 2 and TaskLight.objects.count() == 2
    again = run_job("refresh_lights", at(2026, 3, 24, 10))
    assert again.lights_changed == 0 and TaskLight.objects.count() == 2
