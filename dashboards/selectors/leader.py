"""A leader's home page: the tasks they are responsible for, red and yellow first; the tasks they
follow; open coordination requests on their tasks; and what changed since their last visit.

Every read goes through accounts.access.visible_to (and the lights through lights.selectors), and
each list is one query with its total riding along (a window count), so the page's query count
does not grow with the tasks."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, Window, prefetch_related_objects

from accounts import access
from campaigns.models import Campaign
from common.urls import url_maker
from lights.models import TaskLight
from lights.selectors import with_light
from tasks.ledger import read
from tasks.models import ProgressReport, Task, TaskAssignment
from tasks.selectors.coordination import open_items

from ..models import Follow

# How many rows each list shows; the rest are a link away (the drill-down lists).
TASKS_SHOWN = 20
FOLLOWED_SHOWN = 10
COORDINATION_SHOWN = 15
CHANGES_SHOWN = 10
# A first visit counts changes over the last week.
FIRST_VISIT_LOOKBACK = datetime.timedelta(days=7)


@dataclass
class Changes:
    """What happened on the leader's tasks since `since`."""

    since: datetime.datetime
    first_visit: bool
    lights: list = field(default_factory=list)  # TaskLight rows whose light changed
    lights_total: int = 0
    reports: list = field(default_factory=list)  # reports filed
    reports_total: int = 0
    coordination_total: int = 0  # of those reports, the ones asking for coordination


@dataclass
class LeaderHome:
    leader_id: int | None
    tasks: list
    tasks_total: int
    followed: list
    followed_total: int
    coordination: list
    coordination_total: int
    changes: Changes


def responsible_tasks(user) -> QuerySet:
    """The visible tasks of active campaigns whose responsible leaders include the one whose
    account is the user's (a closed campaign's tasks are history: the drill-down lists keep them)."""
    leader_id = access.leader_id(user)
    if leader_id is None:
        return Task.objects.none()
    return access.visible_to(user, Task).filter(leaders=leader_id, campaign__status=Campaign.Status.ACTIVE)


def _with_total(rows: QuerySet, limit: int) -> tuple[list, int]:
    """The first `limit` rows and how many there are in all, in one query."""
    found = list(rows.annotate(total=Window(Count("pk")))[:limit])
    return found, (found[0].total if found else 0)


def _task_rows(user, tasks: QuerySet) -> QuerySet:
    """Tasks with their light (red and yellow first), campaign, lead units, whether the user
    follows each, and the id of the latest report filed on it."""
    latest = (
        access.visible_to(user, ProgressReport)
        .filter(task_id=OuterRef("pk"))
        .exclude(status=ProgressReport.Status.DRAFT)
        .order_by("-submitted_at", "-pk")
        .values("pk")[:1]
    )
    return (
        with_light(tasks.select_related("campaign"))
        .annotate(
            followed=Exists(Follow.objects.filter(user=user, task_id=OuterRef("pk"))),
            latest_report_id=Subquery(latest),
        )
        .order_by("light_rank", "deadline", "campaign_id", "sort_key")
    )


def _attach(tasks: list) -> None:
    """Each task's `lead_assignments` (with their units) and `latest_report` (None when nothing
    was filed): two queries for the page's tasks of both lists; and its links (`url`,
    `comment_url`, `follow_url`), each URL pattern reversed once a page, not once a row."""
    detail, comment = {}, {}
    follow = url_maker("dashboards:follow")
    for task in tasks:
        code = task.campaign.code
        if code not in detail:
            detail[code], comment[code] = url_maker("tasks:detail", code), url_maker("tasks:comment", code)
        task.url, task.comment_url, task.follow_url = (
            detail[code](task.number),
            comment[code](task.number),
            follow(task.pk),
        )
    leads = TaskAssignment.objects.filter(role=TaskAssignment.Role.LEAD).select_related("unit").order_by("sort_order")
    prefetch_related_objects(tasks, Prefetch("assignments", queryset=leads, to_attr="lead_assignments"))
    ids = [task.latest_report_id for task in tasks if task.latest_report_id]
    reports = {r.pk: r for r in ProgressReport.objects.filter(pk__in=ids).select_related("unit")} if ids else {}
    for task in tasks:
        task.latest_report = reports.get(task.latest_report_id)


def _changes(user, tasks: QuerySet, leader_id: int | None, previous_seen_at, now) -> Changes:
    since = previous_seen_at or now - FIRST_VISIT_LOOKBACK
    changes = Changes(since=since, first_visit=previous_seen_at is None)
    task_ids = tasks.values("pk")
    changes.lights, changes.lights_total = _with_total(
        TaskLight.objects.filter(task__in=task_ids, since__gt=since)
        .select_related("task__campaign")
        .order_by("-since"),
        CHANGES_SHOWN,
    )
    filed = (
        access.visible_to(user, ProgressReport)
        # The leader's tasks by the tasks' leaders (visible_to already applied the campaign rule):
        # fewer joins to plan than the task list's subquery.
        .filter(task__leaders=leader_id, task__campaign__status=Campaign.Status.ACTIVE, submitted_at__gt=since)
        .exclude(status=ProgressReport.Status.DRAFT)
    )
    reports = list(
        filed.annotate(
            total=Window(Count("pk")),
            asking=Window(Count("pk", filter=Q(needs_coordination=True))),
        )
        .select_related("task__campaign", "unit", "period")
        .order_by("-submitted_at", "-pk")[:CHANGES_SHOWN]
    )
    changes.reports = reports
    if reports:
        changes.reports_total, changes.coordination_total = reports[0].total, reports[0].asking
    return changes


def leader_home(user, *, previous_seen_at, now) -> LeaderHome:
    """What the leader's home page shows (see the module's docstring)."""
    mine, leader_id = responsible_tasks(user), access.leader_id(user)
    tasks, tasks_total = _with_total(_task_rows(user, mine), TASKS_SHOWN)
    followed, followed_total = _with_total(
        _task_rows(user, access.visible_to(user, Task).filter(follows__user=user)), FOLLOWED_SHOWN
    )
    _attach(tasks + followed)
    # By the task list's subquery: the same rows, and (measured at city scale) a third of the
    # planning time of joining the tasks' leaders here. Sorted here, not in SQL: a leader's open
    # requests are a few (at most one per unit on each of their tasks), and with ORDER BY … LIMIT
    # PostgreSQL walks every coordination request of the city newest first (190 ms, not 50).
    coordination = sorted(
        # order_by(): not the obligations' default order either (four joins to periods and campaigns).
        open_items(read.visible(user, now=now).filter(task__in=mine.values("pk")))
        .select_related("report", "unit", "task__campaign")
        .order_by(),
        key=lambda row: (row.report.submitted_at, row.pk),
        reverse=True,
    )
    coordination_total, coordination = len(coordination), coordination[:COORDINATION_SHOWN]
    return LeaderHome(
        leader_id=leader_id,
        tasks=tasks,
        tasks_total=tasks_total,
        followed=followed,
        followed_total=followed_total,
        coordination=coordination,
        coordination_total=coordination_total,
        changes=_changes(user, mine, leader_id, previous_seen_at, now),
    )
