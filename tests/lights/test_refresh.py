"""lights.services.refresh over the real ledger: what it reads (streaks, the last period, fixes,
the lead units' percent), what it stores (since, the week's row), idempotence and query counts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lights import rules
from lights import services as light_services
from lights.models import Light, TaskLight, TaskLightWeek
from lights.services import attention_mark
from tasks import services as task_services
from tasks.models import Task
from tests.conftest import at
from tests.factories import (
    CompletionRequestFactory,
    ExtensionRequestFactory,
    LightRuleFactory,
    ProgressReportFactory,
    TaskFactory,
    UnitFactory,
)
from tests.lights.helpers import refresh

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_lights_yet(request):
    """Putting units on tasks (the world's fixtures) computed lights as of today: start afresh."""
    if "world" in request.fixturenames:
        request.getfixturevalue("world")
        TaskLightWeek.objects.all().delete()
        TaskLight.objects.all().delete()


def file(w, unit, number, *, late=False, percent=30, status="submitted"):
    period = w.campaign.periods.get(number=number)
    submitted_at = period.due_at + datetime.timedelta(hours=2 if late else -2)
    return ProgressReportFactory(task=w.task, unit=unit, period=period, status=status, submitted_at=submitted_at,
                                 is_late=late, percent_complete=percent)  # fmt: skip


def light(task):
    return TaskLight.objects.get(task=task)


def codes(task):
    return [reason["code"] for reason in light(task).reasons]


# World: campaign from Monday 2 March 2026, weekly periods due Friday 18:00; task 1's deadline 31 Oct.
TUESDAY_WEEK_4 = at(2026, 3, 24)  # periods 1–3 due (6, 13, 20 March)


def test_a_unit_missing_two_periods_in_a_row_turns_the_task_red(world):
    w = world
    for number in (1, 2, 3):
        file(w, w.lead, number)
    file(w, w.support, 1)
    refresh(task_ids=[w.task.pk], now=TUESDAY_WEEK_4)
    assert light(w.task).light == Light.RED
    reason = light(w.task).reasons[0]
    assert reason["code"] == rules.MISSING_IN_A_ROW and reason["params"] == {"unit": "区财政局", "count": 2}


def test_one_missing_period_is_yellow_and_the_threshold_is_the_campaigns(world):
    w = world
    for number in (1, 2, 3):
        file(w, w.lead, number)
    for number in (1, 2):
        file(w, w.support, number)
    refresh(task_ids=[w.task.pk], now=TUESDAY_WEEK_4)
    assert light(w.task).light == Light.YELLOW and codes(w.task) == [rules.LAST_MISSING]
    # One missing period is red where the office says so.
    LightRuleFactory(campaign=w.campaign, red_missing_periods=1)
    refresh(campaign_ids=[w.campaign.pk], now=TUESDAY_WEEK_4)
    assert light(w.task).light == Light.RED and codes(w.task) == [rules.MISSING_IN_A_ROW]


def test_a_late_report_of_the_last_period_is_yellow_an_earlier_one_not(world):
    w = world
    file(w, w.lead, 1, late=True)
    file(w, w.lead, 2)
    file(w, w.lead, 3, late=True)
    for number in (1, 2, 3):
        file(w, w.support, number)
    refresh(task_ids=[w.task.pk], now=TUESDAY_WEEK_4)
    assert codes(w.task) == [rules.LAST_LATE]
    assert light(w.task).reasons[0]["params"] == {"unit": "区发展和改革局", "period": 3}


def test_a_returned_report_is_yellow_until_its_fix_deadline_then_red(world, worker_after_commit):
    w = world
    for number in (1, 2):
        file(w, w.lead, number)
    for number in (1, 2, 3):
        file(w, w.support, number)
    report = file(w, w.lead, 3)
    # Returned on Monday 23 March: the fix is due two working days later, Wednesday 25 March 18:00.
    with worker_after_commit():
        task_services.report_review(user=w.office, report_id=report.pk, accept=False, comment="数据不全",
                                    now=at(2026, 3, 23, 10))  # fmt: skip
    assert codes(w.task) == [rules.LAST_RETURNED]  # refreshed after the review
    refresh(task_ids=[w.task.pk], now=at(2026, 3, 25, 17, 59))
    assert light(w.task).light == Light.YELLOW
    refresh(task_ids=[w.task.pk], now=at(2026, 3, 25, 18, 0))
    assert light(w.task).light == Light.RED and codes(w.task) == [rules.FIX_OVERDUE]
    assert light(w.task).reasons[0]["params"]["date"] == "2026-03-25"


def test_progress_is_the_mean_of_the_lead_units_latest_reports(world, assign):
    w = world
    second_lead = UnitFactory(name="区住房和城乡建设局")
    assign(w.task, second_lead, "lead")
    w.task.deadline = datetime.date(2026, 6, 10)  # 100 days after the start: on 21 April, 50% elapsed
    w.task.save()
    for number in range(1, 7):
        file(w, w.lead, number, percent=10 * number)  # latest: 60
        file(w, second_lead, number, percent=0)  # latest: 0 → mean 30: exactly 20 points behind
        file(w, w.support, number, percent=100)  # a supporting unit's percent does not count
    for number in range(7, 8):
        file(w, w.lead, number, percent=58)
        file(w, second_lead, number, percent=0)
        file(w, w.support, number)
    tuesday = at(2026, 4, 21)  # period 7 (13–17 April) is the last due; 50 of 100 days elapsed
    refresh(task_ids=[w.task.pk], now=tuesday)
    assert light(w.task).light == Light.YELLOW and codes(w.task) == [rules.BEHIND]  # mean 29: 21 behind
    assert light(w.task).reasons[0]["params"] == {"percent": 29, "behind": 21}


def test_closing_a_task_off_turns_it_closed_and_extending_its_deadline_moves_its_light(world, worker_after_commit):
    w = world
    for number in (1, 2, 3):
        file(w, w.lead, number, percent=95)
        file(w, w.support, number)
    Task.objects.filter(pk=w.task.pk).update(deadline=datetime.date(2026, 3, 27))
    extension = ExtensionRequestFactory(task=w.task, unit=w.lead, requested_by=w.lead_liaison)
    refresh(task_ids=[w.task.pk], now=TUESDAY_WEEK_4)
    assert codes(w.task) == [rules.DEADLINE_NEAR]
    with worker_after_commit():
        task_services.extension_request_decide(user=w.office, request_id=extension.pk, approve=True, now=TUESDAY_WEEK_4)
    assert light(w.task).light == Light.GREEN  # refreshed after the decision: 26 April is far off
    completion = CompletionRequestFactory(task=w.task, unit=w.lead, requested_by=w.lead_liaison)
    with worker_after_commit():
        task_services.completion_request_decide(
            user=w.office, request_id=completion.pk, approve=True, now=TUESDAY_WEEK_4
        )
    assert light(w.task).light == Light.CLOSED


def test_refresh_is_idempotent_and_keeps_since_while_the_colour_stays(world):
    w = world
    first = refresh(task_ids=[w.task.pk], now=TUESDAY_WEEK_4)
    red = light(w.task)
    assert first == 1 and red.light == Light.RED and red.since == TUESDAY_WEEK_4
    assert refresh(task_ids=[w.task.pk], now=TUESDAY_WEEK_4) == 0  # twice: nothing changes
    later = TUESDAY_WEEK_4 + datetime.timedelta(hours=3)
    assert refresh(task_ids=[w.task.pk], now=later) == 0
    again = light(w.task)
    assert (again.light, again.reasons, again.since, again.computed_at) == (red.light, red.reasons, red.since, later)
    assert TaskLight.objects.count() == 1 and TaskLightWeek.objects.filter(task=w.task).count() == 1


def test_each_week_keeps_its_light(world):
    w = world
    refresh(task_ids=[w.task.pk], now=TUESDAY_WEEK_4)  # nothing filed: red in week 4
    for number in (1, 2, 3, 4):
        file(w, w.lead, number)
        file(w, w.support, number)
    refresh(task_ids=[w.task.pk], now=at(2026, 3, 31))  # week 5: every report in
    weeks = list(TaskLightWeek.objects.filter(task=w.task).order_by("period__number").values_list(
        "period__number", "light"))  # fmt: skip
    assert weeks == [(4, Light.RED), (5, Light.GREEN)]
    assert light(w.task).since == at(2026, 3, 31)  # turned green then


def test_attention_starts_a_green_task_at_yellow(world):
    w = world
    for number in (1, 2, 3):
        file(w, w.lead, number)
        file(w, w.support, number)
    refresh(task_ids=[w.task.pk], now=TUESDAY_WEEK_4)
    assert light(w.task).light == Light.GREEN
    attention_mark(user=w.office, task=w.task, note="涉及征地", now=TUESDAY_WEEK_4)
    assert light(w.task).light == Light.YELLOW and codes(w.task) == [rules.ATTENTION]


def test_submitting_a_report_refreshes_the_light_once_committed(world, django_capture_on_commit_callbacks):
    """The light is recomputed by a worker after the submission commits (lights.tasks): the
    submission itself spends no statement on it."""
    from config.celery import app

    w = world
    for number in (1, 2):
        file(w, w.lead, number)
        file(w, w.support, number)
    file(w, w.support, 3)
    refresh(task_ids=[w.task.pk], now=TUESDAY_WEEK_4)
    assert codes(w.task) == [rules.LAST_MISSING]
    with django_capture_on_commit_callbacks() as callbacks:
        task_services.report_save(user=w.lead_liaison, task=w.task, unit=w.lead, period=w.campaign.periods.get(number=3),
                                  expected_version=None, submit=True, now=TUESDAY_WEEK_4, progress="补报")  # fmt: skip
    assert codes(w.task) == [rules.LAST_MISSING]  # not yet: nothing has committed
    app.conf.task_always_eager = True  # the worker, in this process
    try:
        for callback in callbacks:
            callback()
    finally:
        app.conf.task_always_eager = False
    assert codes(w.task) == [rules.LAST_LATE]


def many_tasks(w, assign, count):
    tasks = [
        TaskFactory(campaign=w.campaign, number=f"9.{n}", deadline=datetime.date(2026, 3, 27)) for n in range(count)
    ]
    for task in tasks:
        assign(task, w.lead, "lead")
        assign(task, w.support, "support")
    return tasks


def count_queries(tasks, now):
    with CaptureQueriesContext(connection) as queries:
        refresh(task_ids=[task.pk for task in tasks], now=now)
    return queries


def test_refresh_runs_the_same_queries_for_3_and_30_tasks(world, assign):
    w = world
    tasks = many_tasks(w, assign, 30)
    for task in tasks[:2] + tasks[10:12]:
        ProgressReportFactory(task=task, unit=w.lead, period=w.campaign.periods.get(number=3), status="submitted",
                              submitted_at=at(2026, 3, 20), percent_complete=10)  # fmt: skip
    refresh(task_ids=[tasks[-1].pk], now=TUESDAY_WEEK_4)  # the periods are opened once for all
    few, all_of_them = count_queries(tasks[:3], TUESDAY_WEEK_4), count_queries(tasks, TUESDAY_WEEK_4)
    assert TaskLight.objects.filter(task__in=tasks, light=Light.RED).count() == 30
    # 8; the week rows as stored; the time of the lights judged the same again (only when there
    # are such lights); 3 for the period's counts (lights.weeks.recount: lock, count, store).
    assert len(few) <= 13 and len(all_of_them) <= 13, "\n".join(q["sql"][:150] for q in all_of_them.captured_queries)


def test_a_refresh_that_changes_nothing_writes_no_light_again(world, assign):
    """The hourly re-run: lights and weeks judged the same are not rewritten, only their time."""
    w = world
    tasks = many_tasks(w, assign, 5)
    refresh(task_ids=[task.pk for task in tasks], now=TUESDAY_WEEK_4)
    later = TUESDAY_WEEK_4 + datetime.timedelta(hours=1)
    with CaptureQueriesContext(connection) as queries:
        assert light_services.refresh(task_ids=[task.pk for task in tasks], now=later) == 0
    written = [q["sql"] for q in queries.captured_queries if q["sql"].startswith(("INSERT", "UPDATE"))]
    assert len(written) == 1 and written[0].startswith('UPDATE "lights_tasklight" SET "computed_at"')
    assert set(TaskLight.objects.filter(task__in=tasks).values_list("computed_at", flat=True)) == {later}
