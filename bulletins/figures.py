"""The bulletin's numbers, read from the ledger when a bulletin is drafted (or refreshed).

Everything comes from the ledger's readers, never from the reports table: reports owed, filed
on time, late and missing are the summary per period × unit (tasks.ledger.read_summary), counted
over the range's periods that are due; units are put in one group each (missing if they missed
anything, else late if anything came late, else on time), in the directory's official order,
and a unit that filed nothing at all is among the missing. Open coordination requests are
tasks.selectors.coordination's. About ten queries, whatever the size of the campaign.

The result is plain JSON (stored on the bulletin as drafted, so a published bulletin keeps the
numbers it printed).
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from campaigns.models import ReportingPeriod
from campaigns.periods import local_today
from tasks.deadlines import mark_overdue
from tasks.ledger.models import Obligation
from tasks.ledger.read import ensure_open
from tasks.ledger.read_summary import rates_by_campaign, rates_by_unit
from tasks.models import Task, TaskAssignment
from tasks.selectors.coordination import open_items
from units.models import Unit

# Named in the text one by one: a city campaign's overdue tasks and open requests are tens.
MAX_LISTED = 100


def percent(part: int, whole: int) -> int | None:
    """Rounded percentage, as bulletins print them (None when there is no whole)."""
    return round(part * 100 / whole) if whole else None


def periods_between(period_from: ReportingPeriod, period_to: ReportingPeriod):
    return ReportingPeriod.objects.filter(
        campaign_id=period_from.campaign_id, number__gte=period_from.number, number__lte=period_to.number
    )


def _unit_names(ids) -> dict[int, str]:
    """id → name, in the directory's official order (Unit's ordering: sort_order, name)."""
    rows = Unit.objects.filter(pk__in=list(ids)).order_by("sort_order", "name").values_list("pk", "name")
    return dict(rows)


def _task_counts(campaign, today: datetime.date) -> dict:
    open_q = Q(status=Task.Status.OPEN)
    row = Task.objects.filter(campaign=campaign).aggregate(
        total=Count("pk"),
        closed=Count("pk", filter=Q(status=Task.Status.CLOSED)),
        open=Count("pk", filter=open_q),
        overdue=Count("pk", filter=open_q & Q(deadline__lt=today)),
    )
    return {**row, **{f"{k}_rate": percent(row[k], row["total"]) for k in ("closed", "open", "overdue")}}


def _overdue_tasks(campaign, today: datetime.date) -> list[dict]:
    leads = TaskAssignment.objects.filter(role=TaskAssignment.Role.LEAD).select_related("unit").order_by("sort_order")
    tasks = (
        Task.objects.filter(campaign=campaign, status=Task.Status.OPEN, deadline__lt=today)
        .order_by("sort_key")
        .prefetch_related(Prefetch("assignments", queryset=leads, to_attr="leads"))[:MAX_LISTED]
    )
    tasks = mark_overdue(tasks, today)
    # Working days, as every page and the ledger count them (tasks.deadlines).
    return [
        {
            "number": task.number,
            "title": task.title,
            "deadline": task.deadline.isoformat(),
            "workdays": task.overdue_workdays,
            "lead_units": [a.unit.name for a in task.leads],
        }
        for task in tasks
    ]


def _coordination(campaign) -> list[dict]:
    # The bulletin is the office's document: every unit's filed requests, as the office sees them.
    items = (
        open_items(Obligation.objects.filter(campaign=campaign))
        .select_related("task", "unit", "report")
        .order_by("task__sort_key", "unit__sort_order", "unit__name")[:MAX_LISTED]
    )
    return [
        {
            "number": item.task.number,
            "title": item.task.title,
            "unit": item.unit.name,
            "request": item.report.coordination_request,
        }
        for item in items
    ]


def compute(campaign, period_from: ReportingPeriod, period_to: ReportingPeriod, *, now=None) -> dict:
    """The figures of the campaign over the periods from `period_from` to `period_to` at `now`."""
    now = now or timezone.now()
    today = local_today(now)
    ensure_open([campaign.pk], now)
    periods = list(periods_between(period_from, period_to).values("pk", "due_at"))
    period_ids = [p["pk"] for p in periods]
    reports = rates_by_campaign([campaign.pk], now=now, period_ids=period_ids).get(campaign.pk)
    by_unit = rates_by_unit([campaign.pk], now=now, period_ids=period_ids)
    groups = {"on_time": [], "late": [], "missing": []}
    for unit_id, name in _unit_names(by_unit).items():
        rates = by_unit[unit_id]
        if not rates.owed:
            continue
        group = "missing" if rates.missing else "late" if rates.late else "on_time"
        groups[group].append(name)
    owed = reports.owed if reports else 0
    return {
        "computed_at": now.isoformat(),
        "today": today.isoformat(),
        "range": {
            "from_number": period_from.number,
            "to_number": period_to.number,
            "start": period_from.start_date.isoformat(),
            "end": period_to.end_date.isoformat(),
            "periods": len(periods),
            "due": sum(1 for p in periods if p["due_at"] <= now),
        },
        "tasks": _task_counts(campaign, today),
        "reports": {
            "owed": owed,
            "filed": reports.filed if reports else 0,
            "on_time": reports.on_time if reports else 0,
            "late": reports.late if reports else 0,
            "missing": reports.missing if reports else 0,
            "on_time_rate": percent(reports.on_time, owed) if reports else None,
            "filed_rate": percent(reports.filed, owed) if reports else None,
        },
        "units": groups,
        "overdue_tasks": _overdue_tasks(campaign, today),
        "coordination": _coordination(campaign),
    }
