"""The summary per period × unit × role (PeriodUnitSummary) follows every writer of the ledger in
the same transaction, and ledger_check compares it with the obligations summed."""

import io

import pytest
from django.core.management import CommandError, call_command

from campaigns.models import ReportingPeriod
from tasks.assignments import assignment_add, assignment_remove
from tasks.ledger import summary
from tasks.ledger.check import EVERYTHING
from tasks.ledger.models import Obligation, PeriodSummary, PeriodUnitSummary
from tasks.ledger.sync import open_periods, tasks_delete
from tasks.models import ProgressReport, Task
from tasks.services import (
    completion_request_create,
    completion_request_decide,
    report_review,
    report_save,
    reports_accept,
)

from ..conftest import at
from ..factories import ProgressReportFactory, TaskFactory

pytestmark = pytest.mark.django_db


def row(period, unit, role="lead") -> dict:
    found = PeriodUnitSummary.objects.filter(period=period, unit=unit, role=role).values(*summary.COUNTS).first()
    return found or {}


def submit(world, unit, period, text, *, version=None, when=None, task=None, user=None):
    return report_save(
        user=user or (world.lead_liaison if unit == world.lead else world.support_liaison), task=task or world.task,
        unit=unit, period=period, submit=True, expected_version=version, progress=text,
        now=when or at(2026, 3, 26, 9),
    )  # fmt: skip


def test_a_submission_a_return_a_fix_and_an_acceptance_move_the_units_row(world):
    open_periods(at(2026, 3, 26, 9))
    assert row(world.previous_period, world.lead) == dict.fromkeys(summary.COUNTS, 0) | {"owed": 1, "unfiled": 1}

    report = submit(world, world.lead, world.previous_period, "第三周进展", when=at(2026, 3, 21, 9))  # late
    assert row(world.previous_period, world.lead) | {} == {
        **dict.fromkeys(summary.COUNTS, 0), "owed": 1, "late": 1, "awaiting_review": 1
    }  # fmt: skip

    report_review(user=world.office, report_id=report.pk, accept=False, comment="请补充。", now=at(2026, 3, 23, 9))
    counts = row(world.previous_period, world.lead)
    assert (counts["returned"], counts["returns"], counts["awaiting_review"]) == (1, 1, 0)

    report = submit(world, world.lead, world.previous_period, "已补充具体数据", version=report.version + 1,
                    when=at(2026, 3, 24, 9))  # fmt: skip
    counts = row(world.previous_period, world.lead)
    assert (counts["returned"], counts["resubmitted"], counts["awaiting_review"], counts["fix_late"]) == (0, 1, 1, 0)

    report_review(user=world.office, report_id=report.pk, accept=True, now=at(2026, 3, 25, 9))
    counts = row(world.previous_period, world.lead)
    assert (counts["accepted"], counts["resubmitted"], counts["awaiting_review"], counts["late"]) == (1, 0, 0, 1)
    assert summary.differences(EVERYTHING) == []


def test_a_draft_changes_nothing_counted(world):
    open_periods(at(2026, 3, 26, 9))
    report_save(
        user=world.support_liaison, task=world.task, unit=world.support, period=world.period, submit=False,
        expected_version=None, progress="草稿", now=at(2026, 3, 26, 9),
    )  # fmt: skip
    assert row(world.period, world.support, "support")["unfiled"] == 1


def test_accepting_several_reports_at_once_counts_each(world, assign, member):
    second = TaskFactory(campaign=world.campaign, number="3")
    assign(second, world.lead)
    reports = [
        submit(world, world.lead, world.period, "任务一进展"),
        submit(world, world.lead, world.period, "任务三进展", task=second),
        submit(world, world.support, world.period, "配合进展"),
    ]
    assert row(world.period, world.lead)["awaiting_review"] == 2
    reports_accept(user=world.office, campaign=world.campaign, report_ids=[r.pk for r in reports], now=at(2026, 3, 27))
    assert row(world.period, world.lead)["accepted"] == 2 and row(world.period, world.lead)["awaiting_review"] == 0
    assert row(world.period, world.support, "support")["accepted"] == 1


def test_a_unit_put_on_and_taken_off_a_task_or_changing_role_moves_its_rows(world):
    open_periods(at(2026, 3, 26, 9))
    assert row(world.period, world.support, "support")["owed"] == 1
    assignment_add(task=world.task, unit=world.support, role="lead", now=at(2026, 3, 26, 10))
    assert row(world.period, world.support, "support") == {}  # its obligations took the new role
    assert row(world.period, world.support, "lead")["owed"] == 4 - 3  # this task only; not the other rows
    assert row(world.previous_period, world.support, "lead")["owed"] == 1
    assignment_remove(task=world.task, unit=world.support, now=at(2026, 3, 26, 11))
    # Period 4 is not due when the unit is taken off: nothing owed there any more.
    assert row(world.period, world.support, "lead") == {}
    assert row(world.previous_period, world.support, "lead")["owed"] == 1


def test_a_task_closed_off_owes_nothing_for_later_periods_in_the_summary(world):
    open_periods(at(2026, 3, 28, 1))  # period 5 open
    period5 = world.campaign.periods.get(number=5)
    assert row(period5, world.lead)["owed"] == 1
    request = completion_request_create(user=world.lead_liaison, task=world.task, unit=world.lead, summary="完成")
    completion_request_decide(user=world.office, request_id=request.pk, approve=True, now=at(2026, 3, 28, 9))
    assert row(period5, world.lead) == {}


def test_a_task_deleted_takes_its_counts_with_it(world, assign):
    second = TaskFactory(campaign=world.campaign, number="3")
    assign(second, world.lead)
    open_periods(at(2026, 3, 26, 9))
    assert row(world.period, world.lead)["owed"] == 2
    tasks_delete([second.pk])
    assert not Task.objects.filter(pk=second.pk).exists()
    assert row(world.period, world.lead)["owed"] == 1


def test_a_period_deleted_takes_its_rows_with_it(world):
    open_periods(at(2026, 3, 26, 9))
    last = world.campaign.periods.order_by("-number").first()
    assert PeriodUnitSummary.objects.filter(period=world.period).exists()
    ReportingPeriod.objects.filter(pk=world.period.pk).delete()
    assert not PeriodUnitSummary.objects.filter(period_id=world.period.pk).exists()
    assert last.pk  # the others stay
    assert summary.differences(EVERYTHING) == []


def test_reports_written_by_the_factories_are_summed_with_their_stale_flag(world):
    ProgressReportFactory(
        task=world.task, unit=world.lead, period=world.previous_period, status="submitted", stale=True,
        submitted_at=at(2026, 3, 19, 9),
    )  # fmt: skip
    counts = row(world.previous_period, world.lead)
    assert (counts["stale"], counts["awaiting_review"], counts["on_time"]) == (1, 1, 1)


def ledger_check(*args):
    out = io.StringIO()
    try:
        call_command("ledger_check", *args, stdout=out)
    except CommandError as error:
        return out.getvalue(), error
    return out.getvalue(), None


@pytest.mark.ledger_unchecked
def test_ledger_check_finds_a_wrong_summary_and_fix_rebuilds_it(world):
    submit(world, world.lead, world.period, "进展")
    PeriodUnitSummary.objects.filter(period=world.period, unit=world.lead).update(awaiting_review=5)
    PeriodUnitSummary.objects.filter(period=world.previous_period, unit=world.support).delete()
    out, error = ledger_check()
    # Each wrong row per unit, and each period row that no longer is its rows per unit added up.
    assert error is not None and "4 difference(s)" in str(error)
    assert f"summary of period {world.period.pk}, unit {world.lead.pk}, role 'lead'" in out
    assert f"summary of period {world.previous_period.pk}, unit {world.support.pk}, role 'support': missing" in out
    assert f"summary of period {world.period.pk}: stored" in out
    assert f"summary of period {world.previous_period.pk}: stored" in out
    out, error = ledger_check("--fix")
    assert error is None and "0 differences" in out
    assert row(world.period, world.lead)["awaiting_review"] == 1
    assert PeriodSummary.objects.get(period=world.period).awaiting_review == 1


@pytest.mark.ledger_unchecked
def test_ledger_check_finds_a_wrong_period_row_and_fix_recounts_it(world):
    submit(world, world.lead, world.period, "进展")
    PeriodSummary.objects.filter(period=world.period).update(on_time=7)
    PeriodSummary.objects.filter(period=world.previous_period).delete()
    out, error = ledger_check()
    assert error is not None and "2 difference(s)" in str(error)
    assert f"summary of period {world.previous_period.pk}: missing" in out
    out, error = ledger_check("--fix")
    assert error is None and "0 differences" in out
    on_time = sum(PeriodUnitSummary.objects.filter(period=world.period).values_list("on_time", flat=True))
    assert PeriodSummary.objects.get(period=world.period).on_time == on_time != 7


def test_the_summary_equals_the_obligations_summed_after_a_busy_week(world):
    for unit, period, late in [
        (world.lead, world.previous_period, False),
        (world.support, world.previous_period, True),
    ]:
        submit(world, unit, period, f"{unit}进展", when=at(2026, 3, 21 if late else 19, 9))
    Obligation.objects.filter(unit=world.lead, period=world.previous_period).values_list("state", flat=True)
    assert summary.differences(EVERYTHING) == []
    total = PeriodUnitSummary.objects.filter(campaign=world.campaign).values_list("owed", flat=True)
    assert sum(total) == Obligation.objects.filter(campaign=world.campaign).count()
    assert ProgressReport.objects.count() == 2


def test_seed_scale_copies_some_weeks_and_fills_the_summary_set_based(world):
    from demo.scale.summary import copy_previous_weeks

    for number, text in ((2, "第二周进展"), (3, "第三周进展")):
        period = world.campaign.periods.get(number=number)
        for unit in (world.lead, world.support):
            ProgressReportFactory(
                task=world.task, unit=unit, period=period, status="accepted", submitted_at=period.due_at,
                progress=f"{unit}{text}",
            )  # fmt: skip
    assert copy_previous_weeks(one_in=1) == 2  # week 3 of both units: week 2 is filed before it
    copied = ProgressReport.objects.get(unit=world.lead, period=world.previous_period)
    assert copied.progress == f"{world.lead}第二周进展" and copied.stale and copied.similarity == 100
    PeriodUnitSummary.objects.all().delete()
    assert summary.rebuild_all() == PeriodUnitSummary.objects.count() > 0
    assert summary.differences(EVERYTHING) == []
    assert row(world.previous_period, world.lead)["stale"] == 1


def test_a_task_deleted_in_the_admin_takes_its_counts_with_it(world, assign, client):
    from django.urls import reverse

    from ..factories import UserFactory

    second = TaskFactory(campaign=world.campaign, number="3")
    assign(second, world.lead)
    open_periods(at(2026, 3, 26, 9))
    assert row(world.period, world.lead)["owed"] == 2
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    response = client.post(reverse("admin:tasks_task_delete", args=[second.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Task.objects.filter(pk=second.pk).exists()
    assert row(world.period, world.lead)["owed"] == 1
