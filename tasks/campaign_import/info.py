"""The campaign sheet (活动信息) of a task breakdown workbook: the campaign's name, document
number, issuing body, dates, office, cadence and due time, read into plain values, what it leaves
out filled from the phases and deadlines, and every problem reported with its sheet, row and
column. Part of tasks.campaign_import.reading; nothing here touches the database."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from common.workbook import DateError, Issue, find_header_row, header_key, parse_date, to_text

INFO_SHEET_NAMES = ("活动信息", "基本信息", "活动", "行动信息")
INFO_FIELDS = {
    "title": ("活动名称", "专项行动名称", "行动名称", "名称"),
    "document_number": ("文号", "发文文号", "文件文号"),
    "issuing_body": ("发文单位", "发文机关", "印发单位"),
    "issue_date": ("发文日期", "印发日期", "成文日期"),
    "start_date": ("开始日期", "开始时间", "起始日期"),
    "end_date": ("结束日期", "结束时间", "截止日期"),
    "office": ("牵头办公室", "办公室", "牵头单位", "督办单位"),
    "cadence": ("报送周期", "报送频次", "报送频率"),
    "due": ("报送截止", "报送时间", "截止时间"),
}
_DOCUMENT_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,12}[〔\[［(（]\d{4}[〕\]］)）]\s*\d+\s*号")
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_DUE = re.compile(r"(?:周|星期|礼拜)([一二三四五六日天])?.*?(\d{1,2})\s*[:：点时]\s*(\d{0,2})")
_TIME_ONLY = re.compile(r"(\d{1,2})\s*[:：点时]\s*(\d{0,2})")


@dataclass
class CampaignInfo:
    title: str = ""
    document_number: str = ""
    issuing_body: str = ""
    issue_date: datetime.date | None = None
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    office: str = ""
    cadence: str = "weekly"
    due_weekday: int = 4
    due_time: datetime.time = datetime.time(18, 0)


def read_info(sheet, rows, issues, title_above) -> CampaignInfo:
    info = CampaignInfo()
    lookup = {header_key(text): name for name, texts in INFO_FIELDS.items() for text in texts}
    values: dict[str, tuple[object, int]] = {}
    # Key in column A and value in column B — or keys in one row and values in the next.
    for number, row in rows:
        name = lookup.get(header_key(row[0])) if row and row[0] is not None else None
        if name and len(row) > 1:
            values.setdefault(name, (row[1], number))
    if not values and rows:
        header_index, header = find_header_row(rows, INFO_FIELDS, ("title",))
        if header_index is not None and header_index + 1 < len(rows):
            number, row = rows[header_index + 1]
            for name, (col, _text) in header.items():
                values[name] = (row[col] if col < len(row) else None, number)

    def text(name):
        return to_text(values.get(name, (None, None))[0])

    def date(name):
        value, number = values.get(name, (None, None))
        try:
            return parse_date(value)
        except DateError as error:
            issues.append(Issue(str(error), sheet=sheet, row=number, column=INFO_FIELDS[name][0]))
            return None

    info.title = text("title")
    info.document_number = text("document_number")
    info.issuing_body = text("issuing_body")
    info.office = text("office")
    info.issue_date, info.start_date, info.end_date = date("issue_date"), date("start_date"), date("end_date")
    if not info.title and title_above:
        # No 活动信息 sheet: the title row above the task table names the campaign and document.
        match = _DOCUMENT_NUMBER.search(title_above)
        if match and not info.document_number:
            info.document_number = match.group(0)
        title = _DOCUMENT_NUMBER.sub("", title_above)
        title = re.sub(r"[（(]\s*[)）]", "", title)
        title = re.sub(r"(重点)?(工作)?任务(分解|清单)表?$|分解表$", "", title.strip())
        info.title = title.strip()
    cadence = text("cadence")
    if cadence:
        if "月" in cadence or "month" in cadence.lower():
            info.cadence = "monthly"
        elif "周" in cadence or "week" in cadence.lower():
            info.cadence = "weekly"
        else:
            issues.append(
                Issue(
                    _("Unknown reporting cadence “%(value)s”; write 每周 or 每月.") % {"value": cadence},
                    sheet=sheet,
                    row=values["cadence"][1],
                    column=INFO_FIELDS["cadence"][0],
                )
            )
    due = text("due")
    if due:
        match = _DUE.search(due) or _TIME_ONLY.search(due)
        try:
            if not match:
                raise ValueError
            if match.re is _DUE:
                if match.group(1):
                    info.due_weekday = _WEEKDAYS[match.group(1)]
                info.due_time = datetime.time(int(match.group(2)), int(match.group(3) or 0))
            else:
                info.due_time = datetime.time(int(match.group(1)), int(match.group(2) or 0))
        except ValueError:
            issues.append(
                Issue(
                    _("Cannot read the reporting deadline “%(value)s”; write it like 周五 18:00.") % {"value": due},
                    sheet=sheet,
                    row=values["due"][1],
                    column=INFO_FIELDS["due"][0],
                )
            )
    return info


def complete_info(info, phases, dataset, issues, info_sheet, task_sheet):
    """Fill what the info sheet left out from the phases and deadlines, or say what is missing
    (and, first, that the workbook has no campaign sheet when it has none)."""
    sheet, found = info_sheet or task_sheet, len(issues)
    if not info.title:
        issues.append(Issue(_("The campaign name (活动名称) is missing."), sheet=sheet))
    if info.start_date is None:
        info.start_date = min((p.start_date for p in phases), default=None) or info.issue_date
    if info.end_date is None:
        info.end_date = max((p.end_date for p in phases), default=None)
        if info.end_date is None:
            deadlines = []
            for value in dataset["deadline"] if dataset.height else []:
                try:
                    deadlines.append(parse_date(value))
                except DateError:
                    pass
            info.end_date = max((d for d in deadlines if d), default=None)
    if info.start_date is None:
        issues.append(Issue(_("The campaign start date (开始日期) is missing."), sheet=sheet))
    if info.end_date is None:
        issues.append(Issue(_("The campaign end date (结束日期) is missing."), sheet=sheet))
    if info.start_date and info.end_date and info.end_date < info.start_date:
        issues.append(Issue(_("The campaign ends before it starts."), sheet=sheet, column=INFO_FIELDS["end_date"][0]))
    if info_sheet is None and len(issues) > found:
        issues.insert(
            found,
            Issue(
                _("The workbook has no campaign sheet (活动信息): add one with 活动名称, 文号, 开始日期 and 结束日期.")
            ),
        )  # noqa: E501
