"""The drill-down lists: the rows behind every number on the dashboards and home pages.

Each function takes the checked parameters (dashboards.filters.ListFilters) and returns a queryset,
not yet paged: the lists page it, and the cards count it (`.count()`), so a card's number is its
list's length by construction.

Who sees which rows (accounts.access decides; nothing here reads a role):
- those who may oversee (the office, leaders: `can(user, "oversee")`) see every unit's rows of
  the campaigns visible_to gives them;
- everyone else sees only the rows of their own units (access.workspace_unit_ids): the tasks
  their units are on, their units' obligations and coordination requests. A unit member thus
  never sees another unit's draft, nor another unit's missing reports.

Without a campaign, a list covers the active campaigns the user sees (the overview's); with one,
that campaign whatever its status.
"""

from __future__ import annotations

import datetime

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from accounts import access
from campaigns.models import Campaign
from campaigns.periods import last_due_period_ids, local_today
from dashboards.filters import ListFilters
from dashboards.models import Follow
from lights.models import Attention
from lights.selectors import with_light
from tasks.ledger import read, read_pages, states
from tasks.models import Task, TaskAssignment
from tasks.selectors.coordination import open_items

# The report list's states (dashboards.filters.REPORT_STATES) as ledger filters at `now`. The
# ledger says what each is; "returned" is every report returned now, its fix overdue or not (as
# the summaries count it), "fix_overdue" the part whose fix is overdue.
_REPORT_STATES = {
    "missing": lambda now: states.missing_q(now),
    "late": lambda now: read_pages.state_q(read_pages.LATE, now),
    "on_time": lambda now: states.filed_q() & Q(first_late=False),
    "filed": lambda now: states.filed_q(),
    "returned": lambda now: Q(state=states.RETURNED),
    "fix_overdue": lambda now: states.fix_overdue_q(now),
    "awaiting_review": lambda now: Q(state__in=states.AWAITING_REVIEW),
    "accepted": lambda now: Q(state=states.ACCEPTED),
    "stale": lambda now: states.filed_q() & Q(report__stale=True),
}


def _oversees(user) -> bool:
    return access.can(user, "oversee")


def _campaign_q(params: ListFilters, prefix: str = "") -> Q:
    if params.campaign is not None:
        return Q(**{f"{prefix}campaign_id": params.campaign.pk})
    return Q(**{f"{prefix}campaign__status": Campaign.Status.ACTIVE})


def _leader_q(leader_id: int, task_ref: str) -> Exists:
    through = Task.leaders.through.objects.filter(task_id=OuterRef(task_ref), leader_id=leader_id)
    return Exists(through)


# ---- tasks ------------------------------------------------------------------------------------


def task_rows(user, params: ListFilters, now: datetime.datetime) -> QuerySet:
    """The tasks a list with `params` shows, annotated with their light (lights.selectors.with_light),
    red first, then by campaign and number. Empty when the parameters had errors."""
    tasks = access.visible_to(user, Task).filter(_campaign_q(params))
    if not params.valid:
        return with_light(tasks.none())
    own = None if _oversees(user) else access.workspace_unit_ids(user)
    assigned = TaskAssignment.objects.filter(task_id=OuterRef("pk"))
    if own is not None:
        assigned = assigned.filter(unit_id__in=own)
    if params.unit is not None:
        assigned = assigned.filter(unit_id=params.unit.pk)
    if params.role:
        assigned = assigned.filter(role=params.role)
    if own is not None or params.unit is not None or params.role:
        tasks = tasks.filter(Exists(assigned))
    if params.section is not None:
        tasks = tasks.filter(section_id=params.section.pk)
    if params.phase is not None:
        tasks = tasks.filter(phase_id=params.phase.pk)
    if params.overdue:
        tasks = tasks.filter(status=Task.Status.OPEN, deadline__lt=local_today(now))
    if params.attention:
        tasks = tasks.filter(Exists(Attention.objects.filter(task_id=OuterRef("pk"))))
    if params.leader is not None:
        tasks = tasks.filter(_leader_q(params.leader.pk, "pk"))
    if params.followed:
        tasks = tasks.filter(Exists(Follow.objects.filter(user_id=user.pk, task_id=OuterRef("pk"))))
    if params.coordination:
        items = open_items(_obligations(user, params, now))
        tasks = tasks.filter(Exists(items.filter(task_id=OuterRef("pk"))))
    if params.q:
        tasks = tasks.filter(Q(title__icontains=params.q) | Q(number=params.q))
    tasks = with_light(tasks)
    if params.light:
        tasks = tasks.filter(light=params.light)
    return tasks.order_by("light_rank", "campaign_id", "sort_key", "pk")


# ---- reports (the ledger's obligations) -------------------------------------------------------


def _obligations(user, params: ListFilters, now: datetime.datetime) -> QuerySet:
    """The obligations the user may see in the lists' scope: the campaign's (or the active
    campaigns'), of the user's own units unless they oversee; periods opened first."""
    campaign_ids = [params.campaign.pk] if params.campaign is not None else None
    rows = read.visible(user, campaign_ids, now).filter(_campaign_q(params))
    if not _oversees(user):
        rows = rows.filter(unit_id__in=access.workspace_unit_ids(user))
    if params.unit is not None:
        rows = rows.filter(unit_id=params.unit.pk)
    if params.role:
        rows = rows.filter(role=params.role)
    return rows


def report_rows(user, params: ListFilters, now: datetime.datetime) -> QuerySet:
    """The reports owed (the ledger's obligations, filed or not) a list with `params` shows,
    annotated with `shown` (their state as the user sees it), newest campaign and period first,
    then by unit order and task number. The period: the one given, every due period (period=all), or by
    default each campaign's last due period (campaigns.periods.last_due_period_ids)."""
    rows = _obligations(user, params, now)
    if not params.valid:
        return read.with_shown(rows.none(), user, now)
    if params.period is not None:
        rows = rows.filter(period_id=params.period.pk)
    elif params.all_periods:
        rows = rows.filter(period__due_at__lte=now)
    else:
        campaign_ids = [params.campaign.pk] if params.campaign is not None else None
        rows = rows.filter(period_id__in=last_due_period_ids(now, campaign_ids))
    if params.state:
        rows = rows.filter(_REPORT_STATES[params.state](now))
    # Neither the campaign nor the report joined: planning the joins cost more than running the
    # query (a page's campaigns are read apart, see with_campaigns); of the report, only its flag.
    # Newest campaign and period first by id, along the (campaign, period) index: with every due
    # period (a million rows at city scale) sorting by the periods' dates took 150 ms, this 10.
    # ensure_reporting_periods creates a campaign's periods in order, so ids follow the dates
    # (a period re-created after its campaign's dates changed may sort out of place).
    return (
        read.with_shown(rows, user, now)
        .select_related("task", "unit", "period")
        .annotate(report_stale=F("report__stale"))
        .order_by("-campaign_id", "-period_id", "unit__sort_order", "unit__name", "task__sort_key", "pk")
    )


# ---- coordination requests --------------------------------------------------------------------


def coordination_rows(user, params: ListFilters, now: datetime.datetime) -> QuerySet:
    """The open coordination requests (tasks.selectors.coordination.open_items) a list with
    `params` shows: obligations whose filed report asks for coordination, newest first."""
    rows = _obligations(user, params, now)
    if not params.valid:
        return rows.none()
    rows = open_items(rows)
    if params.leader is not None:
        rows = rows.filter(_leader_q(params.leader.pk, "task_id"))
    return rows.select_related("task", "unit", "period", "report").order_by("-report__submitted_at", "-pk")


def with_campaigns(rows: list, params: ListFilters) -> list:
    """Give the rows' tasks their campaign (their links name it): the list's own campaign, or the
    page's campaigns in one query."""
    if params.campaign is not None:
        campaigns = {params.campaign.pk: params.campaign}
    else:
        campaigns = Campaign.objects.in_bulk({row.task.campaign_id for row in rows})
    for row in rows:
        row.task.campaign = campaigns[row.task.campaign_id]
    return rows


def own_unit_ids(user) -> frozenset[int]:
    """The units whose report pages the user opens from a list (their own units')."""
    return access.workspace_unit_ids(user)
