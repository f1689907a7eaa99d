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

    @property
    def label(self) -> str:
        return states.SHOWN_LABELS[self.state]

    @property
    def icon(self) -> str:
        return ICONS[self.state]

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
    periods: list[ReportingPeriod]
    sections: list[Section]
    section: Section | None
    state: str | None  # the state filter, or None
    page: Page  # of tasks; `rows` are its rows
    rows: list[MatrixRow]
    totals: dict[str, int]  # the whole period's: shown state → obligations, and "late"
    legend: list[tuple[str, str, str, int]] = field(default_factory=list)  # state, label, icon, count

    @property
    def previous(self):
        return next((p for p in reversed(self.periods) if p.number < self.period.number), None)

    @property
    def next(self):
        return next((p for p in self.periods if p.number > self.period.number), None)


def _visible_campaign(user, campaign_code: str) -> Campaign:
    return get_object_or_404(access.visible_to(user, Campaign), code=campaign_code)


def _cells(task_ids: list[int], period: ReportingPeriod, period_rows, now) -> dict[int, list[MatrixCell]]:
    """Each task's cells: its obligations of the period, and every other unit that is or was on
    it, not owing this period (or, for a period not opened yet, not yet due if its term covers it)."""
    cells: dict[int, dict[int, MatrixCell]] = {task_id: {} for task_id in task_ids}
    for obligation in read_pages.cells_of(period_rows, task_ids, now):
        cells[obligation.task_id][obligation.unit_id] = MatrixCell(
            obligation.unit, obligation.shown, bool(obligation.first_late), obligation.role
        )
    opened = period.opened_at is not None
    for term in read_pages.terms_of(task_ids):
        row = cells[term.task_id]
        if term.unit_id in row:
            if not row[term.unit_id].role:
                row[term.unit_id].role = term.role
            continue
        state = states.NOT_DUE if not opened and read_pages.term_owes(term, period) else states.NOT_OWED
        row[term.unit_id] = MatrixCell(term.unit, state, role=term.role)
    return {
        task_id: sorted(
            row.values(),
            key=lambda cell: (ROLE_ORDER.get(cell.role, 1), cell.unit.sort_order, cell.unit.name),
        )
        for task_id, row in cells.items()
    }


def compliance_matrix(
    user, campaign_code: str, period_number: int, *, section_id: int | None = None, state: str | None = None,
    page_number=None, now: datetime.datetime | None = None,
) -> Matrix:  # fmt: skip
    """One page of the matrix (see the module's docstring). A period number outside the campaign,
    or a section not of it, is a 404; an unknown state is no filter; a page out of range is the
    last (Paginator.get_page)."""
    now = now or timezone.now()
    campaign = _visible_campaign(user, campaign_code)
    periods = list(campaign.periods.order_by("number"))
    period = next((p for p in periods if p.number == period_number), None)
    if period is None:
        raise Http404
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
    totals = read_pages.period_totals(period_rows, now)
    tasks = read_pages.tasks_on_ledger(campaign.pk, period_rows, now=now, section_id=section_id, state=state)
    page = Paginator(tasks.select_related("campaign"), PAGE_SIZE).get_page(page_number)
    task_list = list(page.object_list)
    cells = _cells([task.pk for task in task_list], period, period_rows, now)
    rows = [MatrixRow(task, cells[task.pk]) for task in task_list]
    legend = [(value, states.SHOWN_LABELS[value], ICONS[value], totals[value]) for value in CELL_STATES[:-1]]
    return Matrix(
        campaign=campaign, period=period, periods=periods, sections=sections, section=section, state=state,
        page=page, rows=rows, totals=totals, legend=legend,
    )  # fmt: skip


def default_period_number(user, campaign_code: str, now: datetime.datetime | None = None) -> int:
    """The number of the period a campaign's matrix opens on (campaigns.periods.matrix_default:
    the last due one, whose compliance can be judged, else the first)."""
    campaign = _visible_campaign(user, campaign_code)
    periods = list(campaign.periods.order_by("number"))
    if not periods:
        raise Http404
    return matrix_default(periods, now).number
