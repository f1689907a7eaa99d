"""The ledger (工作台账): one row per task, as offices print it for meetings.

Its task columns carry the import template's headers (tasks.campaign_import.reading.TASK_COLUMNS)
and the workbook has the template's 活动信息 and 阶段 sheets too, so an edited ledger imports back
as a campaign workbook. Beside them: the task's status with its light as the cell's fill, the lead
units' progress, each unit's latest filed report and the working days past the deadline.

Reads are constant per batch of tasks, whatever their number: the tasks (with their lights) in
one query, then per batch of CHUNK tasks the assignments with each unit's latest filed report
(found through the ledger, tasks.ledger.read_tasks), the reports' texts (through
accounts.access) and the leaders, one query each.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts import access
from campaigns.periods import local_today
from common.workdays import WorkCalendar
from lights.models import Light
from lights.selectors import with_light
from tasks.campaign_import.info import INFO_FIELDS
from tasks.campaign_import.reading import PHASE_COLUMNS, TASK_COLUMNS
from tasks.ledger import states
from tasks.ledger.models import Obligation
from tasks.models import ProgressReport, Task, TaskAssignment

from ..filters import Filters
from ..xlsx import Column, FormSheet, open_workbook
from .base import CHUNK, Kind, chunks

# The import template's own header for each task column (its first synonym), so the sheet reads back.
H = {name: names[0] for name, names in TASK_COLUMNS.items()}
SEPARATOR = "、"  # how the template separates unit and leader names


@dataclass(frozen=True)
class LedgerRow:
    """One task as the ledger shows it (the bulletin's attachment table reads these too)."""

    number: str
    section: str
    title: str
    description: str
    lead_units: tuple[str, ...]
    support_units: tuple[str, ...]
    leaders: tuple[str, ...]
    phase: str
    deadline: datetime.date | None
    original_deadline: datetime.date | None
    status: str
    status_label: str
    light: str
    light_label: str
    percent: int | None  # the lead units' latest filed percent complete (their mean)
    latest_progress: str  # "单位：进展" lines, one per unit with a filed report
    overdue_days: int | None  # working days past the deadline, for an open task past it

    @property
    def state_label(self) -> str:
        """What the 状态 cell says: the status, and the light of an open task."""
        if self.status == Task.Status.CLOSED:
            return self.status_label
        return f"{self.status_label}（{self.light_label}）"


def ledger_tasks(user, filters: Filters):
    """The visible tasks of the campaign that the filters select, with their lights."""
    tasks = access.visible_to(user, Task).filter(campaign=filters.campaign)
    if filters.phase is not None:
        tasks = tasks.filter(phase=filters.phase)
    if filters.section is not None:
        tasks = tasks.filter(section=filters.section)
    if filters.unit is not None:
        tasks = tasks.filter(Exists(TaskAssignment.objects.filter(task_id=OuterRef("pk"), unit=filters.unit)))
    tasks = with_light(tasks)
    if filters.state in Light.values:
        tasks = tasks.filter(light=filters.state)
    elif filters.state in Task.Status.values:
        tasks = tasks.filter(status=filters.state)
    return tasks


def latest_filed_report_id() -> Subquery:
    """For a TaskAssignment row: its unit's latest filed report on its task that is not being
    redrafted. As tasks.ledger.read_tasks.latest_filed_report_id, but walking the ledger's index
    of filed obligations by period number (task, unit, period_number; partial on the filed
    states) instead of sorting every obligation of the pair by its period's start: 1.8 s → ms
    for the 3,500 assignments of a 1,000-task campaign."""
    return Subquery(
        Obligation.objects.filter(
            states.filed_q(), task_id=OuterRef("task_id"), unit_id=OuterRef("unit_id"), report__isnull=False
        )
        .exclude(report__status="draft")
        .order_by("-period_number")
        .values("report_id")[:1]
    )


_TASK_FIELDS = (
    "pk", "number", "section__title", "title", "description", "phase__name", "deadline", "original_deadline", "status",
    "light",
)  # fmt: skip


def ledger_rows(user, filters: Filters, *, now: datetime.datetime | None = None) -> Iterator[LedgerRow]:
    """The ledger's rows in task order, read in batches (a constant number of queries per batch)."""
    user = Kind.user(user)
    today = local_today(now)
    calendar = WorkCalendar(today - datetime.timedelta(days=366), today)
    tasks = ledger_tasks(user, filters).order_by("sort_key", "pk").values_list(*_TASK_FIELDS)
    reports = access.visible_to(user, ProgressReport)
    leader_links = Task.leaders.through.objects
    # Translated once, not per task.
    status_labels = {value: str(label) for value, label in Task.Status.choices}
    light_labels = {value: str(label) for value, label in Light.choices}
    for batch in chunks(tasks.iterator(chunk_size=CHUNK), CHUNK):
        ids = [row[0] for row in batch]
        units: dict[int, list[tuple[str, str, int | None]]] = defaultdict(list)
        for task_id, name, role, report_id in (
            TaskAssignment.objects.filter(task_id__in=ids)
            .order_by("task_id", "role", "sort_order", "pk")
            .annotate(latest=latest_filed_report_id())
            .values_list("task_id", "unit__name", "role", "latest")
        ):
            units[task_id].append((name, role, report_id))
        report_ids = [report_id for rows in units.values() for _n, _r, report_id in rows if report_id]
        texts = {
            pk: (progress, percent)
            for pk, progress, percent in reports.filter(pk__in=report_ids)
            .order_by()
            .values_list("pk", "progress", "percent_complete")
        }
        leaders: dict[int, list[str]] = defaultdict(list)
        for task_id, name in (
            leader_links.filter(task_id__in=ids)
            .order_by("task_id", "leader__sort_order", "leader__name")
            .values_list("task_id", "leader__name")
        ):
            leaders[task_id].append(name)
        for pk, number, section, title, description, phase, deadline, original, status, light in batch:
            assigned = units.get(pk, [])
            lead_percents = [
                texts[report_id][1]
                for _name, role, report_id in assigned
                if role == TaskAssignment.Role.LEAD and report_id in texts
            ]
            progress_lines = [
                f"{name}：{' '.join(texts[report_id][0].split())}"
                for name, _role, report_id in assigned
                if report_id in texts and texts[report_id][0].strip()
            ]
            overdue = None
            if status == Task.Status.OPEN and deadline is not None and deadline < today:
                overdue = calendar.workdays_between(deadline, today)
            yield LedgerRow(
                number=number,
                section=section or "",
                title=title,
                description=description,
                lead_units=tuple(name for name, role, _r in assigned if role == TaskAssignment.Role.LEAD),
                support_units=tuple(name for name, role, _r in assigned if role == TaskAssignment.Role.SUPPORT),
                leaders=tuple(leaders.get(pk, ())),
                phase=phase or "",
                deadline=deadline,
                original_deadline=original,
                status=status,
                status_label=status_labels[status],
                light=light,
                light_label=light_labels[light],
                percent=round(sum(lead_percents) / len(lead_percents)) if lead_percents else None,
                latest_progress="\n".join(progress_lines),
                overdue_days=overdue,
            )


class LedgerKind(Kind):
    name = "ledger"
    title = gettext_lazy("Ledger")
    states = (*Light.values, *Task.Status.values)
    empty_message = gettext_lazy("No task matches these filters.")

    def count(self, user, filters: Filters, *, now=None) -> int:
        self.check_state(filters)
        return ledger_tasks(self.user(user), filters).count()

    def columns(self, extended: bool, phased: bool) -> list[Column]:
        columns = [
            Column(H["number"], 6),
            Column(H["section"], 16, wrap=True),
            Column(H["title"], 24, wrap=True),
            Column(H["description"], 40, wrap=True),
            Column(H["lead_units"], 18, wrap=True),
            Column(H["support_units"], 20, wrap=True),
            Column(H["leaders"], 10, wrap=True),
            Column(H["deadline"], 12, kind="date"),
        ]
        if extended:
            columns.append(Column("原完成时限", 12, kind="date"))
        if phased:
            columns.append(Column(H["phase"], 12, wrap=True))
        columns += [
            Column("状态", 14, wrap=True, light=True),
            Column("完成进度", 9, kind="percent"),
            Column("最新进展", 48, wrap=True),
            Column("超期工作日数", 11, kind="number"),
        ]
        return columns

    def write(self, user, filters: Filters, target, *, now=None) -> int:
        self.check_state(filters)
        user = self.user(user)
        now = now or timezone.now()
        extended = ledger_tasks(user, filters).filter(original_deadline__isnull=False).exists()
        # The 阶段 column only for a campaign with phases (the template's sheet names them).
        phased = filters.campaign.phases.exists()
        book = open_workbook(target)
        try:
            sheet = FormSheet(
                book,
                name=str(self.title),
                title=self.form_title(filters, now),
                subtitle="；".join(self.describe_filters(filters)) or None,
                columns=self.columns(extended, phased),
            )
            for row in ledger_rows(user, filters, now=now):
                values = [
                    row.number,
                    row.section,
                    row.title,
                    row.description,
                    SEPARATOR.join(row.lead_units),
                    SEPARATOR.join(row.support_units),
                    SEPARATOR.join(row.leaders),
                    row.deadline,
                ]
                if extended:
                    values.append(row.original_deadline)
                if phased:
                    values.append(row.phase)
                values += [row.state_label, row.percent, row.latest_progress, row.overdue_days]
                sheet.add_row(values, fill=row.light)
            self._campaign_sheets(book, filters)
        finally:
            book.close()
        return sheet.rows

    @staticmethod
    def _campaign_sheets(book, filters: Filters) -> None:
        """The template's 活动信息 and 阶段 sheets, so the ledger imports back as a whole workbook."""
        campaign = filters.campaign
        info = FormSheet(book, name="活动信息", title=None, columns=[Column("项目", 14), Column("内容", 40)])
        weekday = "一二三四五六日"[campaign.due_weekday]
        for name, value in (
            ("title", campaign.title),
            ("document_number", campaign.document_number),
            ("issuing_body", campaign.issuing_body),
            ("issue_date", campaign.issue_date.isoformat() if campaign.issue_date else ""),
            ("start_date", campaign.start_date.isoformat()),
            ("end_date", campaign.end_date.isoformat()),
            ("office", campaign.office_name),
            ("cadence", "每月" if campaign.cadence == campaign.Cadence.MONTHLY else "每周"),
            ("due", f"周{weekday} {campaign.due_time:%H:%M}"),
        ):
            if value:
                info.add_row([INFO_FIELDS[name][0], value])
        phases = FormSheet(
            book,
            name="阶段",
            title=None,
            columns=[
                Column(PHASE_COLUMNS["name"][0], 24),
                Column(PHASE_COLUMNS["start_date"][0], 12, kind="date"),
                Column(PHASE_COLUMNS["end_date"][0], 12, kind="date"),
            ],
        )
        for name, start, end in campaign.phases.order_by("sort_order", "start_date").values_list(
            "name", "start_date", "end_date"
        ):
            phases.add_row([name, start, end])
