"""Reading a campaign's task breakdown workbook (任务分解表, 活动信息, 阶段) into plain values.

Nothing here touches the database: it finds the sheets and their header rows, normalises task
numbers, and reports every structural problem with its sheet, row and column. Resolving unit
names, dates, phases and saving happens in tasks.campaign_import.services through tasks.resources.TaskResource.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

import tablib
from django.conf import settings
from django.utils.translation import gettext as _

from common.naming import name_key
from common.workbook import (
    DateError,
    Issue,
    WorkbookError,
    cell,
    column_letter,
    find_header_row,
    header_key,
    open_workbook,
    parse_date,
    read_sheet_rows,
    to_text,
)
from tasks.numbering import InvalidTaskNumber, normalize_number, parent_number, sort_key
from units.importing import COLUMNS as UNIT_DIRECTORY_COLUMNS

from .info import INFO_SHEET_NAMES, CampaignInfo, complete_info, read_info

TASK_SHEET_NAMES = ("任务分解表", "重点任务", "任务清单", "任务")
PHASE_SHEET_NAMES = ("阶段", "阶段安排", "实施步骤")

# Canonical column → the headers real sheets use for it.
TASK_COLUMNS = {
    "number": ("序号", "编号", "任务编号", "序"),
    "section": ("分类", "类别", "板块", "专项分类", "任务分类"),
    "title": ("任务名称", "重点任务", "工作任务", "主要任务", "重点工作", "任务", "工作事项"),
    "description": ("工作内容", "具体内容", "工作措施", "主要内容", "任务内容", "工作要求", "具体措施", "目标任务"),
    "lead_units": ("牵头单位", "牵头部门", "牵头负责", "牵头负责单位", "主责单位", "牵头"),
    "support_units": ("配合单位", "协同部门", "协办单位", "配合部门", "参与单位"),
    "responsible_units": ("责任单位", "责任部门"),
    "leaders": ("责任领导", "牵头领导", "分管领导", "包保领导", "联系领导", "责任区领导"),
    "deadline": ("完成时限", "完成时间", "时限要求", "时限", "截止时间", "完成期限"),
    "phase": ("阶段", "所属阶段", "实施阶段"),
}
PHASE_COLUMNS = {
    "name": ("阶段名称", "阶段", "名称"),
    "start_date": ("开始日期", "开始时间", "起始日期"),
    "end_date": ("结束日期", "结束时间", "截止日期"),
}
# The dataset handed to TaskResource: one row per task, parents before their sub-items.
DATASET_HEADERS = (
    "row",
    "number",
    "parent_number",
    "section",
    "title",
    "description",
    "lead_units",
    "support_units",
    "leaders",
    "deadline",
    "phase",
)

_SECTION_HEADING = re.compile(r"^[（(]?[一二三四五六七八九十百]+[)）、.．]")


@dataclass
class PhaseRow:
    row: int
    name: str
    start_date: datetime.date
    end_date: datetime.date


@dataclass
class CampaignWorkbook:
    """What a campaign workbook says, and every problem found while reading it."""

    info: CampaignInfo
    phases: list[PhaseRow]
    sections: list[str]
    tasks: tablib.Dataset
    task_sheet: str
    # canonical column → (header as written, column letter), to locate errors
    task_columns: dict[str, tuple[str, str]]
    issues: list[Issue] = field(default_factory=list)

    def locate(self, row: int | None, column: str | None, message: str) -> Issue:
        header = self.task_columns.get(column or "")
        where = f"{header[0]}（{header[1]}）" if header else ""
        return Issue(message, sheet=self.task_sheet, row=row, column=where)


def _pick_sheet(workbook, names):
    keys = {header_key(name) for name in names}
    for sheet in workbook.sheetnames:
        if header_key(sheet) in keys:
            return sheet
    return None


def read_campaign_workbook(data: bytes, *, filename: str = "") -> CampaignWorkbook:
    """Parse the workbook; raises WorkbookError only when the file cannot be read at all."""
    workbook = open_workbook(data, filename=filename)
    issues: list[Issue] = []

    task_sheet = _pick_sheet(workbook, TASK_SHEET_NAMES) or workbook.sheetnames[0]
    task_rows = read_sheet_rows(workbook, task_sheet, data)
    if _is_unit_directory(task_rows):
        raise WorkbookError(
            Issue(
                _("This is a unit directory, not a campaign workbook: import it with “%(action)s”.")
                % {"action": _("Import the unit directory")},
                sheet=task_sheet,
            )
        )
    info_sheet = _pick_sheet(workbook, INFO_SHEET_NAMES)
    info_rows = read_sheet_rows(workbook, info_sheet, data) if info_sheet else []
    phase_sheet = _pick_sheet(workbook, PHASE_SHEET_NAMES)
    phase_rows = read_sheet_rows(workbook, phase_sheet, data) if phase_sheet else []

    phases = _read_phases(phase_sheet, phase_rows, issues)
    dataset, sections, columns, title_above = _read_tasks(task_sheet, task_rows, issues, phases)
    info = read_info(info_sheet, info_rows, issues, title_above)
    complete_info(info, phases, dataset, issues, info_sheet, task_sheet)
    book = CampaignWorkbook(
        info=info,
        phases=phases,
        sections=sections,
        tasks=dataset,
        task_sheet=task_sheet,
        task_columns=columns,
        issues=issues,
    )
    _check_deadlines(book)
    return book


def _is_unit_directory(rows) -> bool:
    """A sheet headed 单位名称 … with none of a task table's columns: the office chose the wrong upload."""
    _index, tasks = find_header_row(rows, TASK_COLUMNS, ("number", "title"))
    _index, units = find_header_row(rows, UNIT_DIRECTORY_COLUMNS, ("name",))
    return "name" in units and not ({"title", "lead_units"} & set(tasks))


# ---- 活动信息 -------------------------------------------------------------------------------


def _check_deadlines(book: CampaignWorkbook) -> None:
    """A deadline before the campaign starts, or years after it ends, is a typing error
    (1900-01-01 from an empty date cell, 2206 for 2026): refuse it with its row and column.
    Dates that cannot be read at all are reported by the task import itself."""
    info = book.info
    if not info.start_date or not book.tasks.height:
        return
    years = settings.IMPORT_MAX_DEADLINE_YEARS_AFTER_END
    last = info.end_date or info.start_date
    if (last - info.start_date).days > years * 366:
        # Without an end date the end is taken from the latest deadline, which may be the typo.
        last = info.start_date
    latest = datetime.date(last.year + years, last.month, min(last.day, 28) if last.month == 2 else last.day)
    default_year = (info.end_date or info.start_date).year
    for row, deadline in zip(book.tasks["row"], book.tasks["deadline"], strict=False):
        try:
            date = parse_date(deadline, default_year=default_year)
        except DateError:
            continue
        if date is None:
            continue
        if date < info.start_date:
            message = _("The deadline %(date)s is before the campaign starts (%(start)s).") % {
                "date": date.isoformat(),
                "start": info.start_date.isoformat(),
            }
        elif date > latest:
            message = _("The deadline %(date)s is more than %(years)s years after the campaign ends (%(end)s).") % {
                "date": date.isoformat(),
                "years": years,
                "end": last.isoformat(),
            }
        else:
            continue
        book.issues.append(book.locate(row, "deadline", message))


# ---- 阶段 -----------------------------------------------------------------------------------


def _read_phases(sheet, rows, issues) -> list[PhaseRow]:
    if not rows:
        return []
    header_index, header = find_header_row(rows, PHASE_COLUMNS, ("name",))
    if header_index is None or "name" not in header:
        issues.append(Issue(_("The phase sheet has no column “阶段名称”."), sheet=sheet))
        return []
    phases, seen = [], {}
    for number, values in rows[header_index + 1 :]:

        def where(name):
            col, text = header.get(name, (None, PHASE_COLUMNS[name][0]))
            return f"{text}（{column_letter(col)}）" if col is not None else text

        name = to_text(cell(values, header, "name"))
        if not name:
            continue
        dates = {}
        for column in ("start_date", "end_date"):
            try:
                dates[column] = parse_date(cell(values, header, column))
            except DateError as error:
                issues.append(Issue(str(error), sheet=sheet, row=number, column=where(column)))
                dates[column] = None
                continue
            if dates[column] is None:
                issues.append(Issue(_("The date is missing."), sheet=sheet, row=number, column=where(column)))
        if name_key(name) in seen:
            issues.append(
                Issue(
                    _("The phase “%(name)s” is listed twice (also row %(row)s).")
                    % {"name": name, "row": seen[name_key(name)]},
                    sheet=sheet,
                    row=number,
                    column=where("name"),
                )
            )
            continue
        seen[name_key(name)] = number
        if dates["start_date"] and dates["end_date"]:
            if dates["end_date"] < dates["start_date"]:
                issues.append(
                    Issue(_("The phase ends before it starts."), sheet=sheet, row=number, column=where("end_date"))
                )
                continue
            phases.append(PhaseRow(number, name, dates["start_date"], dates["end_date"]))
    return phases


# ---- 任务分解表 -----------------------------------------------------------------------------


def _read_tasks(sheet, rows, issues, phases):
    dataset = tablib.Dataset(headers=list(DATASET_HEADERS))
    header_index, header = find_header_row(rows, TASK_COLUMNS, ("number", "title"))
    columns = {name: (text, column_letter(col)) for name, (col, text) in header.items()}
    if "lead_units" not in header and "responsible_units" in header:
        # A sheet with only 责任单位 names the lead units in it.
        header["lead_units"] = header.pop("responsible_units")
        columns["lead_units"] = columns.pop("responsible_units")
    elif "responsible_units" in header and "support_units" not in header:
        header["support_units"] = header.pop("responsible_units")
        columns["support_units"] = columns.pop("responsible_units")
    missing = [TASK_COLUMNS[name][0] for name in ("number", "title", "lead_units") if name not in header]
    if header_index is None or missing:
        found = "、".join(text for text, _letter in columns.values()) or _("none")
        issues.append(
            Issue(
                _("Required columns are missing: %(missing)s (columns found: %(found)s).")
                % {"missing": "、".join(missing or [TASK_COLUMNS["number"][0]]), "found": found},
                sheet=sheet,
            )
        )
        return dataset, [], columns, ""
    title_above = next((to_text(value) for _n, values in rows[:header_index] for value in values if to_text(value)), "")

    def where(name):
        text, letter = columns[name]
        return f"{text}（{letter}）"

    sections: list[str] = []
    current_section = ""
    seen: dict[str, int] = {}
    records = []
    for number, values in rows[header_index + 1 :]:
        texts = [to_text(v) for v in values if to_text(v)]
        raw_number = to_text(cell(values, header, "number"))
        # A heading row such as （一）强规范… (often merged across the row) starts a section.
        if texts and (
            _SECTION_HEADING.match(raw_number) or (len(set(texts)) == 1 and not _looks_like_number(raw_number))
        ):
            current_section = max(set(texts), key=len)
            if current_section not in sections:
                sections.append(current_section)
            continue
        section = to_text(cell(values, header, "section")) or current_section
        if section and section not in sections:
            sections.append(section)
        try:
            task_number = normalize_number(cell(values, header, "number"))
        except InvalidTaskNumber:
            issues.append(
                Issue(
                    _("“%(value)s” is not a task number; write 1, 2 … or 5.1 for a sub-item.")
                    % {"value": raw_number or _("(empty)")},
                    sheet=sheet,
                    row=number,
                    column=where("number"),
                )
            )
            continue
        if task_number in seen:
            issues.append(
                Issue(
                    _("Task number %(number)s appears twice (also row %(row)s).")
                    % {"number": task_number, "row": seen[task_number]},
                    sheet=sheet,
                    row=number,
                    column=where("number"),
                )
            )
            continue
        seen[task_number] = number
        records.append(
            [
                number,
                task_number,
                parent_number(task_number) or "",
                section,
                to_text(cell(values, header, "title")),
                to_text(cell(values, header, "description")),
                to_text(cell(values, header, "lead_units")),
                to_text(cell(values, header, "support_units")),
                to_text(cell(values, header, "leaders")),
                cell(values, header, "deadline"),
                to_text(cell(values, header, "phase")),
            ]
        )
    orphans = set()
    for record in records:
        parent = record[2]
        if parent and parent not in seen:
            orphans.add(record[1])
            issues.append(
                Issue(
                    _("Sub-item %(number)s has no parent task %(parent)s in the sheet.")
                    % {"number": record[1], "parent": parent},
                    sheet=sheet,
                    row=record[0],
                    column=where("number"),
                )
            )
    if not records and not any(issue.sheet == sheet for issue in issues):
        issues.append(Issue(_("The sheet lists no tasks."), sheet=sheet))
    # Parents before sub-items, so a sub-item's parent is saved when the sub-item is.
    for record in sorted(records, key=lambda r: sort_key(r[1])):
        if record[1] not in orphans:  # already reported; its other errors would only repeat it
            dataset.append(record)
    return dataset, sections, columns, title_above


def _looks_like_number(text: str) -> bool:
    try:
        normalize_number(text)
        return True
    except InvalidTaskNumber:
        return False
