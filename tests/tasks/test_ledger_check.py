"""manage.py ledger_check (the ledger rebuilt from scratch and compared) and the opening of
periods (tasks.ledger.sync.open_periods): by the job, and on first access when it has not run."""

import io

import pytest
from django.core.management import CommandError, call_command

from campaigns.models import Campaign, ReportingPeriod
from campaigns.services import ensure_reporting_periods
from tasks.ledger import read, states
from tasks.ledger.models import Obligation
from tasks.ledger.sync import open_periods
from tasks.models import ProgressReport
from tasks.services import report_review, report_save

from ..conftest import at
from ..factories import CampaignFactory, TaskFactory, UnitFactory

pytestmark = pytest.mark.django_db


def ledger_check(*args) -> tuple[str, CommandError | None]:
    out = io.StringIO()
    try:
        call_command("ledger_check", *args, stdout=out)
    except CommandError as error:
        return out.getvalue(), error
    return out.getvalue(), None


def scenario(world):
    """A few weeks of reporting: submitted, returned and fixed, accepted, missing."""
    report = report_save(
        user=world.lead_liaison, task=world.task, unit=world.lead, period=world.previous_period, submit=True,
        expected_version=None, progress="进展", now=at(2026, 3, 19, 10),
    )  # fmt: skip
    report_review(user=world.office, report_id=report.pk, accept=False, comment="请补充。", now=at(2026, 3, 20, 9))
    report = report_save(
        user=world.lead_liaison, task=world.task, unit=world.lead, period=world.previous_period, submit=True,
        expected_version=ProgressReport.objects.get(pk=report.pk).version, progress="已补充", now=at(2026, 3, 23, 9),
    )  # fmt: skip
    report_review(user=world.office, report_id=report.pk, accept=True, now=at(2026, 3, 24, 9))
    report_save(
        user=world.support_liaison, task=world.task, unit=world.support, period=world.period, submit=False,
        expected_version=None, progress="草稿", now=at(2026, 3, 26, 9),
    )  # fmt: skip


def test_ledger_check_finds_nothing_after_a_scenario(world):
    scenario(world)
    assert Obligation.objects.count() == 3 * 4  # three units on the campaign's tasks, periods 1–4
    out, error = ledger_check()
    assert error is None
    assert "0 differences" in out


@pytest.mark.ledger_unchecked
def test_ledger_check_lists_a_wrong_state_and_exits_non_zero(world):
    scenario(world)
    tampered = Obligation.objects.get(unit=world.lead, period=world.previous_period)
    Obligation.objects.filter(pk=tampered.pk).update(state=states.SUBMITTED)
    out, error = ledger_check()
    # The row, and its period × unit summary, which no longer sums the rows as stored.
    assert error is not None and "2 difference(s)" in str(error)
    assert f"obligation {tampered.pk} " in out and "state submitted" in out and "state accepted" in out


@pytest.mark.ledger_unchecked
def test_ledger_check_lists_a_missing_row_and_an_extra_one(world):
    scenario(world)
    gone = Obligation.objects.get(unit=world.support, period=world.previous_period)
    gone.delete()
    stranger = UnitFactory(name="区统计局")
    extra = Obligation.objects.create(
        campaign=world.campaign, task=world.task, unit=stranger, period=world.period,
        period_number=world.period.number, state=states.OWED,
    )  # fmt: skip
    out, error = ledger_check()
    # Each row, and each one's period × unit summary.
    assert error is not None and "4 difference(s)" in str(error)
    assert f"task {world.task.pk}, unit {world.support.pk}, period {world.previous_period.pk}: owed but not" in out
    assert f"obligation {extra.pk} " in out and "not owed" in out


@pytest.mark.ledger_unchecked
def test_ledger_check_fix_rebuilds_what_differs(world):
    scenario(world)
    Obligation.objects.filter(unit=world.lead, period=world.previous_period).update(state=states.OWED)
    Obligation.objects.filter(unit=world.support, period=world.previous_period).delete()
    Obligation.objects.create(
        campaign=world.campaign, task=world.task, unit=UnitFactory(), period=world.period,
        period_number=world.period.number, state=states.OWED,
    )  # fmt: skip
    # A period number that is not its period's (the order of a unit's reports reads it).
    Obligation.objects.filter(unit=world.lead, period=world.period).update(period_number=99)
    out, error = ledger_check()
    assert "stored period number 99" in out
    out, error = ledger_check("--fix")
    assert error is None and "0 differences" in out
    assert Obligation.objects.get(unit=world.lead, period=world.previous_period).state == states.ACCEPTED
    assert ledger_check()[1] is None


@pytest.mark.ledger_unchecked
def test_ledger_check_flags_timeliness_that_contradicts_the_times(world):
    scenario(world)
    row = Obligation.objects.get(unit=world.lead, period=world.previous_period)
    Obligation.objects.filter(pk=row.pk).update(first_late=True)  # submitted on Thursday, due Friday
    out, error = ledger_check()
    assert error is not None and "first submission" in out


# ---- opening periods -----------------------------------------------------------------------------


def opened(campaign) -> list[int]:
    return list(campaign.periods.filter(opened_at__isnull=False).order_by("number").values_list("number", flat=True))


def test_open_periods_opens_begun_periods_of_active_campaigns_once(world):
    closed = CampaignFactory(start_date=world.campaign.start_date, end_date=world.campaign.end_date)
    ensure_reporting_periods(closed)
    TaskFactory(campaign=closed)
    Campaign.objects.filter(pk=closed.pk).update(status=Campaign.Status.CLOSED)

    assert open_periods(at(2026, 3, 26, 9)) == 4
    assert opened(world.campaign) == [1, 2, 3, 4]  # period 5 begins Saturday 28 March
    assert opened(closed) == []
    count = Obligation.objects.count()
    assert count == 3 * 4

    assert open_periods(at(2026, 3, 26, 9)) == 0  # twice: nothing more
    assert open_periods(at(2026, 3, 27, 23)) == 0  # Friday night: nothing has begun since
    assert Obligation.objects.count() == count
    assert open_periods(at(2026, 3, 28, 0, 5)) == 1  # Saturday: period 5
    assert opened(world.campaign) == [1, 2, 3, 4, 5] and Obligation.objects.count() == count + 3
    first = ReportingPeriod.objects.get(campaign=world.campaign, number=1)
    assert first.opened_at == at(2026, 3, 26, 9)  # opened once: the first time stays


def test_a_report_opens_the_periods_when_the_job_has_not_run(world):
    assert not Obligation.objects.exists()
    report_save(
        user=world.lead_liaison, task=world.task, unit=world.lead, period=world.period, submit=True,
        expected_version=None, progress="进展", now=at(2026, 3, 26, 9),
    )  # fmt: skip
    assert opened(world.campaign) == [1, 2, 3, 4]
    assert Obligation.objects.get(unit=world.lead, period=world.period).state == states.SUBMITTED


def test_the_reader_opens_the_periods_when_the_job_has_not_run(world):
    rows = read.visible(world.office, [world.campaign.pk], now=at(2026, 3, 26, 9))
    assert rows.filter(task=world.task).count() == 2 * 4
    counts = read.counts(rows.filter(task=world.task), world.office, at(2026, 3, 26, 9))
    assert (counts[states.MISSING], counts[states.NOT_DUE]) == (2 * 3, 2)
