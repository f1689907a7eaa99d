"""The jobs read the reporting ledger (issue 9): a returned report being fixed is never missing,
a fix not resubmitted in time is its own rung (退回未整改), a unit added halfway is escalated for
nothing before its term, notice follow-ups are remembered, and statements do not grow with the data.

The world (tests/conftest.py): a campaign from Monday 2 March 2026, weekly periods due Friday
18:00; task 1 led by 区发展和改革局 (lead), supported by 区财政局 (support).
"""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigns.models import ReportingPeriod
from notifications.models import Notification
from supervision.jobs import run_job
from supervision.models import SupervisionNotice
from supervision.services import notice_answer
from tasks.assignments import assignment_add
from tasks.ledger.models import Obligation
from tasks.ledger.read import ensure_open
from tasks.services import report_review, report_save
from units.models import Membership

from ..conftest import at
from ..factories import UnitFactory

pytestmark = pytest.mark.django_db


def keys(username, prefix=""):
    return set(
        Notification.objects.filter(recipient__username=username, key__startswith=prefix).values_list("key", flat=True)
    )


def file_and_return(world, period, *, submitted, returned):
    """The lead's liaison submits its report on time; the office returns it."""
    report = report_save(
        user=world.lead_liaison, task=world.task, unit=world.lead, period=period, expected_version=None, submit=True,
        now=submitted, progress="按计划推进",
    )  # fmt: skip
    return report_review(user=world.office, report_id=report.pk, accept=False, comment="请补充数据", now=returned)


# ---- 退回未整改 ------------------------------------------------------------------------------------


def test_a_returned_report_being_fixed_is_not_missing_and_a_fix_not_made_in_time_gets_a_notice(world):
    period3 = world.campaign.periods.get(number=3)  # 16–20 March, due Friday 20 March 18:00
    report = file_and_return(world, period3, submitted=at(2026, 3, 20, 10), returned=at(2026, 3, 23, 10))
    obligation = Obligation.objects.get(task=world.task, unit=world.lead, period=period3)
    assert obligation.fix_due_at == at(2026, 3, 25, 18)  # 2 working days after Monday's return
    # The liaison drafts the fix: still returned, never missing.
    report_save(
        user=world.lead_liaison, task=world.task, unit=world.lead, period=period3, expected_version=report.version,
        submit=False, now=at(2026, 3, 24, 10), progress="正在补充",
    )  # fmt: skip

    run_job("overdue_sweep", at(2026, 3, 24, 18, 5))
    run_job("overdue_sweep", at(2026, 3, 25, 8, 30))
    missing_of_period3 = f"overdue:p{period3.pk}:n{world.lead.pk}:"
    assert not keys(world.lead_head.username, missing_of_period3)
    assert not SupervisionNotice.objects.filter(unit=world.lead, period=period3).exists()  # fix not due yet

    summary = run_job("overdue_sweep", at(2026, 3, 26, 8, 30))  # Thursday: the fix was due Wednesday 18:00
    notice = SupervisionNotice.objects.get(unit=world.lead, period=period3)
    assert notice.kind == SupervisionNotice.Kind.RETURN_NOT_FIXED and notice.task == world.task
    assert notice.key == f"notice:fix:o{obligation.pk}:r1"  # the first return's fix
    assert notice.answer_by == at(2026, 3, 31, 18)  # 3 working days: 27, 30, 31 March
    assert "2026-03-25 18:00" in notice.body
    assert summary.notices >= 1
    for person in (world.lead_liaison, world.lead_head):
        assert keys(person.username, f"notice:{notice.pk}:") == {f"notice:{notice.pk}:u{person.pk}"}
    assert not keys(world.support_liaison.username, f"notice:{notice.pk}:")
    assert not keys(world.lead_head.username, missing_of_period3)  # still not "missing"

    again = run_job("overdue_sweep", at(2026, 3, 26, 9, 30))
    assert again.notices == 0 and again.already_sent["notices"] >= 1
    assert SupervisionNotice.objects.filter(kind=SupervisionNotice.Kind.RETURN_NOT_FIXED).count() == 1

    # Unanswered past its answer-by moment: the office is told, once.
    run_job("notice_followup", at(2026, 4, 1, 9, 15))
    digest = Notification.objects.get(recipient=world.office, key__startswith="notice-late:office:")
    assert world.lead.name in digest.body and world.task.number in digest.body
    notice.refresh_from_db()
    assert notice.followed_up_at == at(2026, 4, 1, 9, 15)


def test_each_return_not_fixed_in_time_gets_its_own_notice(world):
    """Returned, fixed late, returned again and again not fixed: a second 退回未整改 notice."""
    period3 = world.campaign.periods.get(number=3)
    report = file_and_return(world, period3, submitted=at(2026, 3, 20, 10), returned=at(2026, 3, 23, 10))
    run_job("overdue_sweep", at(2026, 3, 26, 8, 30))  # the first fix was due Wednesday 25 March 18:00
    report = report_save(
        user=world.lead_liaison, task=world.task, unit=world.lead, period=period3, expected_version=report.version,
        submit=True, now=at(2026, 3, 26, 10), progress="已补充",
    )  # fmt: skip
    report_review(user=world.office, report_id=report.pk, accept=False, comment="仍需补充", now=at(2026, 3, 26, 15))
    run_job("overdue_sweep", at(2026, 3, 31, 8, 30))  # the second fix was due Monday 30 March 18:00
    notices = SupervisionNotice.objects.filter(kind=SupervisionNotice.Kind.RETURN_NOT_FIXED, unit=world.lead)
    assert sorted(notice.key.rsplit(":", 1)[1] for notice in notices) == ["r1", "r2"]


def test_a_fix_resubmitted_in_time_gets_no_notice(world):
    period3 = world.campaign.periods.get(number=3)
    report = file_and_return(world, period3, submitted=at(2026, 3, 20, 10), returned=at(2026, 3, 23, 10))
    report_save(
        user=world.lead_liaison, task=world.task, unit=world.lead, period=period3, expected_version=report.version,
        submit=True, now=at(2026, 3, 25, 17), progress="已补充",
    )  # fmt: skip
    run_job("overdue_sweep", at(2026, 3, 26, 8, 30))
    assert not SupervisionNotice.objects.filter(kind=SupervisionNotice.Kind.RETURN_NOT_FIXED).exists()


# ---- a unit added halfway ---------------------------------------------------------------------------


def test_a_unit_added_in_period_5_is_escalated_for_nothing_before(world, member):
    late = UnitFactory(name="区住房和城乡建设局")
    late_liaison, late_head = member(late), member(late, Membership.Role.HEAD)
    assignment_add(task=world.task, unit=late, role="support", now=at(2026, 3, 31, 10))  # period 5: 30 Mar – 3 Apr

    # Wednesday 8 April: periods 2–5 (due 13 March … 3 April; Qingming 4–6 April) are in the ladder.
    summary = run_job("overdue_sweep", at(2026, 4, 8, 8, 30))
    assert summary.notices > 0
    numbers = dict(ReportingPeriod.objects.filter(campaign=world.campaign).values_list("pk", "number"))
    late_notices = SupervisionNotice.objects.filter(unit=late)
    assert [numbers[n.period_id] for n in late_notices] == [5]
    assert sorted(numbers[n.period_id] for n in SupervisionNotice.objects.filter(unit=world.lead)) == [2, 3, 4, 5]
    told = keys(late_head.username, "overdue:")
    assert told == {f"overdue:p{world.campaign.periods.get(number=5).pk}:n{late.pk}:head:u{late_head.pk}"}
    assert keys(late_liaison.username, "notice:") == {f"notice:{late_notices.get().pk}:u{late_liaison.pk}"}
    # The leaders' and the office's digest name the late unit only for period 5.
    for period in world.campaign.periods.filter(number__in=[2, 3, 4]):
        digest = Notification.objects.get(key=f"overdue:p{period.pk}:office:u{world.office.pk}")
        assert late.name not in digest.body and world.lead.name in digest.body


def test_reminders_come_from_the_ledger(world, member):
    late = UnitFactory(name="区住房和城乡建设局")
    late_liaison = member(late)
    assignment_add(task=world.task, unit=late, role="support", now=at(2026, 3, 31, 10))
    period5 = world.campaign.periods.get(number=5)
    report_save(
        user=world.support_liaison, task=world.task, unit=world.support, period=period5, expected_version=None,
        submit=True, now=at(2026, 4, 1, 10), progress="已报送",
    )  # fmt: skip
    run_job("report_reminders", at(2026, 4, 2, 9))  # Thursday before Friday 3 April's due
    assert keys(late_liaison.username, "remind:") == {f"remind:p{period5.pk}:n{late.pk}:first:u{late_liaison.pk}"}
    assert keys(world.lead_liaison.username, "remind:")
    assert not keys(world.support_liaison.username, "remind:")  # filed


# ---- notice follow-up ---------------------------------------------------------------------------------


def test_notice_followup_first_run_re_run_and_answered_notices(world):
    run_job("overdue_sweep", at(2026, 3, 26, 8, 30))  # periods 2 and 3 missing: notices to both units
    notices = list(SupervisionNotice.objects.order_by("pk"))
    assert len(notices) >= 2
    answered = next(n for n in notices if n.unit == world.lead)
    notice_answer(user=world.lead_liaison, notice_id=answered.pk, answer="已组织补报")
    first = run_job("notice_followup", at(2026, 4, 1, 9, 15))
    assert first.escalations == len(notices) - 1
    digest = Notification.objects.get(recipient=world.office, key__startswith="notice-late:office:")
    assert len(digest.body.splitlines()) == len(notices) - 1  # one line per notice, the answered one left out
    assert SupervisionNotice.objects.filter(followed_up_at__isnull=False).count() == len(notices) - 1
    with CaptureQueriesContext(connection) as rerun_queries:
        rerun = run_job("notice_followup", at(2026, 4, 1, 10))
    assert (rerun.escalations, rerun.notifications) == (0, 0)
    assert not any("notification" in query["sql"] for query in rerun_queries.captured_queries)


# ---- statements grow with what is sent, not with the data ---------------------------------------------


def test_overdue_sweep_statements_do_not_grow_with_units(world, member):
    moment = at(2026, 3, 26, 8, 30)
    ensure_open(now=moment)
    with CaptureQueriesContext(connection) as small:
        first = run_job("overdue_sweep", moment)
    more = [UnitFactory(name=f"区测试单位{n}") for n in range(6)]
    for unit in more:
        member(unit)
        member(unit, Membership.Role.HEAD)
        assignment_add(task=world.task, unit=unit, role="support", from_first_period=True, now=moment)
    ensure_open(now=moment)
    with CaptureQueriesContext(connection) as large:
        second = run_job("overdue_sweep", moment)
    assert second.notices == 3 * len(more) > 0  # periods 1–3
    assert second.notifications > first.notifications
    assert len(large) <= len(small)


# ---- open_periods ---------------------------------------------------------------------------------------


def test_open_periods_is_a_job(world):
    begun = ReportingPeriod.objects.filter(campaign=world.campaign, start_date__lte="2026-04-06")
    ReportingPeriod.objects.filter(campaign=world.campaign, number__gte=5).update(opened_at=None)
    Obligation.objects.filter(period__campaign=world.campaign, period__number__gte=5).delete()
    waiting = begun.filter(opened_at__isnull=True).count()
    assert waiting >= 2  # periods 5 and 6 at least
    out = StringIO()
    call_command("runjob", "open_periods", "--now", "2026-04-06T00:05", stdout=out)
    summary = json.loads(out.getvalue())
    assert summary["job"] == "open_periods" and summary["periods_opened"] == waiting
    assert not begun.filter(opened_at__isnull=True).exists()
    assert not ReportingPeriod.objects.filter(campaign=world.campaign, number=7, opened_at__isnull=False).exists()
    assert Obligation.objects.filter(period__campaign=world.campaign, period__number=6, unit=world.lead).exists()
    assert run_job("open_periods", at(2026, 4, 6, 9)).periods_opened == 0
