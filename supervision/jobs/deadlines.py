"""Task deadlines: lead units warned before, a notice per lead unit and the leaders told after."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from campaigns.models import Campaign
from tasks.models import Task, TaskAssignment

from ..models import EscalationPolicy, SupervisionNotice
from .base import OVERDUE_LOOKBACK, JobSummary, NoticeSpec, People, Run, issue_notices, leaders_by_task, tell_notice


def deadline_warnings(now: datetime.datetime) -> JobSummary:
    """Lead units are warned 5 and 1 working days before a task's deadline; a task still open
    after its deadline is overdue: its lead units get a notice and its leaders are told.

    Only the tasks that can be due for something are read: those whose deadline is at most the
    campaign's earliest warning away (counted by the calendar's bisection, not day by day), or
    passed within the lookback."""
    run = Run("deadline_warnings", now)
    if not run.calendar.is_workday(run.today):
        run.skip(_("not a working day"))
        return run.summary
    active = Campaign.objects.filter(status=Campaign.Status.ACTIVE).values_list("pk", flat=True)
    run.load_policies(active)
    horizons = defaultdict(list)  # the last deadline worth a look → campaigns
    for campaign_id in active:
        furthest = max(run.policy(campaign_id).warning_days or [0])
        # The day before the working day after the furthest warning: a deadline on the weekend
        # after it has as few working days left.
        horizon = run.calendar.add_workdays(run.today, furthest + 1) - datetime.timedelta(days=1)
        horizons[horizon].append(campaign_id)
    if not horizons:
        return run.summary
    window = Q()
    for horizon, campaign_ids in horizons.items():
        window |= Q(campaign_id__in=campaign_ids, deadline__lte=horizon)
    tasks = list(
        Task.objects.filter(window, status=Task.Status.OPEN, deadline__gte=run.today - OVERDUE_LOOKBACK)
        .select_related("campaign")
        .order_by("deadline", "campaign_id", "sort_key")
    )
    if not tasks:
        return run.summary
    leads = defaultdict(list)
    for assignment in TaskAssignment.objects.filter(
        task__in=[task.pk for task in tasks], role=TaskAssignment.Role.LEAD
    ).select_related("unit"):
        leads[assignment.task_id].append(assignment.unit)
    people = People({unit.pk for units in leads.values() for unit in units})
    overdue = [task for task in tasks if task.deadline < run.today]
    leaders = leaders_by_task([task.pk for task in overdue]) if overdue else {}
    specs = []
    for task in tasks:
        link = task.get_absolute_url()
        if task.deadline >= run.today:
            _warn(run, task, leads[task.pk], people, link)
            continue
        body = _("%(campaign)s — task %(task)s was due %(date)s and is not closed off.") % {
            "campaign": task.campaign, "task": task, "date": task.deadline}  # fmt: skip
        tally = run.tally("escalations")
        for unit in leads[task.pk]:
            specs.append(
                NoticeSpec(
                    key=f"notice:task:t{task.pk}:n{unit.pk}", kind=SupervisionNotice.Kind.TASK_OVERDUE,
                    campaign_id=task.campaign_id, unit=unit, task=task, body=body, tally=tally,
                )
            )  # fmt: skip
        run.tell(
            leaders.get(task.pk, []), task, f"task-overdue:t{task.pk}:leader", N_("responsible leader"), tally=tally,
            kind="task_overdue", task=task, link=link, body=body, title=_("Task overdue: %(task)s") % {"task": task},
        )  # fmt: skip
    for spec, notice in issue_notices(run, specs):
        tell_notice(run, notice, people.both(spec.unit.pk), spec.tally)
    return run.flush()


def _warn(run: Run, task: Task, units, people: People, link: str) -> None:
    remaining = run.calendar.workdays_between(run.today, task.deadline)
    policy: EscalationPolicy = run.policy(task.campaign_id)
    levels = [level for level in policy.warning_days if remaining <= level]
    if not levels:
        return
    level = min(levels)
    for unit in units:
        run.tell(
            people.liaisons.get(unit.pk, []) + people.heads.get(unit.pk, []), unit,
            f"deadline:t{task.pk}:n{unit.pk}:w{level}", N_("liaison or head"), tally=run.tally("reminders"),
            kind="deadline", task=task, unit=unit, link=link,
            title=_("Deadline in %(days)s working day(s): %(task)s") % {"days": remaining, "task": task},
            body=_("%(campaign)s — task %(task)s is due %(date)s.") % {
                "campaign": task.campaign, "task": task, "date": task.deadline},
        )  # fmt: skip
