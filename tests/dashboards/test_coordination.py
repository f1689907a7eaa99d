"""Open coordination requests (tasks.selectors.coordination.open_items): the latest filed word of
each unit on an open task, asking for coordination."""

import pytest
from django.utils import timezone

from tasks.ledger import read
from tasks.ledger.check import Scope
from tasks.ledger.sync import restate
from tasks.models import ProgressReport, Task
from tasks.selectors.coordination import open_items
from tests.factories import ProgressReportFactory

pytestmark = pytest.mark.django_db


def file_report(r, period, *, task=None, unit=None, ask=True, status="submitted", text="请区政府协调用地指标"):
    return ProgressReportFactory(
        task=task or r.task, unit=unit or r.lead, period=period, status=status,
        submitted_at=None if status == "draft" else timezone.now(),
        needs_coordination=ask, coordination_request=text if ask else "",
    )  # fmt: skip


def open_reports(user):
    return sorted(open_items(read.visible(user)).values_list("report_id", flat=True))


def earlier(r, steps=1):
    return r.campaign.periods.get(number=r.past.number - steps)


def test_a_filed_request_is_open(reporting):
    report = file_report(reporting, reporting.past)
    assert open_reports(reporting.office) == [report.pk]
    assert open_reports(reporting.leader) == [report.pk]


def test_a_later_report_without_coordination_closes_the_item(reporting):
    file_report(reporting, earlier(reporting))
    file_report(reporting, reporting.past, ask=False)
    assert open_reports(reporting.office) == []


def test_a_later_request_takes_the_place_of_the_earlier(reporting):
    file_report(reporting, earlier(reporting))
    later = file_report(reporting, reporting.past, text="仍需协调资金")
    assert open_reports(reporting.office) == [later.pk]


def test_each_unit_has_its_own_latest_word(reporting):
    lead = file_report(reporting, earlier(reporting))
    file_report(reporting, reporting.past, unit=reporting.support, ask=False)
    assert open_reports(reporting.office) == [lead.pk]


def test_a_draft_never_counts(reporting):
    file_report(reporting, reporting.past, status="draft")
    assert open_reports(reporting.office) == []
    assert open_reports(reporting.lead_liaison) == []


def test_a_draft_after_a_filed_request_leaves_it_open(reporting):
    asked = file_report(reporting, earlier(reporting))
    file_report(reporting, reporting.past, ask=False, status="draft")
    assert open_reports(reporting.office) == [asked.pk]


def test_a_returned_report_still_asks(reporting):
    report = file_report(reporting, reporting.past, status=ProgressReport.Status.RETURNED)
    assert open_reports(reporting.office) == [report.pk]


def test_a_closed_tasks_items_are_not_open(reporting):
    file_report(reporting, reporting.past)
    Task.objects.filter(pk=reporting.task.pk).update(status=Task.Status.CLOSED, closed_at=timezone.now())
    restate(Scope(task_ids=frozenset({reporting.task.pk})))
    assert open_reports(reporting.office) == []


def test_the_ledger_check_finds_a_wrong_stored_request_and_the_fix_restores_it(reporting):
    """The answer is stored on the obligation (tasks.ledger.coordination): ledger_check compares
    it with the definition, and restate (ledger_check --fix) writes it back."""
    from tasks.ledger.check import differences
    from tasks.ledger.models import Obligation

    report = file_report(reporting, reporting.past)
    Obligation.objects.filter(report=report).update(coordination_open=False)
    found = differences()
    assert len(found) == 1 and "open coordination request stored False, expected True" in found[0]
    restate(Scope(task_ids=frozenset({reporting.task.pk})))
    assert differences() == [] and open_reports(reporting.office) == [report.pk]


def test_closing_the_task_through_the_service_closes_its_requests_at_once(reporting):
    from tasks.changes import tasks_changed

    file_report(reporting, reporting.past)
    Task.objects.filter(pk=reporting.task.pk).update(status=Task.Status.CLOSED, closed_at=timezone.now())
    tasks_changed([reporting.task.pk])  # what every service that closes or reopens a task calls
    assert open_reports(reporting.office) == []


def test_a_request_ticked_in_a_returned_reports_fix_counts_at_once(reporting):
    """A returned report is still filed while its fix is drafted (the ledger's returned state), so
    the request in the fix's draft is the unit's latest word, as it was before the return."""
    from tasks import services

    r = reporting
    report = file_report(r, r.past, ask=False)
    services.report_review(user=r.office, report_id=report.pk, accept=False, comment="请补充协调事项")
    services.report_save(
        user=r.lead_liaison, task=r.task, unit=r.lead, period=r.past, expected_version=report.version + 1,
        submit=False, progress="补充", needs_coordination=True, coordination_request="请区政府协调用地指标",
    )  # fmt: skip
    assert open_reports(r.office) == [report.pk]
