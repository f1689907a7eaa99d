"""The compliance matrix: for one period of a campaign, where each unit on each task stands.

It reads the ledger (tasks.ledger.read_pages) as the office sees it: a unit's draft is not yet
due or missing, a returned report awaiting its fix is "returned" (never missing) until the fix's
deadline passes ("fix overdue"), a resubmission is "resubmitted", and "late" is the first
submission's timeliness. A unit on a task outside its term (added later, taken off before, the
task closed) owes nothing that period: "not owed".

Paging: rows are tasks with units, in the order of their numbers, PAGE_SIZE to a page (?page=N);
a section (?section=id) and a state (?state=missing, …, or late: rows with such a cell) narrow
them. Each row lists only its own units' cells, never a grid of every unit, so a page stays small
whatever the campaign's size. The totals are the whole period's, from one aggregate.

Queries: the campaign, its periods, its sections, the periods to open, the totals, the page's
tasks (and their count), their terms and their obligations — never one per row or cell.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import access
from campaigns.models import Campaign, ReportingPeriod, Section
from campaigns.periods import matrix_default
from units.models import Unit

from ..ledger import read, read_pages, states
from ..models import Task

PAGE_SIZE = 100

LATE = read_pages.LATE
# The states a cell can show, in the order of the legend (drafts are never shown to the office).
CELL_STATES = [
    states.MISSING, states.NOT_DUE, states.SUBMITTED, states.RETURNED, states.FIX_OVERDUE,
    states.RESUBMITTED, states.ACCEPTED, states.NOT_OWED,
]  # fmt: skip
# What the matrix can be narrowed to: a state of the legend (not "not owed": it has no row) or late.
FILTERS = [*CELL_STATES[:-1], LATE]
ICONS = {
    states.MISSING: "bi-x-lg",
    states.NOT_DUE: "bi-clock",
    states.SUBMITTED: "bi-hourglass-split",
    states.RETURNED: "bi-arrow-return-left",
    states.FIX_OVERDUE: "bi-exclamation-triangle",
    states.RESUBMITTED: "bi-arrow-repeat",
    states.ACCEPTED: "bi-check-lg",
    states.NOT_OWED: "bi-dash",
}
ROLE_ORDER = {"lead": 0}


@dataclass
class MatrixCell:
    unit: Unit
    state: str  # a shown state (tasks.ledger.states)
    late: bool = False
    role: str = ""

    def __post_init__(self):
        # Computed once: the template writes it twice per cell, on pages of hundreds of cells.
        label = str(states.SHOWN_LABELS[self.state])
        self.caption = f"{label} · {_('Late')}" if self.late else label
        self.icon = ICONS[self.state]

    @property
    def label(self) -> str:
        return states.SHOWN_LABELS[self.state]

    @property
    def owed(self) -> bool:
        return self.state != states.NOT_OWED


@dataclass
class MatrixRow:
    task: Task
    cells: list[MatrixCell]


@dataclass
class Matrix:
    campaign: Campaign
    period: ReportingPeriod
    previous: ReportingPeriod | None
    next: ReportingPeriod | None
    sections: list[Section]
    section: Section | None
    state: str | None  # the state filter, or None
    page: Page  # of tasks; `rows` are its rows
    rows: list[MatrixRow]
    totals: dict[str, int]  # the whole period's: shown state → obligations, and "late"
    legend: list[tuple[str, str, str, int]] = field(default_factory=list)  # state, label, icon, count


def _visible_campaign(user, campaign_code: str) -> Campaign:
    return get_object_or_404(access.visible_to(user, Campaign), code=campaign_code)


def _cells(task_ids: list[int], period: ReportingPeriod, period_rows, now) -> dict[int, list[MatrixCell]]:
    """Each task's cells: every unit that is or was on it, with its obligation of the period, or
    not owing this period (for a period not opened yet: not yet due if its term covers it)."""
    cells: dict[int, dict[int, MatrixCell]] = {task_id: {} for task_id in task_ids}
    units: dict[int, Unit] = {}
    opened = period.opened_at is not None
    for term in read_pages.units_on(task_ids, period, period_rows, now):
        row = cells[term["task_id"]]
        unit_id = term["unit_id"]
        if term["shown"] is not None:
            state = term["shown"]
        elif not opened and read_pages.term_owes(term, period):
            state = states.NOT_DUE
        else:
            state = states.NOT_OWED
        if unit_id in row and (state == states.NOT_OWED or row[unit_id].state != states.NOT_OWED):
            continue  # a unit on the task twice (taken off, put back): one cell
        unit = units.get(unit_id)
        if unit is None:
            unit = units[unit_id] = Unit(
                pk=unit_id, name=term["unit__name"], short_name=term["unit__short_name"],
                sort_order=term["unit__sort_order"],
            )  # fmt: skip
        row[unit_id] = MatrixCell(unit, state, bool(term["late"]), term["role"])
    return {
        task_id: sorted(
            row.values(), key=lambda cell: (ROLE_ORDER.get(cell.role, 1), cell.unit.sort_order, cell.unit.name)
        )
        for task_id, row in cells.items()
    }


def _periods(campaign: Campaign, number: int) -> tuple[ReportingPeriod | None, ReportingPeriod, ReportingPeriod | None]:
    """The period numbered `number` and its neighbours (periods are numbered 1, 2, … without gaps)."""
    around = {p.number: p for p in campaign.periods.filter(number__in=[number - 1, number, number + 1])}
    if number not in around:
        raise Http404
    return around.get(number - 1), around[number], around.get(number + 1)


def compliance_matrix(
    user, campaign_code: str, period_number: int, *, section_id: int | None = None, state: str | None = None,
    page_number=None, now: datetime.datetime | None = None,
) -> Matrix:  # fmt: skip
    """One page of the matrix (see the module's docstring). A period number outside the campaign,
    or a section not of it, is a 404; an unknown state is no filter; a page out of range is the
    last (Paginator.get_page)."""
    now = now or timezone.now()
    campaign = _visible_campaign(user, campaign_code)
    previous, period, following = _periods(campaign, period_number)
    sections = list(campaign.sections.all())
    section = None
    if section_id is not None:
        section = next((s for s in sections if s.pk == section_id), None)
        if section is None:
            raise Http404
    if state not in FILTERS:
        state = None
    if period.opened_at is None:
        read.ensure_open([campaign.pk], now)
        period.refresh_from_db(fields=["opened_at"])
    period_rows = read_pages.campaign_rows(user, campaign.pk).filter(period_id=period.pk)
    totals = read_pages.period_totals(period_rows, period, now)
    # Every row's id (a thousand numbers at most per campaign), paged here: no count query.
    task_ids = list(read_pages.tasks_on_ledger(campaign.pk, period_rows, now=now, section_id=section_id, state=state))
    page = Paginator(task_ids, PAGE_SIZE).get_page(page_number)
    tasks = Task.objects.filter(pk__in=list(page.object_list)).order_by("sort_key", "pk")
    cells = _cells(list(page.object_list), period, period_rows, now)
    rows = []
    for task in tasks:
        task.campaign = campaign  # for its address
        rows.append(MatrixRow(task, cells[task.pk]))
    legend = [(value, states.SHOWN_LABELS[value], ICONS[value], totals[value]) for value in CELL_STATES[:-1]]
    return Matrix(
        campaign=campaign, period=period, previous=previous, next=following, sections=sections, section=section,
        state=state, page=page, rows=rows, totals=totals, legend=legend,
    )  # fmt: skip


def default_period_number(user, campaign_code: str, now: datetime.datetime | None = None) -> int:
    """The number of the period a campaign's matrix opens on (campaigns.periods.matrix_default:
    the last due one, whose compliance can be judged, else the first)."""
    campaign = _visible_campaign(user, campaign_code)
    periods = list(campaign.periods.order_by("number"))
    if not periods:
        raise Http404
    return matrix_default(periods, now).number
