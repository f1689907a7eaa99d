"""Who owes what, and from when: a unit owes reports from the period in which it was put on a task
(the campaign's first on its first import) until it is taken off or the task is closed off, and
keeps what it owed and filed before. A report for a period the unit does not owe is refused
with the reason, through the service and the report page (never a 500)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Campaign
from campaigns.periods import current_period
from tasks.assignments import assignment_add, assignment_remove
from tasks.campaign_import.services import campaign_import
from tasks.ledger import read, states
from tasks.ledger.models import AssignmentTerm, Obligation
from tasks.models import ProgressReport, Task
from tasks.services import completion_request_create, completion_request_decide, report_save

from ..conftest import at
from ..factories import UnitFactory
from ..sheets import INFO, task, workbook_bytes

pytestmark = pytest.mark.django_db


def save(world, unit, user, *, period=None, submit=True, now):
    existing = ProgressReport.objects.filter(task=world.task, unit=unit, period=period or world.period).first()
    return report_save(
        user=user, task=world.task, unit=unit, period=period or world.period, submit=submit, now=now,
        expected_version=existing.version if existing else None, progress="本周推进顺利。", percent_complete=30,
    )  # fmt: skip


def owed_periods(task, unit) -> dict[int, str]:
    return dict(
        Obligation.objects.filter(task=task, unit=unit)
        .order_by("period__number")
        .values_list("period__number", "state")
    )


def refusal(call) -> list[str]:
    with pytest.raises(ValidationError) as refused:
        call()
    return refused.value.messages


# ---- put on a task halfway, taken off, role changed ------------------------------------------------


def test_a_unit_added_halfway_owes_from_the_current_period_and_nothing_earlier(world, member):
    late = UnitFactory(name="区住房和城乡建设局")
    assignment_add(task=world.task, unit=late, role="support", now=at(2026, 3, 25, 10))
    assert AssignmentTerm.objects.get(task=world.task, unit=late).first_period_number == 4

    read.ensure_open(now=at(2026, 4, 10, 19))  # periods 1–6 have begun (6: 6–10 April, due Friday 18:00)
    assert owed_periods(world.task, late) == {4: states.OWED, 5: states.OWED, 6: states.OWED}
    # Escalation reads what is missing: nothing before period 4 for this unit.
    missing = Obligation.objects.filter(states.missing_q(at(2026, 4, 10, 19)), unit=late)
    assert sorted(missing.values_list("period__number", flat=True)) == [4, 5, 6]
    # Units on the task from the start still owe from period 1.
    assert list(owed_periods(world.task, world.lead)) == [1, 2, 3, 4, 5, 6]

    liaison = member(late)
    messages = refusal(lambda: save(world, late, liaison, period=world.previous_period, now=at(2026, 4, 1, 9)))
    assert messages == ["区住房和城乡建设局自第4期起承担该任务，第3期无需报送。"]
    assert not ProgressReport.objects.filter(unit=late).exists()
    save(world, late, liaison, now=at(2026, 4, 1, 9))  # period 4 it owes: taken, late
    assert Obligation.objects.get(task=world.task, unit=late, period=world.period).first_late is True


def test_a_unit_added_halfway_is_escalated_for_nothing_earlier(world, member):
    from supervision.jobs import run_job
    from supervision.models import SupervisionNotice

    late = UnitFactory(name="区住房和城乡建设局")
    assignment_add(task=world.task, unit=late, role="support", now=at(2026, 3, 25, 10))
    member(late, "head")
    run_job("overdue_sweep", now=at(2026, 3, 31, 18, 30))  # past every escalation of periods 1–4

    def notified(unit):
        return set(SupervisionNotice.objects.filter(unit=unit).values_list("period__number", flat=True))

    assert notified(world.support) == {1, 2, 3, 4}  # on the task from the start, missing them all
    assert notified(late) == {4}


def test_a_unit_taken_off_keeps_what_it_owed_and_filed_and_owes_nothing_after(world):
    save(world, world.support, world.support_liaison, period=world.previous_period, now=at(2026, 3, 20, 9))
    draft = save(world, world.support, world.support_liaison, submit=False, now=at(2026, 3, 24, 9))
    assignment_remove(task=world.task, unit=world.support, now=at(2026, 3, 25, 10))

    read.ensure_open(now=at(2026, 4, 10, 19))
    # Periods 1–3 were due while it was on the task: still owed (1 and 2 missing), 3 filed.
    # Period 4 was due after it left: its draft owes nothing any more; nothing after either.
    assert owed_periods(world.task, world.support) == {1: states.OWED, 2: states.OWED, 3: states.SUBMITTED}
    assert ProgressReport.objects.filter(pk=draft.pk).exists()  # the unit's document stays
    term = AssignmentTerm.objects.get(task=world.task, unit=world.support)
    assert term.ended_at == at(2026, 3, 25, 10)

    # Its liaison is told why, for a period owed before and one after.
    messages = refusal(lambda: save(world, world.support, world.support_liaison, now=at(2026, 3, 26, 9)))
    assert messages == ["区财政局已于2026-03-25退出该任务，第4期无需报送。"]
    earlier = world.campaign.periods.get(number=2)
    messages = refusal(lambda: save(world, world.support, world.support_liaison, period=earlier, now=at(2026, 3, 26)))
    assert messages == ["区财政局已于2026-03-25退出该任务，不能再报送或修改报表。"]


def test_a_unit_put_back_on_the_task_owes_again_from_then_and_keeps_its_history(world):
    assignment_remove(task=world.task, unit=world.support, now=at(2026, 3, 11, 10))  # in period 2
    assignment_add(task=world.task, unit=world.support, role="support", now=at(2026, 3, 25, 10))  # period 4
    read.ensure_open(now=at(2026, 4, 3, 19))
    # Period 1 (due 6 March) from the first term; 2 and 3 not owed (off the task); 4 and 5 again.
    assert list(owed_periods(world.task, world.support)) == [1, 4, 5]
    assert AssignmentTerm.objects.filter(task=world.task, unit=world.support).count() == 2
    messages = refusal(
        lambda: save(world, world.support, world.support_liaison, period=world.previous_period, now=at(2026, 3, 26))
    )
    assert messages == ["区财政局自第4期起承担该任务，第3期无需报送。"]


def test_a_role_change_follows_on_every_obligation_of_the_unit(world):
    read.ensure_open(now=at(2026, 3, 26, 9))
    assignment_add(task=world.task, unit=world.support, role="lead", now=at(2026, 3, 26, 10))
    roles = set(Obligation.objects.filter(task=world.task, unit=world.support).values_list("role", flat=True))
    assert roles == {"lead"}
    assert AssignmentTerm.objects.get(task=world.task, unit=world.support, ended_at=None).role == "lead"


# ---- closed off, closed campaign ----------------------------------------------------------------------


def close_off(world, now):
    request = completion_request_create(
        user=world.lead_liaison, task=world.task, unit=world.lead, summary="已全部完成。", now=now
    )
    completion_request_decide(user=world.office, request_id=request.pk, approve=True, now=now)


def test_after_the_task_is_closed_off_nothing_is_owed_for_periods_not_yet_due(world):
    save(world, world.lead, world.lead_liaison, period=world.previous_period, now=at(2026, 3, 20, 9))
    close_off(world, at(2026, 3, 26, 9))
    read.ensure_open(now=at(2026, 4, 10, 19))
    assert owed_periods(world.task, world.lead) == {1: states.OWED, 2: states.OWED, 3: states.SUBMITTED}
    assert not Obligation.objects.filter(task=world.task, period__number__gte=4).exists()

    messages = refusal(lambda: save(world, world.lead, world.lead_liaison, now=at(2026, 3, 26, 10)))
    assert messages == ["该任务已于2026-03-26销号，第4期无需报送。"]
    earlier = world.campaign.periods.get(number=2)
    messages = refusal(lambda: save(world, world.lead, world.lead_liaison, period=earlier, now=at(2026, 3, 26, 10)))
    assert messages == ["该任务已于2026-03-26销号，不能再报送或修改报表。"]


def test_a_report_for_a_closed_campaign_is_refused(world):
    Campaign.objects.filter(pk=world.campaign.pk).update(status=Campaign.Status.CLOSED)
    messages = refusal(lambda: save(world, world.lead, world.lead_liaison, now=at(2026, 3, 26, 10)))
    assert messages == ["该专项行动已结束，不能再报送或修改报表。"]
    assert not ProgressReport.objects.exists()


def test_a_unit_never_on_the_task_is_refused_as_a_stranger(world):
    with pytest.raises(PermissionDenied):
        save(world, world.other, world.other_liaison, now=at(2026, 3, 26, 10))


# ---- the campaign sheet: first import and re-import ------------------------------------------------


def sheet_around_today(rows, due="周五 18:00"):
    """A campaign sheet whose campaign began 8 weeks ago (a Monday) and ends in 12 weeks."""
    today = timezone.localdate()
    monday = today - datetime.timedelta(days=today.weekday())
    dates = {"开始日期": monday - datetime.timedelta(weeks=8), "结束日期": monday + datetime.timedelta(weeks=12)}
    info = [(key, dates[key].isoformat() if key in dates else value) for key, value in INFO]
    info = [(key, due if key == "报送截止" else value) for key, value in info]
    deadline = (monday + datetime.timedelta(weeks=10)).isoformat()
    return workbook_bytes(
        [task(number, lead=lead, support=support, deadline=deadline) for number, lead, support in rows], info=info
    )


def test_the_first_import_owes_from_period_one_even_mid_campaign_and_a_reimport_from_now(unit_directory):
    campaign_import(sheet_around_today([("1", "区政府办公室", "")]), filename="sheet.xlsx", code="halfway")
    campaign = Campaign.objects.get(code="halfway")
    first = Task.objects.get(campaign=campaign, number="1")
    read.ensure_open([campaign.pk])
    current = current_period(campaign).number
    lead = first.assignments.get().unit
    assert list(owed_periods(first, lead)) == list(range(1, current + 1))

    # Re-imported with a supporting unit and a new task: both owe from the current period only.
    campaign_import(
        sheet_around_today([("1", "区政府办公室", "区财政局"), ("2", "区财政局", "")]),
        filename="sheet.xlsx",
        code="halfway",
    )
    support = first.assignments.get(role="support").unit
    second = Task.objects.get(campaign=campaign, number="2")
    assert list(owed_periods(first, support)) == [current]
    assert list(owed_periods(second, support)) == [current]
    assert list(owed_periods(first, lead)) == list(range(1, current + 1))  # unchanged

    # Taken off by the next version of the sheet: what it owed stays, its term ends.
    campaign_import(
        sheet_around_today([("1", "区政府办公室", ""), ("2", "区财政局", "")]), filename="sheet.xlsx", code="halfway"
    )
    assert AssignmentTerm.objects.get(task=first, unit=support).ended_at is not None
    assert list(owed_periods(first, support)) == (
        [current] if current_period(campaign).due_at <= timezone.now() else []
    )


def test_a_reimport_that_moves_the_due_time_judges_first_submissions_again(unit_directory, member):
    campaign_import(sheet_around_today([("1", "区政府办公室", "")]), filename="sheet.xlsx", code="due-moves")
    campaign = Campaign.objects.get(code="due-moves")
    first = Task.objects.get(campaign=campaign, number="1")
    lead = first.assignments.get().unit
    past = campaign.periods.get(number=current_period(campaign).number - 2)
    report_save(
        user=member(lead), task=first, unit=lead, period=past, submit=True, expected_version=None,
        progress="进展", now=past.due_at - datetime.timedelta(minutes=30),
    )  # fmt: skip
    assert Obligation.objects.get(task=first, period=past).first_late is False

    # The office moves the deadline an hour earlier: that submission came after it.
    campaign_import(
        sheet_around_today([("1", "区政府办公室", "")], due="周五 17:00"), filename="sheet.xlsx", code="due-moves"
    )
    past.refresh_from_db()
    assert timezone.localtime(past.due_at).hour == 17
    assert Obligation.objects.get(task=first, period=past).first_late is True


# ---- through the report page ----------------------------------------------------------------------


def report_url(r, unit, period):
    return reverse("tasks:report", args=[r.campaign.code, r.task.number, unit.pk, period.number])


def post(client, url):
    fields = {"progress": "补报进展。", "problems": "", "next_steps": "", "percent_complete": "40"}
    return client.post(url, {**fields, "coordination_request": "", "version": "", "submit": ""})


def test_the_report_page_says_why_a_period_before_the_units_term_is_not_owed(client, reporting, member):
    late = UnitFactory(name="区住房和城乡建设局")
    assignment_add(task=reporting.task, unit=late, role="support")  # now: from the current period
    client.force_login(member(late))
    response = post(client, report_url(reporting, late, reporting.past))
    assert response.status_code == 200
    expected = f"区住房和城乡建设局自第{reporting.period.number}期起承担该任务，第{reporting.past.number}期无需报送。"
    assert expected in response.content.decode()
    assert not ProgressReport.objects.filter(unit=late).exists()
    assert post(client, report_url(reporting, late, reporting.period)).status_code == 302  # this one it owes


def test_the_report_page_says_why_a_closed_task_takes_no_report(client, reporting):
    request = completion_request_create(
        user=reporting.lead_liaison, task=reporting.task, unit=reporting.lead, summary="已全部完成。"
    )
    completion_request_decide(user=reporting.office, request_id=request.pk, approve=True)
    client.force_login(reporting.lead_liaison)
    response = post(client, report_url(reporting, reporting.lead, reporting.period))
    assert response.status_code == 200
    assert f"销号，第{reporting.period.number}期无需报送。" in response.content.decode()
    assert not ProgressReport.objects.exists()
