"""The rates read from the summary (tasks.ledger.read_summary) equal the obligations counted one
by one, leave the period not yet due out, and take two queries however much data there is."""

import datetime

import pytest
from django.db import connection
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext

from tasks.ledger import states
from tasks.ledger.models import Obligation
from tasks.ledger.read_summary import Rates, rates_by_campaign, rates_by_unit, rates_by_week
from tasks.ledger.sync import open_periods
from tasks.services import report_review, report_save

from ..conftest import at
from ..factories import TaskFactory, UnitFactory

pytestmark = pytest.mark.django_db

NOW = at(2026, 3, 26, 9)  # Thursday of period 4: periods 1–3 are due, 4 is not


def file(world, unit, period, text, *, when, user=None, task=None):
    return report_save(
        user=user or (world.lead_liaison if unit == world.lead else world.support_liaison), task=task or world.task,
        unit=unit, period=period, submit=True, expected_version=None, progress=text, now=when,
    )  # fmt: skip


def a_few_weeks(world):
    """Week 1 on time and accepted; week 2 late, and returned with its fix overdue; week 3 a copy of
    week 2 (stale), on time; the supporting unit files week 3 only; week 4 filed early (not due)."""
    p1, p2, p3, p4 = (world.campaign.periods.get(number=n) for n in (1, 2, 3, 4))
    first = file(world, world.lead, p1, "第一周：完成方案编制。", when=at(2026, 3, 6, 9))
    report_review(user=world.office, report_id=first.pk, accept=True, now=at(2026, 3, 9, 9))
    second = file(world, world.lead, p2, "第二周：召开协调会，落实资金。", when=at(2026, 3, 16, 9))
    report_review(user=world.office, report_id=second.pk, accept=False, comment="补充", now=at(2026, 3, 17, 9))
    file(world, world.lead, p3, "第二周：召开协调会，落实资金。", when=at(2026, 3, 19, 9))
    file(world, world.support, p3, "配合完成资金测算。", when=at(2026, 3, 20, 9))
    file(world, world.lead, p4, "第四周：开工。", when=at(2026, 3, 23, 9))


def counted(rows) -> Rates:
    """Rates counted from obligations one by one (the reference)."""
    n = rows.aggregate(
        owed=Count("pk"), filed=Count("pk", filter=Q(state__in=states.FILED)),
        on_time=Count("pk", filter=Q(first_late=False)), late=Count("pk", filter=Q(first_late=True)),
        missing=Count("pk", filter=Q(state__in=states.UNFILED)), returned=Count("pk", filter=Q(state="returned")),
        accepted=Count("pk", filter=Q(state="accepted")),
        awaiting_review=Count("pk", filter=Q(state__in=states.AWAITING_REVIEW)),
        stale=Count("pk", filter=Q(state__in=states.FILED, report__stale=True)),
        fix_overdue=Count("pk", filter=states.fix_overdue_q(NOW)),
    )  # fmt: skip
    return Rates(**n)


def due(**filters):
    return Obligation.objects.filter(period__due_at__lte=NOW, **filters)


def test_rates_by_unit_equal_the_obligations_counted(world):
    a_few_weeks(world)
    rates = rates_by_unit([world.campaign.pk], now=NOW)
    for unit in (world.lead, world.support, world.other):
        assert rates[unit.pk] == counted(due(unit=unit)), unit
    lead = rates[world.lead.pk]
    assert (lead.owed, lead.filed, lead.late, lead.returned, lead.fix_overdue, lead.stale) == (3, 3, 1, 1, 1, 1)
    assert lead.submission_rate == 100.0 and lead.on_time_rate == pytest.approx(200 / 3)
    support = rates[world.support.pk]
    assert (support.owed, support.missing) == (3, 2) and support.submission_rate == pytest.approx(100 / 3)


def test_the_period_not_yet_due_is_left_out(world):
    a_few_weeks(world)
    period4 = world.campaign.periods.get(number=4)
    assert rates_by_unit([world.campaign.pk], now=NOW, period_ids=[period4.pk]) == {}
    later = rates_by_unit([world.campaign.pk], now=at(2026, 3, 28, 9), period_ids=[period4.pk])
    assert later[world.lead.pk].filed == 1 and later[world.support.pk].missing == 1


def test_rates_by_campaign_with_filters(world):
    a_few_weeks(world)
    campaign = world.campaign.pk
    assert rates_by_campaign([campaign], now=NOW)[campaign] == counted(due(campaign=world.campaign))
    leads = rates_by_campaign([campaign], now=NOW, role="lead")[campaign]
    assert leads == counted(due(campaign=world.campaign, role="lead"))
    period3 = world.previous_period
    one = rates_by_campaign([campaign], now=NOW, unit_ids=[world.support.pk], period_ids=[period3.pk])[campaign]
    assert (one.owed, one.filed, one.on_time) == (1, 1, 1)
    assert rates_by_campaign([], now=NOW) == {}


def test_rates_by_week_oldest_first(world):
    a_few_weeks(world)
    weeks = rates_by_week([world.campaign.pk], now=NOW)
    assert [day for day, _rates in weeks] == [datetime.date(2026, 3, 6), datetime.date(2026, 3, 13),
                                              datetime.date(2026, 3, 20)]  # fmt: skip
    for (_day, rates), number in zip(weeks, (1, 2, 3), strict=True):
        assert rates == counted(due(period__number=number, campaign=world.campaign))
    assert Rates().submission_rate is None and Rates().on_time_rate is None


@pytest.mark.parametrize("extra_tasks", [0, 12])
def test_each_reader_takes_two_queries_however_much_data(world, assign, member, extra_tasks):
    open_periods(NOW)
    for n in range(extra_tasks):
        task = TaskFactory(campaign=world.campaign, number=str(100 + n))
        assign(task, UnitFactory(name=f"区测试单位{n % 5}"))
        assign(task, world.support, "support")
    a_few_weeks(world)
    for read in (rates_by_unit, rates_by_campaign, rates_by_week):
        with CaptureQueriesContext(connection) as queries:
            read([world.campaign.pk], now=NOW)
        assert len(queries) <= 2, read.__name__
