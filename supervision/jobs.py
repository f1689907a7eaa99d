"""The supervision jobs. Each takes the moment it acts as of, does its work and says what it did.

Every message a job sends is a notification with a key naming job, subject, level and recipient
(see notifications.services.notify); the database refuses a second one with the same key, so
running a job twice, a retry, or two beat processes at once send nothing twice. Notices have
keys of their own for the same reason.

A job that falls on a non-working day (statutory holiday, weekend without make-up work) acts
on the next working day: it does nothing now and its next run catches up.
"""

from __future__ import annotations

import datetime
import functools
from collections import defaultdict
from dataclasses import asdict, dataclass, field

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns import periods as reporting_periods
from campaigns.models import Campaign, ReportingPeriod
from common.workdays import WorkCalendar
from notifications.services import delivery_send, due_delivery_ids, notify
from tasks.models import ProgressReport, Task, TaskAssignment
from units.models import Membership

from .models import EscalationPolicy, SupervisionNotice

# Overdue periods older than this are history, not something to escalate again.
OVERDUE_LOOKBACK = datetime.timedelta(days=28)
FIRST_REMINDER_AT = datetime.time(9, 0)
FINAL_REMINDER_AT = datetime.time(14, 0)
REPORTED = (ProgressReport.Status.SUBMITTED, ProgressReport.Status.RETURNED, ProgressReport.Status.ACCEPTED)


def _nothing_yet() -> dict[str, int]:
    return {"reminders": 0, "escalations": 0, "notices": 0, "notifications": 0}


@dataclass
class JobSummary:
    """What a run did. The counts are what this run newly sent or issued; what was due but had
    been sent by an earlier run (a re-run, a catch-up) is counted apart in `already_sent`, so a
    re-run that sends nothing says 0, not the whole backlog again."""

    job: str
    as_of: str
    reminders: int = 0
    escalations: int = 0
    notices: int = 0
    notifications: int = 0
    deliveries: int = 0
    already_sent: dict[str, int] = field(default_factory=_nothing_yet)
    skipped: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


class _Run:
    """Shared state of one job run: the moment, the calendar, and the counters."""

    def __init__(self, job: str, now: datetime.datetime):
        self.now = now
        self.today = timezone.localdate(now)
        self.calendar = WorkCalendar(self.today - datetime.timedelta(days=60), self.today + datetime.timedelta(days=60))
        self.summary = JobSummary(job=job, as_of=now.isoformat())
        self._policies: dict[int, EscalationPolicy] = {}

    def notify(self, recipient, **kwargs) -> bool:
        """Tell one person; True if told now, False if an earlier run had told them already."""
        if notify(recipient=recipient, now=self.now, **kwargs) is None:
            self.summary.already_sent["notifications"] += 1
            return False
        self.summary.notifications += 1
        if not recipient.email:
            # Still in the inbox; only the email is skipped, and the operator is told.
            self.skip(_("%(user)s has no email address") % {"user": recipient})
        return True

    @functools.cached_property
    def office_staff(self) -> list:
        """Supervision-office staff, read once per run."""
        return [
            m.user
            for m in Membership.objects.filter(role=Membership.Role.OFFICE, user__is_active=True).select_related("user")
        ]

    def tally(self, what: str, new: int, before: int) -> None:
        """Count one reminder or escalation: as sent now if anyone was newly told (or a notice
        newly issued), as already sent if everyone had been told before."""
        if new:
            setattr(self.summary, what, getattr(self.summary, what) + 1)
        elif before:
            self.summary.already_sent[what] += 1

    def skip(self, reason: str) -> None:
        if reason not in self.summary.skipped:
            self.summary.skipped.append(reason)

    def policy(self, campaign: Campaign) -> EscalationPolicy:
        if campaign.pk not in self._policies:
            self._policies[campaign.pk] = EscalationPolicy.objects.filter(
                campaign=campaign
            ).first() or EscalationPolicy(campaign=campaign)
        return self._policies[campaign.pk]

    def local(self, day: datetime.date, at: datetime.time) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, at))


# ---- who is told ------------------------------------------------------------------------------


def _members(unit_ids, role) -> dict[int, list]:
    """unit id → users holding the role there (liaisons, heads), in one query."""
    people = defaultdict(list)
    for membership in Membership.objects.filter(unit_id__in=unit_ids, role=role, user__is_active=True).select_related(
        "user"
    ):
        people[membership.unit_id].append(membership.user)
    return people


def _leaders_of(tasks) -> list:
    users, seen = [], set()
    for task in tasks:
        for leader in task.leaders.all():
            if leader.user_id and leader.user_id not in seen and leader.user.is_active:
                seen.add(leader.user_id)
                users.append(leader.user)
    return users


def _tell(run: _Run, users, subject, key: str, what: str, **message) -> tuple[int, int]:
    """Notify each user; nobody to tell is reported in the summary, not silently dropped.

    `subject` is the unit (or, for a task's leaders, the task) the message is about. Returns
    (told now, told by an earlier run).
    """
    if not users:
        run.skip(_("%(subject)s has no %(who)s to tell") % {"subject": subject, "who": what})
    new = sum(run.notify(user, key=f"{key}:u{user.pk}", **message) for user in users)
    return new, len(users) - new


def _missing_by_unit(period: ReportingPeriod) -> dict:
    """unit → [tasks] whose report for the period has not been filed (open tasks only)."""
    filed = set(ProgressReport.objects.filter(period=period, status__in=REPORTED).values_list("task_id", "unit_id"))
    missing = defaultdict(list)
    assignments = (
        TaskAssignment.objects.filter(task__campaign_id=period.campaign_id, task__status=Task.Status.OPEN)
        .select_related("unit", "task")
        .prefetch_related("task__leaders__user")
        .order_by("unit__sort_order", "task__sort_key")
    )
    for assignment in assignments:
        if (assignment.task_id, assignment.unit_id) not in filed:
            missing[assignment.unit].append(assignment.task)
    return missing


def _task_list(tasks) -> str:
    return "\n".join(f"{task.number} {task.title}" for task in tasks)


# ---- report reminders -----------------------------------------------------------------------------


def report_reminders(now: datetime.datetime) -> JobSummary:
    """Before the due moment, each unit with missing reports gets one digest per liaison.

    Two levels: the working day before the due day from 09:00, and the due day from 14:00. A run
    that catches up late sends only the latest level due.
    """
    run = _Run("report_reminders", now)
    if not run.calendar.is_workday(run.today):
        run.skip(_("not a working day"))
        return run.summary
    periods = (
        reporting_periods.open_for_reporting(now)
        .filter(campaign__status=Campaign.Status.ACTIVE)
        .select_related("campaign")
    )
    for period in periods:
        due_day = timezone.localdate(period.due_at)
        levels = [
            (name, at)
            for name, at in (
                ("first", run.local(run.calendar.previous_workday(due_day), FIRST_REMINDER_AT)),
                ("final", run.local(due_day, FINAL_REMINDER_AT)),
            )
            if at <= now
        ]
        if not levels:
            continue
        level = levels[-1][0]
        missing = _missing_by_unit(period)
        liaisons = _members([unit.pk for unit in missing], Membership.Role.LIAISON)
        for unit, tasks in missing.items():
            told = _tell(
                run, liaisons.get(unit.pk, []), unit, f"remind:p{period.pk}:n{unit.pk}:{level}", _("liaison"),
                kind="reminder", unit=unit,
                title=_("Reminder: %(count)s report(s) due %(due)s") % {
                    "count": len(tasks), "due": timezone.localtime(period.due_at).strftime("%Y-%m-%d %H:%M")},
                body=_("%(campaign)s — not yet reported:\n%(tasks)s") % {"campaign": period.campaign, "tasks": _task_list(tasks)},
                link=reverse("tasks:workspace"),
            )  # fmt: skip
            run.tally("reminders", *told)
    return run.summary


# ---- overdue ladder ------------------------------------------------------------------------------


def overdue_sweep(now: datetime.datetime) -> JobSummary:
    """At the due moment missing reports are overdue and the unit head is told; after N working
    days still missing, the responsible leaders and the office are told and a supervision notice
    goes to the unit, to be answered within M working days."""
    run = _Run("overdue_sweep", now)
    periods = (
        reporting_periods.due_since(now - OVERDUE_LOOKBACK, now)
        .filter(campaign__status=Campaign.Status.ACTIVE)
        .select_related("campaign")
    )
    for period in periods:
        missing = _missing_by_unit(period)
        if not missing:
            continue
        due_day = timezone.localdate(period.due_at)
        policy = run.policy(period.campaign)
        heads = _members([unit.pk for unit in missing], Membership.Role.HEAD)
        liaisons = _members([unit.pk for unit in missing], Membership.Role.LIAISON)
        workdays_late = run.calendar.workdays_between(due_day, run.today)
        climb = workdays_late >= policy.escalate_after_workdays and run.calendar.is_workday(run.today)
        digest = []  # the units still missing at the second rung, for the leaders' and the office's digest
        for unit, tasks in missing.items():
            new, before = _tell(
                run, heads.get(unit.pk, []), unit, f"overdue:p{period.pk}:n{unit.pk}:head", _("unit head"),
                kind="overdue", unit=unit, link=reverse("tasks:workspace"),
                title=_("Overdue: %(unit)s has %(count)s report(s) missing") % {"unit": unit, "count": len(tasks)},
                body=_("%(campaign)s, period %(period)s, due %(due)s:\n%(tasks)s") % {
                    "campaign": period.campaign, "period": period.number,
                    "due": timezone.localtime(period.due_at).strftime("%Y-%m-%d %H:%M"), "tasks": _task_list(tasks)},
            )  # fmt: skip
            if not climb:
                run.tally("escalations", new, before)
                continue
            digest.append((unit, tasks))
            notice = _issue_notice(
                run, key=f"notice:reports:p{period.pk}:n{unit.pk}", kind=SupervisionNotice.Kind.OVERDUE_REPORTS,
                campaign=period.campaign, unit=unit, period=period, policy=policy,
                body=_("Reports of period %(period)s are %(days)s working day(s) overdue:\n%(tasks)s") % {
                    "period": period.number, "days": workdays_late, "tasks": _task_list(tasks)},
            )  # fmt: skip
            if notice:
                new += 1 + _tell_notice(run, notice, heads.get(unit.pk, []) + liaisons.get(unit.pk, []))[0]
            else:
                before += 1
            run.tally("escalations", new, before)
        if digest:
            _tell_digest(run, period, digest, workdays_late)
    return run.summary


def _tell_digest(run: _Run, period: ReportingPeriod, digest, workdays_late: int) -> None:
    """One message per period to each responsible leader (their late units) and to the office (all)."""

    def lines(entries):
        return "\n".join(f"{unit}：{'、'.join(task.number for task in tasks)}" for unit, tasks in entries)

    message = {
        "kind": "overdue",
        "link": reverse("tasks:matrix", args=[period.campaign.code, period.number]),
        "title": _("%(count)s unit(s) still missing reports of period %(period)s, %(days)s working day(s) late") % {
            "count": len(digest), "period": period.number, "days": workdays_late},
    }  # fmt: skip
    by_leader = defaultdict(list)
    for unit, tasks in digest:
        for leader in _leaders_of(tasks):
            by_leader[leader].append(
                (unit, [task for task in tasks if any(named.user_id == leader.pk for named in task.leaders.all())])
            )
    for leader, entries in by_leader.items():
        run.notify(
            leader,
            key=f"overdue:p{period.pk}:leader:u{leader.pk}",
            body=f"{period.campaign}\n{lines(entries)}",
            **message,
        )
    _tell(
        run,
        run.office_staff,
        period.campaign,
        f"overdue:p{period.pk}:office",
        _("office staff"),
        body=f"{period.campaign}\n{lines(digest)}",
        **message,
    )


def _issue_notice(run: _Run, *, key, kind, campaign, unit, policy, body, period=None, task=None):
    """Issue the notice named by `key` once; returns it if issued now, else None."""
    answer_by = run.local(run.calendar.add_workdays(run.today, policy.answer_within_workdays), datetime.time(18, 0))
    notice, created = SupervisionNotice.objects.get_or_create(
        key=key,
        defaults={
            "kind": kind, "campaign": campaign, "unit": unit, "period": period, "task": task,
            "body": body, "issued_at": run.now, "answer_by": answer_by,
        },
    )  # fmt: skip
    if created:
        run.summary.notices += 1
        return notice
    run.summary.already_sent["notices"] += 1
    return None


def _tell_notice(run: _Run, notice: SupervisionNotice, recipients) -> tuple[int, int]:
    return _tell(
        run, recipients, notice.unit, f"notice:{notice.pk}", _("liaison or head"),
        kind="notice", unit=notice.unit,
        title=_("Supervision notice: answer by %(date)s") % {"date": timezone.localtime(notice.answer_by).strftime("%Y-%m-%d %H:%M")},
        body=notice.body, link=notice.get_absolute_url(), task=notice.task,
    )  # fmt: skip


# ---- task deadlines --------------------------------------------------------------------------------


def deadline_warnings(now: datetime.datetime) -> JobSummary:
    """Lead units are warned 5 and 1 working days before a task's deadline; a task still open
    after its deadline is overdue: its lead units get a notice and its leaders are told."""
    run = _Run("deadline_warnings", now)
    if not run.calendar.is_workday(run.today):
        run.skip(_("not a working day"))
        return run.summary
    tasks = (
        Task.objects.filter(
            campaign__status=Campaign.Status.ACTIVE, status=Task.Status.OPEN, deadline__isnull=False,
            deadline__gte=run.today - OVERDUE_LOOKBACK,
        )
        .select_related("campaign")
        .prefetch_related("leaders__user")
    )  # fmt: skip
    tasks = list(tasks)
    leads = defaultdict(list)
    for assignment in TaskAssignment.objects.filter(task__in=tasks, role=TaskAssignment.Role.LEAD).select_related(
        "unit"
    ):
        leads[assignment.task_id].append(assignment.unit)
    unit_ids = {unit.pk for units in leads.values() for unit in units}
    liaisons, heads = _members(unit_ids, Membership.Role.LIAISON), _members(unit_ids, Membership.Role.HEAD)
    for task in tasks:
        link = task.get_absolute_url()
        if task.deadline >= run.today:
            remaining = run.calendar.workdays_between(run.today, task.deadline)
            due = [level for level in run.policy(task.campaign).warning_days if remaining <= level]
            if not due:
                continue
            level = min(due)
            for unit in leads[task.pk]:
                told = _tell(
                    run, liaisons.get(unit.pk, []) + heads.get(unit.pk, []), unit, f"deadline:t{task.pk}:n{unit.pk}:w{level}",
                    _("liaison or head"), kind="deadline", task=task, unit=unit, link=link,
                    title=_("Deadline in %(days)s working day(s): %(task)s") % {"days": remaining, "task": task},
                    body=_("%(campaign)s — task %(task)s is due %(date)s.") % {"campaign": task.campaign, "task": task, "date": task.deadline},
                )  # fmt: skip
                run.tally("reminders", *told)
            continue
        message = {
            "kind": "task_overdue", "task": task, "link": link,
            "title": _("Task overdue: %(task)s") % {"task": task},
            "body": _("%(campaign)s — task %(task)s was due %(date)s and is not closed off.") % {
                "campaign": task.campaign, "task": task, "date": task.deadline},
        }  # fmt: skip
        new, before = 0, 0
        for unit in leads[task.pk]:
            notice = _issue_notice(
                run, key=f"notice:task:t{task.pk}:n{unit.pk}", kind=SupervisionNotice.Kind.TASK_OVERDUE,
                campaign=task.campaign, unit=unit, task=task, policy=run.policy(task.campaign), body=message["body"],
            )  # fmt: skip
            if notice:
                new += 1 + _tell_notice(run, notice, heads.get(unit.pk, []) + liaisons.get(unit.pk, []))[0]
            else:
                before += 1
        told = _tell(
            run, _leaders_of([task]), task, f"task-overdue:t{task.pk}:leader", _("responsible leader"), **message
        )
        run.tally("escalations", new + told[0], before + told[1])
    return run.summary


# ---- notices ------------------------------------------------------------------------------------------


def notice_followup(now: datetime.datetime) -> JobSummary:
    """A notice unanswered past its answer-by moment: the responsible leaders and the office are told."""
    run = _Run("notice_followup", now)
    if not run.calendar.is_workday(run.today):
        run.skip(_("not a working day"))
        return run.summary
    notices = list(
        SupervisionNotice.objects.filter(status=SupervisionNotice.Status.OPEN, answer_by__lt=now)
        .select_related("unit", "task", "campaign")
        .prefetch_related("task__leaders__user")
    )
    # A notice about missing reports concerns the unit's tasks in its campaign: all in one query.
    unit_tasks = defaultdict(list)
    report_notices = [notice for notice in notices if notice.task_id is None]
    if report_notices:
        assignments = (
            TaskAssignment.objects.filter(
                unit_id__in={n.unit_id for n in report_notices},
                task__campaign_id__in={n.campaign_id for n in report_notices},
            )
            .select_related("task")
            .prefetch_related("task__leaders__user")
        )
        for assignment in assignments:
            unit_tasks[(assignment.task.campaign_id, assignment.unit_id)].append(assignment.task)
    for notice in notices:
        tasks = [notice.task] if notice.task else unit_tasks[(notice.campaign_id, notice.unit_id)]
        message = {
            "kind": "notice_unanswered", "task": notice.task, "unit": notice.unit, "link": notice.get_absolute_url(),
            "title": _("Unanswered supervision notice: %(unit)s") % {"unit": notice.unit},
            "body": notice.body,
        }  # fmt: skip
        leaders = _tell(
            run, _leaders_of(tasks), notice.unit, f"notice-late:{notice.pk}:leader", _("responsible leader"), **message
        )
        office = _tell(
            run, run.office_staff, notice.unit, f"notice-late:{notice.pk}:office", _("office staff"), **message
        )
        run.tally("escalations", leaders[0] + office[0], leaders[1] + office[1])
    return run.summary


# ---- outbox ---------------------------------------------------------------------------------------------


def deliver_outbox(now: datetime.datetime) -> JobSummary:
    """Send what is queued and due (first tries after a broker outage, retries, dead claims)."""
    run = _Run("deliver_outbox", now)
    for delivery_id in due_delivery_ids(now):
        if delivery_send(delivery_id, now=now) == "sent":
            run.summary.deliveries += 1
    return run.summary


JOBS = {
    "report_reminders": report_reminders,
    "overdue_sweep": overdue_sweep,
    "deadline_warnings": deadline_warnings,
    "notice_followup": notice_followup,
    "deliver_outbox": deliver_outbox,
}


def run_job(name: str, now: datetime.datetime | None = None) -> JobSummary:
    """Run one job as of `now`, in one transaction (the outbox job commits per delivery)."""
    if name not in JOBS:
        raise KeyError(name)
    now = now or timezone.now()
    if name == "deliver_outbox":
        return JOBS[name](now)
    with transaction.atomic():
        return JOBS[name](now)
