"""Reading the Excel sheets that offices pass around, with located, clerk-readable errors.

Real sheets carry title rows above the headers, merged cells, blank formatted rows down to row
1,048,576, header synonyms and dates in many forms. This module turns a sheet into rows of
values keyed by canonical column names, remembering where each value came from, so that every
error can name its sheet, row and column.
"""

from __future__ import annotations

import calendar
import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field

from defusedxml import DefusedXmlException
from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from .naming import name_key
from .workbook_limits import Limits, check_archive, fill_merged, load_read_only, merged_ranges, stream_rows

# A run of this many blank rows ends a sheet: Excel keeps formatting far below the data.
MAX_BLANK_RUN = 200
HEADER_SCAN_ROWS = 10


@dataclass(frozen=True)
class Issue:
    """One problem found in an uploaded sheet, located for the clerk who has to fix it."""

    message: str
    sheet: str = ""
    row: int | None = None
    column: str = ""

    @property
    def location(self) -> str:
        parts = []
        if self.sheet:
            parts.append(_("sheet “%(sheet)s”") % {"sheet": self.sheet})
        if self.row:
            parts.append(_("row %(row)s") % {"row": self.row})
        if self.column:
            parts.append(_("column “%(column)s”") % {"column": self.column})
        return _(", ").join(parts)

    def __str__(self):
        return f"{self.location}: {self.message}" if self.location else self.message

    def as_dict(self):
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "message": self.message}


class WorkbookError(Exception):
    """The file as a whole cannot be read; nothing in it was looked at further."""

    def __init__(self, issues: list[Issue] | Issue):
        self.issues = issues if isinstance(issues, list) else [issues]
        super().__init__("; ".join(str(issue) for issue in self.issues))


class WorkbookRefused(WorkbookError):
    """The file passes a configured limit (size, compression, rows, columns, cell length):
    refused before or while reading it, so that one upload cannot exhaust the server."""


def refuse(message: str, *, sheet: str = "", row: int | None = None, column: str = ""):
    raise WorkbookRefused(Issue(message, sheet=sheet, row=row, column=column))


@dataclass
class SheetRow:
    """A data row: canonical column name → cell value, and where each column was in the sheet."""

    number: int
    values: dict
    columns: dict = field(default_factory=dict)  # canonical name → header text as written

    def column(self, name: str) -> str:
        return self.columns.get(name, name)


def open_workbook(data: bytes, *, filename: str = ""):
    """Open uploaded bytes as an .xlsx workbook or raise WorkbookError saying why not."""
    max_bytes = settings.IMPORT_MAX_UPLOAD_BYTES
    if len(data) > max_bytes:
        raise WorkbookRefused(
            Issue(
                _("The file is %(size)s MB; the limit is %(limit)s MB.")
                % {"size": round(len(data) / 1024 / 1024, 1), "limit": round(max_bytes / 1024 / 1024, 1)}
            )
        )
    if not data:
        raise WorkbookError(Issue(_("The file is empty.")))
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        # OLE compound files are either legacy .xls or encrypted (password-protected) .xlsx.
        raise WorkbookError(
            Issue(
                _(
                    "The workbook is password-protected or in the old .xls format. Remove the password "
                    "or save it as an Excel workbook (.xlsx) and upload it again."
                )
            )
        )
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise WorkbookError(
            Issue(_("“%(name)s” is not an Excel workbook (.xlsx).") % {"name": filename or _("The file")})
        )
    check_archive(data, refuse)
    try:
        return load_read_only(data, refuse)
    except WorkbookError:
        raise
    except Exception as error:
        # defusedxml's refusal reaches us wrapped in openpyxl's ValueError.
        if isinstance(error, DefusedXmlException) or isinstance(error.__cause__, DefusedXmlException):
            refuse(_("The workbook declares XML entities or a document type, which are not accepted."))
        # openpyxl raises many kinds for damaged or foreign zip files.
        raise WorkbookError(
            Issue(_("“%(name)s” could not be read as an Excel workbook (.xlsx).") % {"name": filename or _("The file")})
        ) from None


def _is_blank(values) -> bool:
    return all(value is None or (isinstance(value, str) and not value.strip()) for value in values)


def read_sheet_rows(workbook, sheet_name: str, data: bytes | None = None) -> list[tuple[int, list]]:
    """Return the non-blank rows of a sheet as (row number, values), merged cells filled in.

    The sheet is streamed once, read-only, and refused as soon as it passes a limit (see
    common.workbook_limits); a 100,000-row sheet is refused without being loaded. Each merged
    range's value is copied into all its cells. `data` is no longer needed (kept for callers).
    """

    def too_many_rows(limit):
        refuse(
            _("The sheet has more than %(limit)s rows; split it or remove the rows that are not tasks.")
            % {"limit": limit},
            sheet=sheet_name,
        )

    rows = stream_rows(workbook, sheet_name, max_blank_run=MAX_BLANK_RUN, refuse=refuse, refuse_rows=too_many_rows)
    if rows:
        limits = Limits.from_settings()
        fill_merged(
            rows,
            merged_ranges(workbook, sheet_name, refuse),
            max_columns=limits.columns,
            max_work=limits.rows * limits.columns,
        )
    return rows


def header_key(text) -> str:
    """Headers are matched loosely: '牵头单位*', '牵 头\n单位' and '牵头单位：' all match."""
    return re.sub(r"[*＊:：\s]", "", name_key(text))


def find_header_row(rows, synonyms: dict[str, tuple[str, ...]], required: tuple[str, ...]):
    """Find the header row among the first rows: the one that names most known columns.

    Returns (index into rows, {canonical name: (column index, header text)}).
    """
    lookup = {header_key(text): name for name, texts in synonyms.items() for text in texts}
    best = (-1, None, {})
    for index, (_number, values) in enumerate(rows[:HEADER_SCAN_ROWS]):
        found = {}
        for col, value in enumerate(values):
            if value is None:
                continue
            name = lookup.get(header_key(value))
            if name and name not in found:
                found[name] = (col, str(value).strip())
        score = len(found) + (10 if all(name in found for name in required) else 0)
        if found and score > best[0]:
            best = (score, index, found)
    return best[1], best[2]


def cell(values: list, header: dict, name: str):
    """The value of canonical column `name` in a row, or None when the sheet lacks the column."""
    col = header[name][0] if name in header else None
    return values[col] if col is not None and col < len(values) else None


class ImportRefused(Exception):
    """A sheet was refused; nothing was written. `issues` says where and why."""

    def __init__(self, issues: list[Issue], *, refused_at_limit: bool = False):
        self.issues = issues
        # True when a configured limit refused the file (see WorkbookRefused), not its content.
        self.refused_at_limit = refused_at_limit
        super().__init__("\n".join(str(issue) for issue in issues))


def column_letter(index: int) -> str:
    return get_column_letter(index + 1)


def to_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


# ---- dates ---------------------------------------------------------------------------------

_DATE_YMD = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?(前|之前|底前)?$")
_DATE_YM = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?\s*(底|末|底前|前|之前)?$")
_DATE_MD = re.compile(r"^(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?(前|之前)?$")
_DATE_M_END = re.compile(r"^(\d{1,2})\s*月\s*(底|末)(前|之前)?$")
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
# Words meaning the task has no fixed deadline.
OPEN_ENDED = {"长期", "长期坚持", "持续推进", "长期推进", "常态化", "持续", "长期开展"}
# Excel stores dates as days since 1899-12-30.
_EXCEL_EPOCH = datetime.date(1899, 12, 30)


class DateError(ValueError):
    pass


def _month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def parse_date(value, *, default_year: int | None = None) -> datetime.date | None:
    """Turn a date cell into a date. Empty or open-ended ('长期坚持') gives None.

    Accepts date cells, Excel serial numbers and text such as 2026-10-31, 2026/10/31,
    2026.10.31, 2026年10月31日, 2026年10月底 (end of month), 10月31日 (year taken from
    default_year). Raises DateError with a message a clerk understands otherwise.
    """
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 20000 < value < 80000:  # 1954 … 2119 as an Excel serial number
            return _EXCEL_EPOCH + datetime.timedelta(days=int(value))
        text = to_text(value)
    else:
        text = str(value)
    text = re.sub(r"\s+", "", text.strip()).replace("．", ".").replace("／", "/").replace("－", "-")
    if not text:
        return None
    if text in OPEN_ENDED:
        return None
    try:
        if match := _DATE_YMD.match(text):
            return datetime.date(int(match[1]), int(match[2]), int(match[3]))
        if match := _DATE_COMPACT.match(text):
            return datetime.date(int(match[1]), int(match[2]), int(match[3]))
        if match := _DATE_YM.match(text):
            return _month_end(int(match[1]), int(match[2]))
        if default_year and (match := _DATE_MD.match(text)):
            return datetime.date(default_year, int(match[1]), int(match[2]))
        if default_year and (match := _DATE_M_END.match(text)):
            return _month_end(default_year, int(match[1]))
    except ValueError:
        raise DateError(_("“%(value)s” is not a valid date.") % {"value": text}) from None
    raise DateError(_("“%(value)s” is not a date. Write it as 2026-10-31 or 2026年10月31日.") % {"value": text})


# ---- writing user text into sheets ------------------------------------------------------------

# A cell whose text starts with one of these is a formula to Excel and other spreadsheets
# (=cmd|' /C calc'!A0 runs a program on the reader's machine: "CSV/formula injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell_text(value) -> str:
    """User text for a place that only takes text (CSV, a tablib dataset): a leading quote keeps
    text that starts like a formula from being evaluated; other text is unchanged."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def write_text_cell(worksheet, row: int, column: int, value):
    """Write user text into a sheet as text, never as a formula. The one way the app writes
    user text into a workbook.

    `row` and `column` count from 1. openpyxl would store "=…" as a formula: the cell's type is
    forced to string. An XlsxWriter worksheet (anything with write_string) gets write_string,
    never the generic write, which also turns "=…" into a formula.
    """
    text = "" if value is None else str(value)
    if hasattr(worksheet, "write_string"):  # XlsxWriter counts from 0
        return worksheet.write_string(row - 1, column - 1, text)
    cell = worksheet.cell(row=row, column=column)
    cell.value = text
    cell.data_type = "s"
    return cell
