"""Two requests at the same moment (two tabs, a double click) on PostgreSQL with real threads:
one report, one decision, one pending application — and no lost update."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from tasks.models import CompletionRequest, ProgressReport, Task
from tasks.services import (
    ConcurrentUpdate,
    completion_request_create,
    completion_request_decide,
    report_save,
)

from ..conftest import at

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(*calls):
    """Run the calls at once in threads; return each one's result or the exception it raised."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            outcomes[index] = call()
        except Exception as error:  # the outcome under test
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def save(world, text, version, submit=True):
    return lambda: report_save(
        user=world.lead_liaison, task=world.task, unit=world.lead, period=world.period, progress=text,
        percent_complete=50, expected_version=version, submit=submit, now=at(2026, 3, 26, 9),
    )  # fmt: skip


def test_two_tabs_submitting_a_new_report_make_one_report(world):
    outcomes = race(save(world, "标签页一", None), save(world, "标签页二", None))
    assert sorted(type(o).__name__ for o in outcomes) == ["ConcurrentUpdate", "ProgressReport"]
    report = ProgressReport.objects.get()
    winner = next(o for o in outcomes if isinstance(o, ProgressReport))
    assert report.progress == winner.progress and report.status == ProgressReport.Status.SUBMITTED


def test_two_saves_of_the_same_version_lose_no_update(world):
    save(world, "草稿", None, submit=False)()
    outcomes = race(save(world, "甲", 1, submit=False), save(world, "乙", 1, submit=False))
    assert sum(isinstance(o, ConcurrentUpdate) for o in outcomes) == 1
    winner = next(o for o in outcomes if isinstance(o, ProgressReport))
    report = ProgressReport.objects.get()
    assert report.version == 2 and report.progress == winner.progress


def test_two_completion_applications_at_once_leave_one_pending(world):
    def apply(text):
        return lambda: completion_request_create(
            user=world.lead_liaison, task=world.task, unit=world.lead, summary=text
        )

    outcomes = race(apply("申请一"), apply("申请二"))
    assert sum(isinstance(o, ValidationError) for o in outcomes) == 1
    assert CompletionRequest.objects.count() == 1


def test_two_office_clicks_decide_once(world):
    request = completion_request_create(user=world.lead_liaison, task=world.task, unit=world.lead, summary="完成")
    decide = lambda: completion_request_decide(user=world.office, request_id=request.pk, approve=True)  # noqa: E731
    outcomes = race(decide, decide)
    assert sum(isinstance(o, ValidationError) for o in outcomes) == 1
    assert Task.objects.get(pk=world.task.pk).status == Task.Status.CLOSED
    assert Task.history.filter(id=world.task.pk, history_change_reason="closed off").count() == 1
