"""A campaign's dashboard: its tasks by light, section and phase, completion, the chosen period's
reporting rates, overdue tasks, coordination requests, a per-unit table and the weekly trends.

Every figure comes from what is already stored and summarised: the tasks' stored lights
(lights.selectors), the ledger's per-period summary (tasks.ledger.read_summary), and the
coordination list's own definition (tasks.selectors.coordination.open_items), so that a figure and
the list it links to count the same rows (tests hold each figure to its list's length). Nothing
here aggregates the obligations of every period; the per-unit table reads the chosen period's
summary rows only. The completion figure is closed tasks over all (the lead units' matter): a
mean of the lead units' latest percent would need their latest report per task, which cost
seconds at city scale.

Queries (besides the session's and the user's roles): the campaign with its periods, the tasks
grouped by section, phase and light, the coordination requests (newest few, with their count),
the weekly rates (two: the chosen period's figures are its week's), the weekly lights, the units'
assignments, the units' rates (two), at most one for units no longer on any task, and one to open
periods only when one has begun unopened: constant as the campaign grows (at most 15 a page with
the site's own, tests/dashboards/test_campaign_dashboard_queries.py).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from accounts import access
from campaigns.models import Campaign, ReportingPeriod
from campaigns.periods import last_due, local_today
from lights.selectors import light_expression, weekly_counts
from tasks.ledger.read import ensure_open
from tasks.ledger.read_summary import Rates, rates_by_unit, rates_by_week
from tasks.models import Task, TaskAssignment
from tasks.selectors.coordination import open_items
from units.models import Unit

from ..links import coordination_url, reports_url, tasks_url
from . import charts

NEWEST_COORDINATION = 5
UNIT_ROWS = 50  # the per-unit table's rows shown unless all are asked for
TREND_WEEKS = 26  # the weekly trends' span: half a year of weekly periods
LEAD, SUPPORT = TaskAssignment.Role.LEAD.value, TaskAssignment.Role.SUPPORT.value


def overdue_q(today: datetime.date, prefix: str = "") -> Q:
    """An open task past its deadline (the task list's overdue=1)."""
    return Q(**{f"{prefix}status": Task.Status.OPEN, f"{prefix}deadline__lt": today})


# ---- the per-unit table ----------------------------------------------------------------------


@dataclass
class UnitRow:
    unit_id: int
    name: str
    sort_order: int
    led: int = 0
    supported: int = 0
    overdue_led: int = 0
    rates: Rates | None = None
    links: dict[str, str] = field(default_factory=dict)

    @property
    def on_time_rate(self) -> float | None:
        return self.rates.on_time_rate if self.rates else None

    @property
    def missing(self) -> int:
        return self.rates.missing if self.rates else 0

    @property
    def returned(self) -> int:
        return self.rates.returned if self.rates else 0


# Column → the value it sorts by (None sorts last whichever the direction), in the table's order.
SORTS = {
    "unit": lambda row: (row.sort_order, row.name),
    "led": lambda row: row.led,
    "supported": lambda row: row.supported,
    "on_time": lambda row: row.on_time_rate,
    "missing": lambda row: row.missing,
    "returned": lambda row: row.returned,
    "overdue": lambda row: row.overdue_led,
}
DEFAULT_SORT = "missing"  # the units missing most reports first
DEFAULT_DIRECTION = {"unit": "asc"}  # the others: the largest first


def sort_rows(rows: list[UnitRow], sort: str | None, direction: str | None) -> tuple[str, str]:
    """Sort in place by `sort` (a column of SORTS; anything else: the default) and `direction`
    ("asc"/"desc"; anything else: the column's default). Ties keep the units' own order."""
    if sort not in SORTS:
        sort = DEFAULT_SORT
    if direction not in ("asc", "desc"):
        direction = DEFAULT_DIRECTION.get(sort, "desc")
    rows.sort(key=lambda row: (row.sort_order, row.name))
    key = SORTS[sort]
    known = [row for row in rows if key(row) is not None]
    unknown = [row for row in rows if key(row) is None]
    known.sort(key=key, reverse=direction == "desc")
    rows[:] = known + unknown
    return sort, direction


def _unit_rows(user, campaign: Campaign, tasks, period: ReportingPeriod | None, now) -> list[UnitRow]:
    """Each unit on a task of the campaign or owing a report in the chosen period, with its
    reports of that period (one period's summary rows, not every period's: a city campaign has
    some 60,000 of those)."""
    today = local_today(now)
    lead = Q(role=LEAD)
    assignments = (
        access.visible_to(user, TaskAssignment)
        .filter(task__in=tasks.values("pk"))
        .order_by()
        .values("unit_id", "unit__name", "unit__short_name", "unit__sort_order")
        .annotate(
            led=Count("pk", filter=lead),
            supported=Count("pk", filter=Q(role=SUPPORT)),
            overdue_led=Count("pk", filter=lead & overdue_q(today, "task__")),
        )
    )
    rows: dict[int, UnitRow] = {}
    for row in assignments:
        rows[row["unit_id"]] = UnitRow(
            row["unit_id"],
            row["unit__short_name"] or row["unit__name"],
            row["unit__sort_order"],
            row["led"],
            row["supported"],
            row["overdue_led"],
        )
    rates = rates_by_unit([campaign.pk], now=now, period_ids=[period.pk]) if period else {}
    gone = [unit_id for unit_id in rates if unit_id not in rows]
    if gone:  # taken off every task, but owed reports of periods before
        for unit in Unit.objects.filter(pk__in=gone).only("name", "short_name", "sort_order"):
            rows[unit.pk] = UnitRow(unit.pk, unit.display_name, unit.sort_order)
    for unit_id, row in rows.items():
        row.rates = rates.get(unit_id)
    return list(rows.values())


def _link_units(rows: list[UnitRow], code: str, period_id: int | None) -> None:
    """The lists behind each shown row's figures (only the rows shown: a city campaign has some
    300 units, and six links a row)."""
    for row in rows:
        unit_id = row.unit_id
        row.links = {
            "led": tasks_url(campaign=code, unit=unit_id, role=LEAD),
            "supported": tasks_url(campaign=code, unit=unit_id, role=SUPPORT),
            "overdue": tasks_url(campaign=code, unit=unit_id, role=LEAD, overdue=True),
            "on_time": reports_url(campaign=code, period=period_id, unit=unit_id, state="on_time"),
            "missing": reports_url(campaign=code, period=period_id, unit=unit_id, state="missing"),
            "returned": reports_url(campaign=code, period=period_id, unit=unit_id, state="returned"),
        }


# ---- the dashboard ---------------------------------------------------------------------------


@dataclass
class Breakdown:
    """Tasks by light of one section or phase (id None: tasks with none)."""

    id: int | None
    label: str
    order: tuple
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class CampaignDashboard:
    campaign: Campaign
    periods: list[ReportingPeriod]  # those due, for the period choice
    period: ReportingPeriod | None  # the chosen one, by default the last due
    lights: dict[str, int]
    total: int
    closed: int
    overdue: int
    rates: Rates | None
    units: list[UnitRow]  # the first UNIT_ROWS of the sorted table, or all
    unit_count: int
    sort: str
    direction: str
    coordination_count: int
    coordination: list
    charts: list[charts.Chart]
    links: dict[str, object]

    @property
    def light_figures(self) -> list[tuple[str, str, int, str, str]]:
        """(light, its label, tasks, the list's URL, the figure's tone) in severity order."""
        return [
            (light.value, light.label, self.lights.get(light.value, 0), self.links["lights"][light.value], tone)
            for light, tone in zip(charts.LIGHTS, charts.TONES, strict=True)
        ]

    @property
    def completion_rate(self) -> float | None:
        return round(self.closed * 100 / self.total, 1) if self.total else None


def _period(periods: list[ReportingPeriod], period_id: str | None, now) -> ReportingPeriod | None:
    if period_id in (None, ""):
        return last_due(periods, now)
    try:
        wanted = int(period_id)
    except (TypeError, ValueError):
        raise Http404 from None
    for period in periods:
        if period.pk == wanted:
            return period
    raise Http404  # not a period of this campaign


def _breakdowns(rows) -> tuple[dict[str, int], int, list[Breakdown], list[Breakdown]]:
    lights: dict[str, int] = {light.value: 0 for light in charts.LIGHTS}
    overdue = 0
    sections: dict[int | None, Breakdown] = {}
    phases: dict[int | None, Breakdown] = {}
    for row in rows:
        light, count = row["shown_light"], row["n"]
        lights[light] = lights.get(light, 0) + count
        overdue += row["overdue"]
        section = sections.setdefault(
            row["section_id"],
            Breakdown(
                row["section_id"],
                row["section__title"] or _("No section"),
                (row["section__sort_order"] is None, row["section__sort_order"] or 0, row["section__title"] or ""),
            ),
        )
        section.counts[light] = section.counts.get(light, 0) + count
        phase = phases.setdefault(
            row["phase_id"],
            Breakdown(
                row["phase_id"],
                row["phase__name"] or _("No phase"),
                (row["phase__sort_order"] is None, row["phase__sort_order"] or 0, row["phase__name"] or ""),
            ),
        )
        phase.counts[light] = phase.counts.get(light, 0) + count
    by_order = lambda breakdown: breakdown.order  # noqa: E731
    return lights, overdue, sorted(sections.values(), key=by_order), sorted(phases.values(), key=by_order)


def campaign_dashboard(
    user, code: str, *, now: datetime.datetime, period_id: str | None = None, sort: str | None = None,
    direction: str | None = None, all_units: bool = False,
) -> CampaignDashboard:  # fmt: skip
    """The dashboard of the campaign `code` as `user` sees it (404 for a campaign the user does
    not see or a period outside it; the view has checked `can(user, "oversee")`)."""
    # The campaign with its periods in one query; only a campaign without periods needs a second.
    periods = list(
        ReportingPeriod.objects.filter(access.campaigns_q(user, prefix="campaign__"), campaign__code=code)
        .select_related("campaign")
        .order_by("number")
    )
    campaign = periods[0].campaign if periods else get_object_or_404(access.visible_to(user, Campaign), code=code)
    period = _period(periods, period_id, now)
    today = local_today(now)

    tasks = access.visible_to(user, Task).filter(campaign=campaign)
    grouped = (
        tasks.annotate(shown_light=light_expression())
        .order_by()
        .values(
            "section_id", "section__title", "section__sort_order", "phase_id", "phase__name", "phase__sort_order",
            "shown_light",
        )
        .annotate(n=Count("pk"), overdue=Count("pk", filter=overdue_q(today)))
    )  # fmt: skip
    lights, overdue, sections, phases = _breakdowns(grouped)
    total = sum(lights.values())

    # The summary's readers and the coordination requests need the begun periods opened: the
    # periods at hand say whether any is still to open, so a page asks only when one is.
    if campaign.status == Campaign.Status.ACTIVE and any(
        p.opened_at is None and p.start_date <= today for p in periods
    ):
        ensure_open([campaign.pk], now)
    # The coordination list's rows (tasks.selectors.coordination.open_items over what the user may
    # see: a test holds the count to the list's length), sorted here: a campaign's open requests are
    # tens, and with ORDER BY … LIMIT PostgreSQL walks every request of the city newest first
    # (165 ms at city scale, against 90 for all of the campaign's).
    coordination = sorted(
        open_items(access.visible_to(user, "tasks.Obligation").filter(campaign_id=campaign.pk)).select_related(
            "task__campaign", "unit", "report"
        ),
        key=lambda row: (row.report.submitted_at, row.pk),
        reverse=True,
    )
    coordination_count, newest = len(coordination), coordination[:NEWEST_COORDINATION]

    # The trends cover the recent weeks (and the chosen period), not a two-year campaign's every week.
    since = today - datetime.timedelta(weeks=TREND_WEEKS)
    if period is not None:
        since = min(since, period.end_date)
    week_rates = rates_by_week([campaign.pk], now=now, since=since)
    # Those who oversee see every task of a campaign they see (accounts.access): the campaign's
    # weeks need no per-row visibility check, which costs more than the count itself at city scale.
    week_lights = weekly_counts([campaign.pk], since=since)
    # One campaign: its week ending on the period's last day is that period (no second reader).
    rates = dict(week_rates).get(period.end_date) if period else None
    units = _unit_rows(user, campaign, tasks, period, now)
    sort, direction = sort_rows(units, sort, direction)
    unit_count = len(units)
    if not all_units:
        units = units[:UNIT_ROWS]  # the worst first by default; ?units=all for every unit
    _link_units(units, code, period.pk if period else None)

    def task_link(**params):
        return tasks_url(campaign=code, **params)

    period_by_end = {p.end_date: p for p in periods}

    def week_link(week):
        week_period = period_by_end.get(week)
        if week_period is None:
            return None
        return lambda state: reports_url(campaign=code, period=week_period.pk, state=state)

    chart_list = [
        charts.light_pie("chart-lights", _("Tasks by light"), lights, lambda light: task_link(light=light)),
        charts.light_stack(
            "chart-sections",
            _("Tasks by section"),
            [
                (s.label, s.counts, (lambda light, s=s: task_link(section=s.id, light=light)) if s.id else None)
                for s in sections
            ],
        ),
        charts.light_stack(
            "chart-phases",
            _("Tasks by phase"),
            [
                (p.label, p.counts, (lambda light, p=p: task_link(phase=p.id, light=light)) if p.id else None)
                for p in phases
            ],
        ),
        charts.rate_lines(
            "chart-rates",
            _("Reporting rates by week"),
            [(week, week_rates_, week_link(week)) for week, week_rates_ in week_rates],
            [(_("Submission rate"), "submission_rate", "filed"), (_("On-time rate"), "on_time_rate", "on_time")],
        ),
        charts.light_stack(
            "chart-light-weeks",
            _("Lights by week"),
            [(week.isoformat(), counts, None) for week, counts in week_lights],
        ),
    ]
    period_pk = period.pk if period else None
    links = {
        "tasks": task_link(),
        "lights": {light.value: task_link(light=light.value) for light in charts.LIGHTS},
        "closed": task_link(light=charts.Light.CLOSED.value),
        "overdue": task_link(overdue=True),
        "attention": task_link(attention=True),
        "coordination": coordination_url(campaign=code),
        "reports": {
            (state or "owed"): reports_url(campaign=code, period=period_pk, state=state or None)
            for state in (
                "",
                "filed",
                "on_time",
                "late",
                "missing",
                "returned",
                "awaiting_review",
                "accepted",
                "stale",
                "fix_overdue",
            )
        },  # fmt: skip
    }
    return CampaignDashboard(
        campaign=campaign,
        periods=[p for p in periods if p.due_at <= now],
        period=period,
        lights=lights,
        total=total,
        closed=lights.get(charts.Light.CLOSED.value, 0),
        overdue=overdue,
        rates=rates,
        units=units,
        unit_count=unit_count,
        sort=sort,
        direction=direction,
        coordination_count=coordination_count,
        coordination=newest,
        charts=chart_list,
        links=links,
    )
