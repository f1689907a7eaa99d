"""The reporting jobs: reminders before the due moment, the overdue ladder after it, and the rung
of returned reports not fixed in time (退回未整改). What is owed, missing and fix-overdue comes from
the ledger (tasks.ledger.due), so a returned report being fixed is never missing, and a unit added
halfway is reminded and escalated only for the periods of its term.
"""

from __future__ import annotations

import datetime
import functools
from collections import defaultdict

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from campaigns import periods as reporting_periods
from campaigns.models import Campaign, ReportingPeriod
from tasks.ledger import due
from tasks.models import Task

from ..models import SupervisionNotice
from .base import (
    OVERDUE_LOOKBACK,
    JobSummary,
    LazyTaskRows,
    NoticeSpec,
    People,
    Run,
    issue_notices,
    leaders_by_task,
    task_list,
    task_rows,
    tell_notice,
    units_by_id,
)

FIRST_REMINDER_AT = datetime.time(9, 0)
FINAL_REMINDER_AT = datetime.time(14, 0)


def _by_period_and_unit(rows) -> dict[int, dict[int, list[int]]]:
    """period id → unit id → task ids, in the readers' order (units, then task numbers)."""
    grouped = defaultdict(lambda: defaultdict(list))
    for row in rows:
        grouped[row.period_id][row.unit_id].append(row.task_id)
    return grouped


def _due(period: ReportingPeriod) -> str:
    return timezone.localtime(period.due_at).strftime("%Y-%m-%d %H:%M")


# ---- report reminders -----------------------------------------------------------------------------


def report_reminders(now: datetime.datetime) -> JobSummary:
    """Before the due moment, each unit with reports owed (nothing submitted) gets one digest per
    liaison.

    Two levels: the working day before the due day from 09:00, and the due day from 14:00. A run
    that catches up late sends only the latest level due.
    """
    run = Run("report_reminders", now)
    if not run.calendar.is_workday(run.today):
        run.skip(_("not a working day"))
        return run.summary
    periods = (
        reporting_periods.open_for_reporting(now)
        .filter(campaign__status=Campaign.Status.ACTIVE)
        .select_related("campaign")
    )
    levels = {}
    for period in periods:
        due_day = timezone.localdate(period.due_at)
        reached = [
            name
            for name, at in (
                ("first", run.local(run.calendar.previous_workday(due_day), FIRST_REMINDER_AT)),
                ("final", run.local(due_day, FINAL_REMINDER_AT)),
            )
            if at <= now
        ]
        if reached:
            levels[period.pk] = (period, reached[-1])
    if not levels:
        return run.summary
    rows = due.unfiled(levels)
    owed = _by_period_and_unit(rows)
    units, tasks = units_by_id(row.unit_id for row in rows), LazyTaskRows(row.task_id for row in rows)
    people, workspace = People(units), reverse("tasks:workspace")

    def reminder(period, unit, task_ids):
        return {
            "kind": "reminder", "unit": unit, "link": workspace,
            "title": _("Reminder: %(count)s report(s) due %(due)s") % {"count": len(task_ids), "due": _due(period)},
            "body": _("%(campaign)s — not yet reported:\n%(tasks)s") % {
                "campaign": period.campaign, "tasks": task_list(tasks[pk] for pk in task_ids)},
        }  # fmt: skip

    for period_id, by_unit in owed.items():
        period, level = levels[period_id]
        for unit_id, task_ids in by_unit.items():
            unit = units[unit_id]
            run.tell(
                people.liaisons.get(unit_id, []), unit, f"remind:p{period_id}:n{unit_id}:{level}", N_("liaison"),
                tally=run.tally("reminders"), message=functools.partial(reminder, period, unit, task_ids),
            )  # fmt: skip
    return run.flush()


# ---- overdue ladder ------------------------------------------------------------------------------


def overdue_sweep(now: datetime.datetime) -> JobSummary:
    """At the due moment missing reports are overdue and the unit head is told; after N working
    days still missing, the responsible leaders and the office are told and a supervision notice
    goes to the unit, to be answered within M working days. A returned report not resubmitted by
    its fix deadline gets a notice of its own (退回未整改)."""
    run = Run("overdue_sweep", now)
    periods = {
        period.pk: period
        for period in reporting_periods.due_since(now - OVERDUE_LOOKBACK, now)
        .filter(campaign__status=Campaign.Status.ACTIVE)
        .select_related("campaign")
    }
    rows = due.missing(periods, now) if periods else []
    fixes = due.fix_overdue(now, now - OVERDUE_LOOKBACK) if run.calendar.is_workday(run.today) else []
    if not rows and not fixes:
        return run.summary
    units = units_by_id([row.unit_id for row in rows] + [fix.unit_id for fix in fixes])
    tasks = task_rows(row.task_id for row in rows)
    people = People(units)
    run.load_policies({period.campaign_id for period in periods.values()} | {fix.campaign_id for fix in fixes})
    specs, digests, workspace = [], [], reverse("tasks:workspace")

    def overdue(period, unit, missing):
        return {
            "kind": "overdue", "unit": unit, "link": workspace,
            "title": _("Overdue: %(unit)s has %(count)s report(s) missing") % {"unit": unit, "count": len(missing)},
            "body": _("%(campaign)s, period %(period)s, due %(due)s:\n%(tasks)s") % {
                "campaign": period.campaign, "period": period.number, "due": _due(period),
                "tasks": task_list(missing)},
        }  # fmt: skip

    for period_id, by_unit in _by_period_and_unit(rows).items():
        period = periods[period_id]
        workdays_late = run.calendar.workdays_between(timezone.localdate(period.due_at), run.today)
        climb = workdays_late >= run.policy(period.campaign_id).escalate_after_workdays and run.calendar.is_workday(
            run.today
        )
        digest = []  # the units still missing at the second rung, for the leaders' and the office's digest
        for unit_id, task_ids in by_unit.items():
            unit, missing = units[unit_id], [tasks[pk] for pk in task_ids]
            tally = run.tally("escalations")
            run.tell(
                people.heads.get(unit_id, []), unit, f"overdue:p{period_id}:n{unit_id}:head", N_("unit head"),
                tally=tally, message=functools.partial(overdue, period, unit, missing),
            )  # fmt: skip
            if not climb:
                continue
            digest.append((unit, missing))
            specs.append(
                NoticeSpec(
                    key=f"notice:reports:p{period_id}:n{unit_id}", kind=SupervisionNotice.Kind.OVERDUE_REPORTS,
                    campaign_id=period.campaign_id, unit=unit, period_id=period_id, tally=tally,
                    body=functools.partial(_notice_body, period, workdays_late, missing),
                )
            )  # fmt: skip
        if digest:
            digests.append((period, digest, workdays_late))
    specs += _fix_overdue_notices(run, fixes, units)
    for spec, notice in issue_notices(run, specs):
        tell_notice(run, notice, people.both(spec.unit.pk), spec.tally)
    if digests:
        leaders = leaders_by_task({task.pk for _p, digest, _d in digests for _u, missing in digest for task in missing})
        for period, digest, workdays_late in digests:
            _tell_digest(run, period, digest, workdays_late, leaders)
    return run.flush()


def _notice_body(period: ReportingPeriod, workdays_late: int, missing) -> str:
    # The campaign named: a unit gets such notices from several campaigns.
    return _("%(campaign)s: reports of period %(period)s are %(days)s working day(s) overdue:\n%(tasks)s") % {
        "campaign": period.campaign, "period": period.number, "days": workdays_late,
        "tasks": task_list(missing)}  # fmt: skip


def _fix_overdue_notices(run: Run, fixes, units) -> list[NoticeSpec]:
    """退回未整改: one notice per obligation whose returned report was not resubmitted by its fix
    deadline; the unit's liaisons and head are told of it (and, unanswered, notice_followup tells
    the leaders and the office)."""
    if not fixes:
        return []
    periods = ReportingPeriod.objects.select_related("campaign").in_bulk({fix.period_id for fix in fixes})
    tasks = Task.objects.in_bulk({fix.task_id for fix in fixes})  # the notices name them
    specs = []
    for fix in fixes:
        period, task = periods[fix.period_id], tasks[fix.task_id]
        specs.append(
            NoticeSpec(
                key=f"notice:fix:o{fix.pk}:r{fix.returns}", kind=SupervisionNotice.Kind.RETURN_NOT_FIXED,
                campaign_id=fix.campaign_id, unit=units[fix.unit_id], period_id=fix.period_id, task=task,
                tally=run.tally("escalations"),
                body=_("%(campaign)s — the report on task %(task)s for period %(period)s was returned and not "
                       "resubmitted by its fix deadline, %(due)s.") % {
                    "campaign": period.campaign, "task": task, "period": period.number,
                    "due": timezone.localtime(fix.fix_due_at).strftime("%Y-%m-%d %H:%M")},
            )
        )  # fmt: skip
    return specs


def _tell_digest(run: Run, period: ReportingPeriod, digest, workdays_late: int, leaders: dict) -> None:
    """One message per period to each responsible leader (their late units) and to the office (all)."""

    def lines(entries):
        return "\n".join(f"{unit}：{'、'.join(task.number for task in tasks)}" for unit, tasks in entries)

    message = {
        "kind": "overdue",
        "link": reverse("tasks:matrix", args=[period.campaign.code, period.number]),
        "title": _("%(count)s unit(s) still missing reports of period %(period)s, %(days)s working day(s) late") % {
            "count": len(digest), "period": period.number, "days": workdays_late},
    }  # fmt: skip
    by_leader, people = defaultdict(list), {}
    for unit, tasks in digest:
        theirs = defaultdict(list)
        for task in tasks:
            for leader in leaders.get(task.pk, []):
                people[leader.pk] = leader
                theirs[leader.pk].append(task)
        for leader_id, led in theirs.items():
            by_leader[leader_id].append((unit, led))
    for leader_id, entries in by_leader.items():
        run.tell(
            [people[leader_id]], period.campaign, f"overdue:p{period.pk}:leader", N_("responsible leader"),
            body=f"{period.campaign}\n{lines(entries)}", **message,
        )  # fmt: skip
    run.tell(
        run.office_staff, period.campaign, f"overdue:p{period.pk}:office", N_("office staff"),
        body=f"{period.campaign}\n{lines(digest)}", **message,
    )  # fmt: skip
