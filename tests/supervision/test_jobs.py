"""Time-travel tests of the supervision jobs over the demo data (both shared campaigns, demo
accounts: liaison1 and head1 of 区政府办公室, liaison2 of 区发展和改革局, leader 王立新, office)."""

import datetime

import pytest
from django.core.management import call_command

from accounts.models import User
from campaigns.models import ReportingPeriod
from notifications.models import Delivery, Notification
from supervision.jobs import run_job
from supervision.models import SupervisionNotice
from supervision.services import notice_answer
from tasks.models import ProgressReport, Task

from ..conftest import at

# No module-wide django_db mark: every test that touches the database asks for `demo`, so the demo
# is loaded once for the module (tests/conftest.py, demo_loaded), not once per test.


def inbox(username, kind=None, period=None):
    notifications = Notification.objects.filter(recipient__username=username)
    if period is not None:  # overdue messages name their period in the key
        notifications = notifications.filter(key__startswith=f"overdue:p{period.pk}:")
    return notifications.filter(kind=kind) if kind else notifications


def report_everything(unit_name, period):
    """The unit files every report of the period (as if all were submitted on time)."""
    from tasks.models import TaskAssignment

    for assignment in TaskAssignment.objects.filter(task__campaign=period.campaign, unit__name=unit_name):
        ProgressReport.objects.update_or_create(
            task=assignment.task, unit=assignment.unit, period=period,
            defaults={"status": "submitted", "submitted_at": period.due_at, "progress": "按时报送"},
        )  # fmt: skip


def period_due_on(year, month, day):
    return ReportingPeriod.objects.get(
        campaign__code="efficiency-year-2026", end_date__year=year, end_date__month=month, end_date__day=day
    )


# ---- a normal week ------------------------------------------------------------------------------


def test_a_normal_week_reminds_thursday_and_friday_and_only_units_with_something_missing(demo):
    period = period_due_on(2026, 11, 27)
    report_everything("区发展和改革局", period)

    assert run_job("report_reminders", at(2026, 11, 25, 10)).reminders == 0  # Wednesday: too early
    thursday = run_job("report_reminders", at(2026, 11, 26, 9))
    assert thursday.reminders > 0 and thursday.notifications == 1
    reminder = inbox("liaison1", "reminder").get()
    assert "2026-11-27 18:00" in reminder.title and "推进项目建设" in reminder.body
    assert not inbox("liaison2").exists()  # nothing missing, nothing sent
    assert any("区委办公室" in reason for reason in thursday.skipped)  # units without a liaison are reported

    again = run_job("report_reminders", at(2026, 11, 26, 9, 30))
    assert again.notifications == 0 and inbox("liaison1", "reminder").count() == 1
    run_job("report_reminders", at(2026, 11, 27, 14))
    assert inbox("liaison1", "reminder").count() == 2  # the final reminder
    assert run_job("report_reminders", at(2026, 11, 27, 18, 30)).reminders == 0  # past due: the sweep's turn


def test_reminders_reach_the_mail_outbox(demo, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        run_job("report_reminders", at(2026, 11, 26, 9))
    delivery = Delivery.objects.get(notification__recipient__username="liaison1")
    assert delivery.channel == "email" and delivery.status == "queued"
    summary = run_job("deliver_outbox", at(2026, 11, 26, 9, 1))
    assert summary.deliveries == Delivery.objects.count() == len(mailoutbox) == 2  # liaison1 and liaison2
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}
    mail = next(m for m in mailoutbox if m.to == ["liaison1@example.gov.cn"])
    assert "推进项目建设" in mail.body and "/workspace/" in mail.body
    assert run_job("deliver_outbox", at(2026, 11, 26, 9, 2)).deliveries == 0


# ---- the National Day and Mid-Autumn holiday of 2026 --------------------------------------------


def test_a_due_friday_inside_national_day_moves_and_the_reminders_with_it(demo):
    period = period_due_on(2026, 10, 2)  # Friday 2 October is a holiday: due Thursday 8 October 18:00
    assert period.due_at == at(2026, 10, 8, 18)

    assert run_job("report_reminders", at(2026, 9, 29, 9)).reminders == 0  # Tuesday: not yet
    first = run_job("report_reminders", at(2026, 9, 30, 9))  # the last working day before the 8th
    assert first.notifications == 2  # liaison1 and liaison2
    assert inbox("liaison1", "reminder").count() == 1
    holiday = run_job("report_reminders", at(2026, 10, 2, 14))  # the old Friday, a holiday
    assert holiday.notifications == 0 and holiday.skipped
    run_job("overdue_sweep", at(2026, 10, 2, 18, 5))
    assert not Notification.objects.filter(key__startswith=f"overdue:p{period.pk}:").exists()  # not due yet
    run_job("report_reminders", at(2026, 10, 8, 14))
    about_period = inbox("liaison1", "reminder").filter(key__startswith=f"remind:p{period.pk}:")
    assert sorted(key.split(":")[3] for key in about_period.values_list("key", flat=True)) == ["final", "first"]
    # 8 October is also the working day before the next period's Friday due: its first reminder.
    assert inbox("liaison1", "reminder").exclude(key__startswith=f"remind:p{period.pk}:").count() == 1


def test_the_ladder_counts_make_up_working_days(demo):
    period = period_due_on(2026, 10, 2)
    run_job("overdue_sweep", at(2026, 10, 8, 18, 5))
    assert inbox("head1", "overdue", period).count() == 1 and not inbox("leader", period=period).exists()
    run_job("overdue_sweep", at(2026, 10, 9, 8, 30))  # one working day late
    assert not SupervisionNotice.objects.filter(period=period).exists()
    rung_two = run_job("overdue_sweep", at(2026, 10, 10, 8, 30))  # Saturday 10 October is a make-up working day
    notice = SupervisionNotice.objects.get(period=period, unit__name="区政府办公室")
    assert notice.answer_by == at(2026, 10, 14, 18)  # 3 working days: 12, 13, 14 October
    assert notice.body.startswith(f"{period.campaign.title}：第 {period.number} 期报表已逾期")  # which campaign
    assert rung_two.notices >= 1
    assert inbox("leader", "overdue", period).exists() and inbox("office", "overdue", period).exists()
    assert (
        Notification.objects.filter(recipient__username="liaison1", key__startswith=f"notice:{notice.pk}:").count() == 1
    )


# ---- each rung of the ladder on a normal week --------------------------------------------------------


def test_each_rung_of_the_overdue_ladder(demo):
    period = period_due_on(2026, 11, 27)
    rung_one = run_job("overdue_sweep", at(2026, 11, 27, 18, 5))
    assert inbox("head1", "overdue", period).count() == 1
    assert not inbox("leader", period=period).exists() and not inbox("office", period=period).exists()
    assert not SupervisionNotice.objects.filter(period=period).exists()
    assert rung_one.escalations > 0

    run_job("overdue_sweep", at(2026, 11, 30, 8, 30))  # Monday: 1 working day late
    assert not SupervisionNotice.objects.filter(period=period).exists()

    run_job("overdue_sweep", at(2026, 12, 1, 8, 30))  # Tuesday: 2 working days late
    notice = SupervisionNotice.objects.get(period=period, unit__name="区政府办公室")
    assert notice.answer_by == at(2026, 12, 4, 18)
    assert inbox("leader", "overdue", period).count() == 1 and inbox("office", "overdue", period).exists()
    told = Notification.objects.filter(key__startswith=f"notice:{notice.pk}:").values_list(
        "recipient__username", flat=True
    )
    assert sorted(told) == ["head1", "liaison1"]

    # Answered notices are left alone; unanswered ones go to the leader and the office.
    other = SupervisionNotice.objects.filter(period=period).exclude(pk=notice.pk).first()
    notice_answer(user=User.objects.get(username="liaison1"), notice_id=notice.pk, answer="已组织补报，明日完成。")

    def followed_up(n):
        return SupervisionNotice.objects.get(pk=n.pk).followed_up_at is not None

    run_job("notice_followup", at(2026, 12, 4, 17))  # before answer-by
    assert not followed_up(other)
    run_job("notice_followup", at(2026, 12, 7, 9, 15))
    assert not followed_up(notice) and followed_up(other)
    # The office gets one digest of the unanswered notices (issue 9: one message per run, not per notice).
    digest = inbox("office", "notice_unanswered").latest("created_at")
    assert other.unit.name in digest.body
    assert (
        len(digest.body.splitlines()) == SupervisionNotice.objects.filter(followed_up_at=at(2026, 12, 7, 9, 15)).count()
    )


def test_reporting_in_time_stops_the_ladder(demo):
    period = period_due_on(2026, 11, 27)
    report_everything("区政府办公室", period)
    run_job("overdue_sweep", at(2026, 11, 27, 18, 5))
    run_job("overdue_sweep", at(2026, 12, 1, 8, 30))
    assert not inbox("head1", period=period).exists() and not inbox("liaison1", period=period).exists()
    assert not SupervisionNotice.objects.filter(period=period, unit__name="区政府办公室").exists()


# ---- task deadlines --------------------------------------------------------------------------------------


def test_task_deadline_warnings_and_overdue_tasks(demo):
    # Every task of 2026 due Saturday 31 October (not a working day); the demo's own deadlines
    # follow the day it is loaded.
    Task.objects.filter(campaign__code="efficiency-year-2026").update(deadline=datetime.date(2026, 10, 31))
    assert run_job("deadline_warnings", at(2026, 10, 22, 8)).notifications == 0  # 6 working days left
    run_job("deadline_warnings", at(2026, 10, 23, 8))  # 5 working days left: 26–30 October
    five = inbox("liaison1", "deadline")
    assert (
        five.count()
        == Task.objects.filter(
            campaign__code="efficiency-year-2026", assignments__unit__name="区政府办公室", assignments__role="lead"
        ).count()
    )
    assert all("5" in n.title for n in five)
    run_job("deadline_warnings", at(2026, 10, 26, 8))
    assert inbox("liaison1", "deadline").count() == five.count()  # nothing new between the levels
    run_job("deadline_warnings", at(2026, 10, 29, 8))  # 1 working day left
    assert inbox("liaison1", "deadline").count() == 2 * five.count()

    summary = run_job("deadline_warnings", at(2026, 11, 2, 8))  # Monday after the deadline
    assert summary.escalations > 0
    assert SupervisionNotice.objects.filter(kind="task_overdue", unit__name="区政府办公室").count() == five.count()
    assert inbox("leader", "task_overdue").exists()
    assert run_job("deadline_warnings", at(2026, 11, 3, 8)).notices == 0  # once per task and unit


def test_deadline_jobs_rest_on_holidays(demo):
    summary = run_job("deadline_warnings", at(2026, 10, 5, 8))
    assert summary.notifications == 0 and summary.skipped


# ---- idempotency and the operator command --------------------------------------------------------------


@pytest.mark.parametrize(
    "job, moment",
    [
        ("report_reminders", at(2026, 11, 26, 9)),
        ("overdue_sweep", at(2026, 12, 1, 8, 30)),
        ("deadline_warnings", at(2026, 11, 2, 8)),
        ("notice_followup", at(2026, 12, 7, 9, 15)),
    ],
)
def test_every_job_run_twice_sends_nothing_new(demo, job, moment):
    if job == "notice_followup":
        run_job("overdue_sweep", at(2026, 12, 1, 8, 30))  # so that there are notices to follow up
    first = run_job(job, moment)
    assert first.notifications > 0  # the first run had something to do, so the second one proves something
    counts = (Notification.objects.count(), SupervisionNotice.objects.count(), Delivery.objects.count())
    second = run_job(job, moment)
    assert (Notification.objects.count(), SupervisionNotice.objects.count(), Delivery.objects.count()) == counts
    assert second.notifications == 0 and second.notices == 0
    assert first.as_dict()["job"] == job


def test_runjob_command_prints_one_json_line(demo, capsys):
    import json

    call_command("runjob", "report_reminders", "--now", "2026-11-26T09:00")
    summary = json.loads(capsys.readouterr().out.strip())
    assert summary["job"] == "report_reminders" and summary["notifications"] == 2
    assert {"reminders", "escalations", "notices", "notifications", "skipped"} <= set(summary)
    call_command("runjob", "--list")
    assert "overdue_sweep" in capsys.readouterr().out


def test_a_recipient_without_email_is_told_in_the_inbox_and_reported(demo):
    User.objects.filter(username="liaison1").update(email="")
    summary = run_job("report_reminders", at(2026, 11, 26, 9))
    assert inbox("liaison1", "reminder").exists()
    assert not Delivery.objects.filter(notification__recipient__username="liaison1").exists()
    assert any("陈联络" in reason for reason in summary.skipped)


def test_a_job_killed_halfway_leaves_nothing_and_its_redelivery_sends_everything_once(demo, monkeypatch):
    import supervision.jobs.base as jobs

    real_notify_bulk = jobs.notify_bulk

    def dies_after_writing(*args, **kwargs):  # the notifications are written, then the worker dies
        real_notify_bulk(*args, **kwargs)
        raise SystemExit("worker killed")

    monkeypatch.setattr(jobs, "notify_bulk", dies_after_writing)
    moment = at(2026, 12, 1, 8, 30)
    with pytest.raises(SystemExit):
        run_job("overdue_sweep", moment)
    assert not Notification.objects.exists() and not SupervisionNotice.objects.exists()  # rolled back whole

    monkeypatch.setattr(jobs, "notify_bulk", real_notify_bulk)
    redelivered = run_job("overdue_sweep", moment)  # acks_late: the broker hands the job out again
    once = run_job("overdue_sweep", moment)
    assert redelivered.notifications > 3 and once.notifications == 0
    keys = list(Notification.objects.values_list("key", flat=True))
    assert len(keys) == len(set(keys)) == redelivered.notifications


def test_notice_followup_sends_in_a_fixed_number_of_statements_and_remembers_what_it_followed_up(demo):
    """Issue 9: the job reads only notices not followed up yet, so a re-run does next to nothing,
    and its statements do not grow with the number of notices."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tasks.ledger.read import ensure_open

    run_job("overdue_sweep", at(2026, 11, 30, 8, 30))  # notices about period 41, answer by 3 December
    with CaptureQueriesContext(connection) as few:
        first = run_job("notice_followup", at(2026, 12, 3, 19))
    followed = SupervisionNotice.objects.filter(followed_up_at=at(2026, 12, 3, 19))
    assert first.escalations == followed.count() > 0
    with CaptureQueriesContext(connection) as again:
        rerun = run_job("notice_followup", at(2026, 12, 3, 19, 30))
    assert (rerun.escalations, rerun.notifications, rerun.already_sent["escalations"]) == (0, 0, 0)
    # the savepoint and its release, periods to open, the calendar's overrides, notices not followed up
    assert len(again) <= 5

    run_job("overdue_sweep", at(2026, 12, 1, 8, 30))  # period 42's notices, answer by 4 December
    template = SupervisionNotice.objects.filter(answer_by=at(2026, 12, 4, 18)).first()
    for n in range(10):  # and more of them than the first run had
        SupervisionNotice.objects.create(
            key=f"extra:{n}", kind=template.kind, campaign=template.campaign, unit=template.unit,
            period=template.period, body=template.body, issued_at=template.issued_at, answer_by=template.answer_by,
        )  # fmt: skip
    ensure_open(now=at(2026, 12, 7, 9, 15))  # a new week has begun: counted apart
    with CaptureQueriesContext(connection) as many:
        later = run_job("notice_followup", at(2026, 12, 7, 9, 15))
    assert later.escalations > first.escalations
    assert len(many) == len(few)
    assert not SupervisionNotice.objects.filter(status="open", followed_up_at__isnull=True).exists()


# ---- what a re-run reports ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "job, moment",
    [
        ("report_reminders", at(2026, 11, 26, 9)),
        ("overdue_sweep", at(2026, 12, 1, 8, 30)),
    ],
)
def test_a_re_run_counts_what_it_sends_now_apart_from_what_was_sent_before(demo, job, moment):
    first = run_job(job, moment)
    new = first.reminders + first.escalations
    assert new > 0 and first.notifications > 0
    again = run_job(job, moment)
    assert (again.reminders, again.escalations, again.notices, again.notifications) == (0, 0, 0, 0)
    assert again.already_sent["reminders"] + again.already_sent["escalations"] == new
    # (a notice issued before is not told again, so its recipients are not even looked at)
    assert 0 < again.already_sent["notifications"] <= first.notifications
    assert again.already_sent["notices"] == first.notices


def test_runjob_prints_what_it_sent_and_what_had_been_sent(demo):
    import json
    from io import StringIO

    def runjob():
        out = StringIO()
        call_command("runjob", "overdue_sweep", "--now", "2026-12-01T08:30", stdout=out)
        return json.loads(out.getvalue())

    first, again = runjob(), runjob()
    assert first["escalations"] > 0 and first["notices"] > 0
    assert again["escalations"] == again["notices"] == again["notifications"] == 0
    assert again["already_sent"]["escalations"] == first["escalations"]
    assert again["already_sent"]["notices"] == first["notices"]


# ---- make run: the demo as a real week ------------------------------------------------------------


def test_make_run_runs_every_job_once_after_loading_the_demo():
    from pathlib import Path

    script = (Path(__file__).resolve().parents[2] / "bin" / "run").read_text()
    load, run_all, serve = (
        script.index("manage.py load_demo"),
        script.index("manage.py runjob --all"),
        script.index("runserver"),
    )
    assert load < run_all < serve


def test_the_demo_started_in_the_evening_has_inboxes_filled(demo):
    """Loaded on a Wednesday evening, after every job's hour: one run of all jobs as of then."""
    import json
    from io import StringIO

    assert not Notification.objects.exists()
    out = StringIO()
    call_command("runjob", "--all", "--now", "2026-11-25T20:00", stdout=out)
    summaries = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [s["job"] for s in summaries] == [
        "open_periods",
        "report_reminders",
        "overdue_sweep",
        "deadline_warnings",
        "notice_followup",
        "refresh_lights",
        "deliver_outbox",
    ]
    assert inbox("head1", "overdue").exists()  # the unit head of 区政府办公室: reports overdue
    assert inbox("office").exists() or inbox("liaison1").exists()
    again = StringIO()
    call_command("runjob", "--all", "--now", "2026-11-25T20:00", stdout=again)  # make run a second time
    assert all(json.loads(line)["notifications"] == 0 for line in again.getvalue().splitlines())
