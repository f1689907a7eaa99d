"""The unit workspace: each unit's open tasks with this period's report and last period's if
still owed, their states from the reporting ledger (tasks.ledger)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import cached_property

from django.db.models import Count, Window
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import access
from campaigns.models import Campaign, ReportingPeriod
from campaigns.periods import recent_periods
from units.models import Unit

from ..ledger import read, read_units
from ..ledger import states as ledger
from ..ledger.models import Obligation
from ..models import ProgressReport, Task, TaskAssignment
from .states import OVERDUE, SETTLED

# Last period's row is shown while it still needs the unit: missing, or returned for a fix.
STILL_OWED = (ledger.MISSING, ledger.RETURNED, ledger.FIX_OVERDUE)

# The state badges' words (those of templates/tasks/_state_label.html), translated once a page
# rather than through two included templates per badge.
STATE_LABELS = {
    ledger.MISSING: _("Missing"),
    ledger.DRAFT: _("Draft"),
    ledger.SUBMITTED: _("Submitted"),
    ledger.RETURNED: _("Returned"),
    ledger.ACCEPTED: _("Accepted"),
    ledger.NOT_DUE: _("Not yet due"),
    ledger.RESUBMITTED: _("Resubmitted"),
    ledger.FIX_OVERDUE: _("Returned, fix overdue"),
    ledger.NOT_OWED: _("Not owed"),
}


@dataclass
class WorkspaceRow:
    """One of the unit's tasks, this period's obligation, and last period's if still owed. An
    obligation of None: the unit owes nothing for that period (it was put on the task later)."""

    assignment: TaskAssignment
    period: ReportingPeriod | None
    obligation: Obligation | None
    now: datetime.datetime
    previous: ReportingPeriod | None = None
    previous_obligation: Obligation | None = None
    labels: dict[str, str] | None = None  # STATE_LABELS, translated (one dict for the page)

    @property
    def task(self) -> Task:
        return self.assignment.task

    @property
    def report(self) -> ProgressReport | None:
        return self.obligation.report if self.obligation else None

    # Cached: a row's template reads its states a dozen times.
    @cached_property
    def state(self) -> str:
        # The workspace is the unit's own: its drafts show as drafts.
        return ledger.shown(self.obligation, self.now, due_at=self.period.due_at, own=True)

    @property
    def done(self) -> bool:
        return self.state in SETTLED

    @property
    def overdue(self) -> bool:
        """Missing, or a fix not resubmitted by its deadline; a fix in time is never overdue."""
        return self.period is not None and self.state in OVERDUE

    @property
    def awaiting_fix(self) -> bool:
        """Returned by the office and not yet resubmitted (the fix in time or overdue)."""
        return self.state in (ledger.RETURNED, ledger.FIX_OVERDUE)

    @property
    def action(self) -> str:
        """What the row's button does on the report page."""
        if self.awaiting_fix:
            return _("Fix and resubmit")
        if self.state in (ledger.MISSING, ledger.NOT_DUE, ledger.DRAFT):
            return _("Continue") if self.report else _("File report")
        return _("View")

    @property
    def report_url(self) -> str:
        """This period's report page (where a missing report is filed)."""
        return ProgressReport.page_url(self.task, self.assignment.unit_id, self.period.number)

    @property
    def previous_report_url(self) -> str:
        return ProgressReport.page_url(self.task, self.assignment.unit_id, self.previous.number)

    @cached_property
    def previous_state(self) -> str:
        if self.previous is None:
            return ledger.NOT_OWED
        return ledger.shown(self.previous_obligation, self.now, due_at=self.previous.due_at, own=True)

    @property
    def state_label(self) -> str:
        return self.labels[self.state]

    @property
    def previous_state_label(self) -> str:
        return self.labels[self.previous_state]

    @property
    def previous_owed(self) -> bool:
        """Last period's report still needs the unit: missing, or returned for a fix."""
        return self.previous_state in STILL_OWED

    @property
    def previous_overdue(self) -> bool:
        return self.previous_state in OVERDUE


# Rows shown per page: the busiest unit is on hundreds of tasks (25 keeps its page quick to render).
ROWS_PER_PAGE = 25
# Returned reports listed (earliest fix deadline first); the rest are counted.
RETURNED_SHOWN = 20


@dataclass
class WorkspaceUnit:
    """A unit's rows on this page, and its counts over all its rows (from the ledger, in SQL)."""

    unit: Unit
    rows: list[WorkspaceRow]
    returned: list[Obligation]
    to_do: int = 0
    overdue: int = 0  # reports missing and fixes overdue, this period's and last period's


@dataclass
class Workspace:
    units: list[WorkspaceUnit]
    page: int = 1
    pages: int = 1
    returned_total: int = 0  # all the units' returned reports, of which RETURNED_SHOWN are listed

    @property
    def returned_more(self) -> int:
        return self.returned_total - sum(len(entry.returned) for entry in self.units)

    def __iter__(self):
        return iter(self.units)

    def __len__(self):
        return len(self.units)

    def __getitem__(self, index):
        return self.units[index]


def workspace(user, now: datetime.datetime | None = None, page: int = 1) -> Workspace:
    """For each unit of the user (liaison or head): its open tasks, as lead or supporting unit,
    in active campaigns, each with the current period's obligation and the previous period's
    when that one is still owed; and its reports the office returned, with the fix's deadline.
    The rows are paged (ROWS_PER_PAGE, unit by unit; a page past the last shows the last); the
    counts are of all of them. Eight queries, whatever the number of units, tasks and campaigns."""
    now = now or timezone.now()
    unit_ids = access.workspace_unit_ids(user)
    if not unit_ids:
        return Workspace([])
    units = list(Unit.objects.filter(pk__in=unit_ids).order_by("sort_order", "name"))
    on_tasks = access.visible_to(user, TaskAssignment).filter(
        unit_id__in=unit_ids, task__status=Task.Status.OPEN, task__campaign__status=Campaign.Status.ACTIVE
    )
    ordered = (
        on_tasks.select_related("task__campaign", "unit")
        .annotate(total=Window(Count("pk")))  # the count rides along with the page: no COUNT query
        .order_by(
            "unit__sort_order", "unit__name", "-task__campaign__start_date", "task__campaign__code", "task__sort_key"
        )
    )
    page = max(page, 1)
    assignments = list(ordered[(page - 1) * ROWS_PER_PAGE : page * ROWS_PER_PAGE])
    if not assignments and page > 1:  # a page past the last shows the last
        page = max(1, -(-on_tasks.count() // ROWS_PER_PAGE))
        assignments = list(ordered[(page - 1) * ROWS_PER_PAGE : page * ROWS_PER_PAGE])
    pages = max(1, -(-assignments[0].total // ROWS_PER_PAGE)) if assignments else 1
    # The same assignments without the visibility rule, to compute periods and counts over rows
    # that are visible already (obligations of visible campaigns: access rules them the same):
    # the rule's subquery, planned and run once per statement, is the page's largest cost.
    mine = TaskAssignment.objects.filter(
        unit_id__in=unit_ids, task__status=Task.Status.OPEN, task__campaign__status=Campaign.Status.ACTIVE
    )
    periods = recent_periods(mine.values("task__campaign_id"), now)
    period_ids = [period.pk for pair in periods.values() for period in pair if period is not None]
    current_ids = [current.pk for current, _previous in periods.values() if current is not None]
    rows = read.visible(user, now=now)
    owed = read_units.owed_by_units(
        rows.filter(task_id__in=[a.task_id for a in assignments]), {a.unit_id for a in assignments}, period_ids
    )
    counts = read_units.workspace_counts(rows, on_tasks, period_ids, current_ids, now)
    # The earliest fix deadlines first, a bounded list: a unit can have scores returned.
    returned, returned_total = read_units.returned_list(read_units.returned_to_units(rows, unit_ids), RETURNED_SHOWN)

    labels = {state: str(label) for state, label in STATE_LABELS.items()}

    def row(assignment):
        current, previous = periods.get(assignment.task.campaign_id, (None, None))
        key = (assignment.task_id, assignment.unit_id)
        return WorkspaceRow(
            assignment,
            current,
            owed.get((*key, current.pk)) if current else None,
            now,
            previous,
            owed.get((*key, previous.pk)) if previous else None,
            labels,
        )

    return Workspace(
        [
            WorkspaceUnit(
                unit=unit,
                rows=[row(a) for a in assignments if a.unit_id == unit.pk],
                returned=[obligation for obligation in returned if obligation.unit_id == unit.pk],
                **counts.get(unit.pk, {}),
            )
            for unit in units
        ],
        page=page,
        pages=pages,
        returned_total=returned_total,
    )
