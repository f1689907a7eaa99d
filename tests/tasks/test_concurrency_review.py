"""The office's decisions at the same moment on PostgreSQL with real threads (issue 7): two
tabs accepting the same selection accept each report once; closing a task off while its
extension is approved neither deadlocks nor moves a closed task's deadline."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from tasks.models import Decision, ExtensionRequest, ProgressReport, Task
from tasks.services import (
    completion_request_create,
    completion_request_decide,
    extension_request_create,
    extension_request_decide,
    reports_accept,
)
from tests.factories import ProgressReportFactory

from ..conftest import at
from .test_concurrency import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_tabs_accepting_the_same_selection_accept_each_report_once(world):
    reports = [
        ProgressReportFactory(
            task=world.task, unit=unit, period=world.period, status="submitted",
            submitted_at=at(2026, 3, 26, 9),
        )
        for unit in (world.lead, world.support)
    ]  # fmt: skip
    ids = [report.pk for report in reports]
    outcomes = race(*[lambda: reports_accept(user=world.office, campaign=world.task.campaign, report_ids=ids)] * 2)
    assert sorted(len(accepted) for accepted in outcomes) == [0, 2]
    assert set(ProgressReport.objects.values_list("status", flat=True)) == {"accepted"}
    for report in reports:
        assert report.history.filter(history_change_reason="accept").count() == 1


def test_closing_off_while_approving_an_extension_leaves_a_consistent_task(world):
    today = datetime.date(2026, 3, 26)
    completion = completion_request_create(user=world.lead_liaison, task=world.task, unit=world.lead, summary="完成")
    extension = extension_request_create(
        user=world.lead_liaison, task=world.task, unit=world.lead, requested_deadline=datetime.date(2026, 11, 30),
        reason="汛期影响", today=today,
    )  # fmt: skip
    outcomes = race(
        lambda: completion_request_decide(user=world.office, request_id=completion.pk, approve=True),
        lambda: extension_request_decide(user=world.office, request_id=extension.pk, approve=True),
    )
    # No deadlock and no server error: at most a refusal of the extension, closed meanwhile.
    assert not any(isinstance(o, Exception) and not isinstance(o, ValidationError) for o in outcomes), outcomes
    task = Task.objects.get(pk=world.task.pk)
    extension.refresh_from_db()
    assert task.status == Task.Status.CLOSED
    if extension.status == Decision.APPROVED:  # decided first, then the task was closed off
        assert task.deadline == datetime.date(2026, 11, 30)
    else:
        assert extension.status == Decision.REJECTED and task.deadline == datetime.date(2026, 10, 31)
    assert not ExtensionRequest.objects.filter(status=Decision.PENDING).exists()
