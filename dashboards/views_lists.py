"""The drill-down lists behind every number on the dashboards: tasks, reports owed, coordination
requests, each filtered by the query parameters of dashboards.filters and paged.

Who may open them: those who oversee (the office, leaders) and unit members (their own units'
rows, dashboards.selectors.lists says how); anyone else is refused (403). The rows are the
selectors' querysets, the same the dashboards' cards count.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import access
from common.urls import url_maker
from lights.explain import label as light_label
from tasks.deadlines import mark_overdue
from tasks.models import ProgressReport, TaskAssignment
from tasks.selectors.campaign_page import assignments_prefetch, split_assignments
from tasks.selectors.states import STATE_LABELS

from . import filters
from .selectors import lists

PAGE_SIZE = 50


def _check_access(user) -> None:
    if not (access.can(user, "oversee") or access.can(user, "workspace")):
        raise PermissionDenied


def _state_label(state: str) -> str:
    labels = {
        "missing": _("Missing"),
        "late": _("Filed late"),
        "on_time": _("Filed on time"),
        "filed": _("Filed"),
        "returned": _("Returned"),
        "fix_overdue": _("Returned, fix overdue"),
        "awaiting_review": _("Awaiting review"),
        "accepted": _("Accepted"),
        "stale": _("Same as the previous report"),
    }
    return labels.get(state, state)


def _chip_labels(params: filters.ListFilters) -> list[tuple[str, str]]:
    """(parameter, what the chip says) for each filter in force, in the list's order."""
    roles = dict(TaskAssignment.Role.choices)
    named = {
        "campaign": lambda: _("Campaign: %(name)s") % {"name": params.campaign.title},
        "light": lambda: light_label(params.light),
        "section": lambda: _("Section: %(name)s") % {"name": params.section.title},
        "phase": lambda: _("Phase: %(name)s") % {"name": params.phase.name},
        "unit": lambda: _("Unit: %(name)s") % {"name": params.unit.name},
        "role": lambda: str(roles.get(params.role, params.role)),
        "overdue": lambda: _("Past the deadline"),
        "attention": lambda: _("Marked for leader attention"),
        "leader": lambda: _("Leader: %(name)s") % {"name": params.leader.name},
        "followed": lambda: _("Followed by me"),
        "coordination": lambda: _("Coordination requested"),
        "q": lambda: _("Search: %(text)s") % {"text": params.q},
        "state": lambda: _state_label(params.state),
        "period": lambda: (
            _("Every due period") if params.all_periods else _("Period %(number)s") % {"number": params.period.number}
        ),
    }
    present = {
        "campaign": params.campaign,
        "light": params.light,
        "section": params.section,
        "phase": params.phase,
        "unit": params.unit,
        "role": params.role,
        "overdue": params.overdue,
        "attention": params.attention,
        "leader": params.leader,
        "followed": params.followed,
        "coordination": params.coordination,
        "q": params.q,
        "state": params.state,
        "period": params.period or params.all_periods,
    }
    return [(key, named[key]()) for key in filters.KEYS[params.kind] if present[key]]


def _context(request, params: filters.ListFilters, rows) -> dict:
    """What every list's page has: its page of rows, the count, the filters as removable chips
    (each removes its parameter, the others kept) and the query for the pager's links."""
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    chips = []
    labels = _chip_labels(params)
    for key, text in labels:
        rest = query.copy()
        rest.pop(key, None)
        chips.append({"text": text, "url": "?" + rest.urlencode() if rest else request.path})
    return {
        "params": params,
        "page": page,
        "chips": chips,
        # Filters beyond the campaign: an empty list then says "nothing matches", else "nothing yet".
        "filtered": any(key != "campaign" for key, _text in labels) or bool(params.errors),
        "query": query.urlencode(),
        "lights": [(value, light_label(value)) for value in filters.LIGHTS],
        "states": [(value, _state_label(value)) for value in filters.REPORT_STATES],
    }


def _link_tasks(tasks) -> None:
    """Each task's `url`, from one reverse() per campaign (common.urls.url_maker), not two a row."""
    makers = {}
    for task in tasks:
        code = task.campaign.code
        if code not in makers:
            makers[code] = url_maker("tasks:detail", code)
        task.url = makers[code](task.number)


def task_list(request):
    """Tasks: red first, each with its light and why, its lead units, deadline and whether overdue."""
    _check_access(request.user)
    params = filters.parse(request.user, request.GET, filters.TASKS)
    now = timezone.now()
    rows = (
        lists.task_rows(request.user, params, now).select_related("campaign").prefetch_related(assignments_prefetch())
    )
    context = _context(request, params, rows)
    tasks = mark_overdue(context["page"].object_list, timezone.localdate(now))
    split_assignments(tasks)
    _link_tasks(tasks)
    context["rows"] = tasks
    return render(request, "dashboards/tasks_list.html", context)


def report_list(request):
    """Reports owed: each unit's state for the period, linked to its task (and, for the user's own
    units, to the report's page)."""
    _check_access(request.user)
    params = filters.parse(request.user, request.GET, filters.REPORTS)
    now = timezone.now()
    context = _context(request, params, lists.report_rows(request.user, params, now))
    own = lists.own_unit_ids(request.user)
    labels = {state: str(label) for state, label in STATE_LABELS.items()}  # translated once a page
    rows = lists.with_campaigns(list(context["page"].object_list), params)
    _link_tasks(row.task for row in rows)
    period_label = _("Period %(number)s")
    for row in rows:
        row.state_label = labels.get(row.shown, row.shown)
        row.period_label = period_label % {"number": row.period.number}
        row.report_url = (
            ProgressReport.page_url(row.task, row.unit_id, row.period.number) if row.unit_id in own else None
        )
    context["rows"] = rows
    context["labels"] = {
        "late": _("Filed late"), "stale": _("Same as the previous report"), "support": _("supporting"),
        "open": _("Open report"),
    }  # fmt: skip
    return render(request, "dashboards/reports_list.html", context)


def coordination_list(request):
    """Open coordination requests (需协调解决事项): what each unit asked for, newest first."""
    _check_access(request.user)
    params = filters.parse(request.user, request.GET, filters.COORDINATION)
    now = timezone.now()
    context = _context(request, params, lists.coordination_rows(request.user, params, now))
    context["rows"] = lists.with_campaigns(list(context["page"].object_list), params)
    _link_tasks(row.task for row in context["rows"])
    period_label = _("Period %(number)s")
    for row in context["rows"]:
        row.period_label = period_label % {"number": row.period.number}
    return render(request, "dashboards/coordination_list.html", context)
