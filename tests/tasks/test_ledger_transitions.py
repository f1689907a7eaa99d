"""The reporting ledger's transitions, through the real services: every move of an obligation
(owed → draft → submitted → returned → the fix's draft → resubmitted → accepted), timeliness of
the first submission and of the fix, the fix's deadline in working days, the shown states at
their boundaries, and the refusals after acceptance.

The world (tests/conftest.py): a campaign from Monday 2 March 2026, weekly periods due Friday
18:00; period 4 is 23–27 March, due Friday 27 March 18:00.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError

from common.models import CalendarOverride
from tasks.ledger import read, states
from tasks.ledger.models import Obligation
from tasks.models import CompletionRequest, ProgressReport
from tasks.services import (
    completion_request_create,
    completion_request_decide,
    report_review,
    report_save,
    reports_accept,
)

from ..conftest import at

pytestmark = pytest.mark.django_db


def save(world, *, submit=False, now, unit=None, user=None, period=None, **fields):
    """The unit's liaison saves (or submits) its report, from the form as it stands now."""
    unit, period = unit or world.lead, period or world.period
    user = user or (world.lead_liaison if unit == world.lead else world.support_liaison)
    existing = ProgressReport.objects.filter(task=world.task, unit=unit, period=period).first()
    values = {"progress": "完成项目评审3个。", "percent_complete": 40, **fields}
    return report_save(
        user=user, task=world.task, unit=unit, period=period, submit=submit, now=now,
        expected_version=existing.version if existing else None, **values,
    )  # fmt: skip


def review(world, report, *, accept, now, comment="请补充投资完成数据。"):
    return report_review(user=world.office, report_id=report.pk, accept=accept, comment=comment, now=now)


def obligation(world, unit=None, period=None) -> Obligation:
    return Obligation.objects.get(task=world.task, unit=unit or world.lead, period=period or world.period)


def shown(ob: Obligation, now, *, own=False) -> str:
    """The state shown at `now`, by the Python rule and by its SQL twin, which must agree."""
    in_python = states.shown(ob, now, due_at=ob.period.due_at, own=own)
    in_sql = (
        Obligation.objects.filter(pk=ob.pk)
        .annotate(shown=states.shown_case(now, own_unit_ids=[ob.unit_id] if own else ()))
        .values_list("shown", flat=True)
        .get()
    )
    assert in_python == in_sql, (in_python, in_sql)
    return in_python


# ---- owed, draft, submitted ----------------------------------------------------------------------


def test_owed_then_draft_then_submitted_on_time(world):
    draft = save(world, now=at(2026, 3, 25, 10))
    ob = obligation(world)
    assert ob.state == states.DRAFT and ob.report_id == draft.pk and ob.first_submitted_at is None
    # A draft is the unit's own business: the office sees the period as not yet due.
    assert shown(ob, at(2026, 3, 26, 9), own=True) == states.DRAFT
    assert shown(ob, at(2026, 3, 26, 9)) == states.NOT_DUE

    save(world, submit=True, now=at(2026, 3, 26, 10))
    ob.refresh_from_db()
    assert ob.state == states.SUBMITTED
    assert (ob.first_submitted_at, ob.first_late) == (at(2026, 3, 26, 10), False)
    assert shown(ob, at(2026, 3, 30, 9)) == states.SUBMITTED


def test_every_unit_owes_from_the_moment_its_period_opens(world):
    save(world, now=at(2026, 3, 26, 10))  # opens periods 1–4 of the campaign
    ob = obligation(world, unit=world.support)
    assert ob.state == states.OWED and ob.report_id is None and ob.role == "support"
    assert not Obligation.objects.filter(period__number=5).exists()  # begins Saturday 28 March


def test_submitting_exactly_at_the_due_moment_is_on_time_and_a_moment_later_is_late(world):
    due = world.period.due_at
    assert due == at(2026, 3, 27, 18)
    save(world, submit=True, now=due)
    assert (obligation(world).first_late, ProgressReport.objects.get(unit=world.lead).is_late) == (False, False)

    save(world, submit=True, unit=world.support, now=due + datetime.timedelta(microseconds=1))
    ob = obligation(world, unit=world.support)
    assert (ob.state, ob.first_late) == (states.SUBMITTED, True)  # straight from owed, no draft


def test_nothing_filed_is_not_due_until_the_due_moment_then_missing(world):
    save(world, now=at(2026, 3, 25, 10))
    owed, draft = obligation(world, unit=world.support), obligation(world)
    due = world.period.due_at
    second = datetime.timedelta(seconds=1)
    assert shown(owed, due - second) == states.NOT_DUE
    assert shown(owed, due) == states.MISSING
    # Only a draft by the due moment is missing too, also to its own unit.
    assert shown(draft, due - second, own=True) == states.DRAFT
    assert shown(draft, due, own=True) == states.MISSING
    counts = read.counts(Obligation.objects.filter(task=world.task, period=world.period), world.office, due)
    assert counts[states.MISSING] == 2 and counts[states.NOT_DUE] == 0


# ---- returned, the fix, resubmitted, accepted ------------------------------------------------------


def test_return_fix_draft_resubmit_return_again_then_accept(world):
    report = save(world, submit=True, now=at(2026, 3, 26, 10))
    # Returned on Friday 27 March: the fix is due 2 working days later, Tuesday 31 March 18:00.
    review(world, report, accept=False, now=at(2026, 3, 27, 11))
    ob = obligation(world)
    assert (ob.state, ob.returns, ob.returned_at) == (states.RETURNED, 1, at(2026, 3, 27, 11))
    assert ob.fix_due_at == at(2026, 3, 31, 18)

    # The fix's draft: the report is the unit's draft again, the obligation stays returned and is
    # never missing, not even once the period is long due.
    fixing = save(world, now=at(2026, 3, 30, 9), progress="已补充：完成投资1.2亿元")
    assert fixing.status == ProgressReport.Status.DRAFT
    ob.refresh_from_db()
    assert ob.state == states.RETURNED
    assert shown(ob, at(2026, 3, 30, 10)) == states.RETURNED
    assert shown(ob, at(2026, 3, 30, 10), own=True) == states.RETURNED
    assert not Obligation.objects.filter(states.missing_q(at(2026, 3, 30, 10)), pk=ob.pk).exists()

    # Resubmitted on time; the first submission's timeliness is kept as it was.
    save(world, submit=True, now=at(2026, 3, 31, 17), progress="已补充：完成投资1.2亿元")
    ob.refresh_from_db()
    assert (ob.state, ob.fix_submitted_at, ob.fix_late) == (states.RESUBMITTED, at(2026, 3, 31, 17), False)
    assert (ob.first_submitted_at, ob.first_late) == (at(2026, 3, 26, 10), False)

    # Returned again on Wednesday 1 April: a new fix deadline, the previous fix forgotten.
    review(world, ProgressReport.objects.get(pk=report.pk), accept=False, now=at(2026, 4, 1, 9))
    ob.refresh_from_db()
    assert (ob.state, ob.returns, ob.fix_due_at) == (states.RETURNED, 2, at(2026, 4, 3, 18))
    assert (ob.fix_submitted_at, ob.fix_late) == (None, None)
    # Late this time: judged against the fix's deadline, not the period's.
    save(world, submit=True, now=at(2026, 4, 3, 18, 5), progress="第二次补充")
    ob.refresh_from_db()
    assert (ob.state, ob.fix_late, ob.first_late) == (states.RESUBMITTED, True, False)

    review(world, ProgressReport.objects.get(pk=report.pk), accept=True, now=at(2026, 4, 6, 9), comment="")
    ob.refresh_from_db()
    assert (ob.state, ob.accepted_at) == (states.ACCEPTED, at(2026, 4, 6, 9))
    assert shown(ob, at(2026, 4, 7, 9)) == states.ACCEPTED


def test_a_fix_not_resubmitted_by_its_deadline_is_fix_overdue_from_that_moment(world):
    report = save(world, submit=True, now=at(2026, 3, 26, 10))
    review(world, report, accept=False, now=at(2026, 3, 27, 11))
    ob = obligation(world)
    assert shown(ob, ob.fix_due_at - datetime.timedelta(seconds=1)) == states.RETURNED
    assert shown(ob, ob.fix_due_at) == states.FIX_OVERDUE
    assert Obligation.objects.filter(states.fix_overdue_q(ob.fix_due_at)).get() == ob
    # Resubmitting exactly at the deadline is still on time (as a first submission at the due moment).
    save(world, submit=True, now=ob.fix_due_at)
    ob.refresh_from_db()
    assert (ob.state, ob.fix_late) == (states.RESUBMITTED, False)


def test_a_late_first_submission_stays_late_after_an_on_time_fix(world):
    report = save(world, submit=True, now=at(2026, 3, 28, 10))  # Saturday: after Friday 18:00
    review(world, report, accept=False, now=at(2026, 3, 30, 9))
    save(world, submit=True, now=at(2026, 3, 31, 9))
    ob = obligation(world)
    assert (ob.state, ob.first_late, ob.fix_late) == (states.RESUBMITTED, True, False)


def test_the_office_accepts_several_reports_at_once(world):
    first = save(world, submit=True, now=at(2026, 3, 26, 10))
    second = save(world, submit=True, unit=world.support, now=at(2026, 3, 26, 11))
    earlier = save(world, submit=True, period=world.previous_period, now=at(2026, 3, 19, 10))
    review(world, earlier, accept=False, now=at(2026, 3, 20, 9))
    save(world, submit=True, period=world.previous_period, now=at(2026, 3, 23, 9))  # resubmitted

    accepted = reports_accept(
        user=world.office, campaign=world.campaign, report_ids=[first.pk, second.pk, earlier.pk], now=at(2026, 3, 30, 9)
    )
    assert len(accepted) == 3
    rows = Obligation.objects.filter(report__in=[first, second, earlier])
    assert {(ob.state, ob.accepted_at) for ob in rows} == {(states.ACCEPTED, at(2026, 3, 30, 9))}
    assert obligation(world, period=world.previous_period).returns == 1  # the return stays on record


def test_after_acceptance_neither_an_edit_nor_a_resubmission_nor_a_review_is_taken(world):
    report = save(world, submit=True, now=at(2026, 3, 26, 10))
    review(world, report, accept=True, now=at(2026, 3, 27, 9), comment="")
    for submit in (False, True):
        with pytest.raises(ValidationError) as refused:
            save(world, submit=submit, now=at(2026, 3, 27, 10), progress="改一下")
        assert refused.value.messages == ["报表已采纳，不能再修改或重新报送。"]
    with pytest.raises(ValidationError):
        review(world, ProgressReport.objects.get(pk=report.pk), accept=False, now=at(2026, 3, 27, 11))
    ob = obligation(world)
    assert ob.state == states.ACCEPTED and ProgressReport.objects.get(pk=report.pk).progress == "完成项目评审3个。"


def test_a_submitted_report_cannot_be_edited_until_it_is_returned(world):
    save(world, submit=True, now=at(2026, 3, 26, 10))
    with pytest.raises(ValidationError) as refused:
        save(world, now=at(2026, 3, 26, 11))
    assert refused.value.messages == ["报表已报送，督查室退回后方可修改。"]
    assert obligation(world).state == states.SUBMITTED


def test_the_transition_table_refuses_what_it_does_not_allow_and_changes_nothing():
    ob = Obligation(state=states.OWED)
    for event in (states.RETURN, states.ACCEPT):
        with pytest.raises(ValidationError):
            states.transition(ob, event, now=at(2026, 3, 26), due_at=at(2026, 3, 27, 18), fix_due_at=at(2026, 3, 31))
    assert (ob.state, ob.returns, ob.accepted_at) == (states.OWED, 0, None)


# ---- the fix's deadline in working days ---------------------------------------------------------------


def returned_on(world, when, period=None):
    period = period or world.campaign.periods.filter(due_at__lt=when).order_by("-number").first()
    report = save(world, submit=True, period=period, now=period.due_at - datetime.timedelta(hours=1))
    review(world, report, accept=False, now=when)
    return obligation(world, period=period)


def test_the_fix_deadline_skips_a_national_holiday(world):
    # Returned Wednesday 30 September 2026: 1–7 October are the National Day holiday, so the
    # 2 working days are Thursday 8 and Friday 9 October.
    assert returned_on(world, at(2026, 9, 30, 10)).fix_due_at == at(2026, 10, 9, 18)


def test_the_fix_deadline_counts_a_make_up_working_day(world):
    # Returned Friday 9 October: Saturday 10 October is a make-up working day (调休), then Monday.
    assert returned_on(world, at(2026, 10, 9, 10)).fix_due_at == at(2026, 10, 12, 18)


def test_the_fix_deadline_follows_the_offices_calendar_overrides(world):
    # Returned Wednesday 15 April: Thursday 16 is a local holiday (日历调整), Friday 17 counts,
    # and so does Saturday 18, declared a working day: due Saturday 18 April 18:00.
    CalendarOverride.objects.create(date=datetime.date(2026, 4, 16), is_workday=False, note="本地节日")
    CalendarOverride.objects.create(date=datetime.date(2026, 4, 18), is_workday=True, note="调休上班")
    assert returned_on(world, at(2026, 4, 15, 10)).fix_due_at == at(2026, 4, 18, 18)


def test_the_fix_deadline_is_per_campaign(world):
    world.campaign.fix_within_workdays = 5
    world.campaign.save(update_fields=["fix_within_workdays"])
    # Returned Thursday 26 March: 5 working days → Thursday 2 April.
    period = world.previous_period
    assert returned_on(world, at(2026, 3, 26, 10), period=period).fix_due_at == at(2026, 4, 2, 18)


# ---- closing the task off ------------------------------------------------------------------------------


def test_closing_the_task_off_keeps_what_was_owed_and_filed_and_drops_what_was_not_yet_due(world):
    save(world, submit=True, period=world.previous_period, now=at(2026, 3, 19, 10))
    save(world, submit=True, now=at(2026, 3, 25, 10))  # period 4, filed before the close-off
    request = completion_request_create(
        user=world.lead_liaison, task=world.task, unit=world.lead, summary="已全部完成。", now=at(2026, 3, 25, 11)
    )
    completion_request_decide(user=world.office, request_id=request.pk, approve=True, now=at(2026, 3, 26, 9))
    assert CompletionRequest.objects.get(pk=request.pk).status == "approved"
    rows = {(ob.unit_id, ob.period.number): ob.state for ob in Obligation.objects.filter(task=world.task)}
    # Periods 1–3 were due before the close-off: owed (missing) by the supporting unit, as before.
    assert {number for unit, number in rows if unit == world.support.pk} == {1, 2, 3}
    # The lead unit's period 4 report was filed: it stays; nothing is owed for period 5 on.
    assert rows[(world.lead.pk, 4)] == states.SUBMITTED and rows[(world.lead.pk, 3)] == states.SUBMITTED
    assert not Obligation.objects.filter(task=world.task, period__number__gte=5).exists()
