"""Reads of the unit directory and of a unit's tasks across the campaigns the user may see."""

from django.core.paginator import InvalidPage, Page, Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext

from accounts import access
from common.urls import url_maker
from units.models import Unit, UnitAlias

from .ledger import read_units
from .models import TaskAssignment


def unit_list(user, query: str = ""):
    """Active units with how many visible tasks each leads and supports; `query` matches names and aliases."""
    visible = access.campaigns_q(user, prefix="assignments__task__campaign__")
    units = Unit.objects.filter(is_active=True)
    query = query.strip()
    if query:
        aliased = UnitAlias.objects.filter(name__icontains=query).values("unit_id")
        units = units.filter(Q(name__icontains=query) | Q(short_name__icontains=query) | Q(pk__in=aliased))
    return units.prefetch_related("aliases").annotate(
        lead_count=Count("assignments", filter=visible & Q(assignments__role=TaskAssignment.Role.LEAD)),
        support_count=Count("assignments", filter=visible & Q(assignments__role=TaskAssignment.Role.SUPPORT)),
    )


def unit_detail(pk: int) -> Unit:
    """A unit with its aliases and groups. The directory is open to every signed-in user."""
    return get_object_or_404(Unit.objects.select_related("parent").prefetch_related("aliases", "groups"), pk=pk)


def unit_tasks(user, unit: Unit):
    """The unit's assignments (task and role) in the campaigns the user may see, campaign by campaign."""
    return (
        access.visible_to(user, TaskAssignment)
        .filter(unit=unit)
        .select_related("task__campaign", "task__phase")
        .order_by("-task__campaign__start_date", "task__campaign__code", "task__sort_key")
    )


# A task number put in a task's URL once per campaign, then replaced by each row's.
# Tasks of a unit shown per page: the busiest unit is on hundreds.
TASKS_PER_PAGE = 50


def unit_page_tasks(user, unit: Unit, page: int = 1, now=None) -> tuple[Page, dict[str, int]]:
    """A page of the unit's assignments (unit_tasks), each with `figures`: what the unit owed on
    the task, filed (on time, late), missed, and fixes overdue, from the ledger; and the totals
    over all its tasks. Three queries besides the opening check, whatever the number of tasks and
    periods; Http404 for a page past the last."""
    paginator = Paginator(unit_tasks(user, unit), TASKS_PER_PAGE)
    try:
        assignments = paginator.page(page)
    except InvalidPage:
        raise Http404 from None
    figures = read_units.unit_figures(user, unit.pk, now)
    empty = dict.fromkeys(read_units.FIGURES, 0)
    # Each row's link and label from one reverse() per campaign and one gettext() per page.
    filed_label = gettext("%(filed)s of %(owed)s filed")
    urls: dict[str, tuple[str, str]] = {}
    for assignment in assignments:
        assignment.figures = row = figures.get(assignment.task_id, empty)
        assignment.filed_label = filed_label % {"filed": row["filed"], "owed": row["owed"]}
        task = assignment.task
        code = task.campaign.code
        if code not in urls:
            urls[code] = url_maker("tasks:detail", code)
        task.url = urls[code](task.number)
    return assignments, read_units.totals(figures)
