"""The official-form layout every export shares, written by XlsxWriter in constant_memory mode.

    book = open_workbook(target)
    sheet = FormSheet(book, name="工作台账", title="… 工作台账", columns=[Column("序号", 6), ...])
    sheet.add_row(["1", "…", 45, datetime.date(2026, 10, 31)], fill="red")
    book.close()

A sheet is a merged title row (and an optional subtitle row), a bold header row with a pale fill,
column widths, wrapped text, the header frozen, A4 landscape, one page wide, the header repeated
on every printed page, and light colours as cell fills.

constant_memory keeps one row in memory and flushes it when the next row starts: a write to an
earlier row is silently dropped (XlsxWriter returns -1). So the title goes first and each data
row is built completely and written by add_row in one go, in order.

User text is written with write_string, never the generic write: a text beginning with =, +, -
or @ stays text (Excel would take it for a formula). Numbers are numbers, dates are dates, None
is a blank cell (with the row's borders).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from numbers import Number

import xlsxwriter
from django.utils import timezone

# Light colours (the pale ones Excel offers for "good / neutral / bad"), closed off grey.
FILLS = {
    "green": "#C6EFCE",
    "yellow": "#FFEB9C",
    "red": "#FFC7CE",
    "closed": "#D9D9D9",
    "grey": "#D9D9D9",
}
HEADER_FILL = "#DDEBF7"
FONT = "宋体"
A4 = 9


def open_workbook(target) -> xlsxwriter.Workbook:
    """A streaming workbook on `target` (a path or a binary file object): rows go to temporary
    files as they are written (constant_memory, not in memory) and are zipped on close()."""
    return xlsxwriter.Workbook(target, {"constant_memory": True, "in_memory": False})


@dataclass(frozen=True)
class Column:
    header: str
    width: float = 12
    # text | number | percent (0–100, shown with %) | date | datetime
    kind: str = "text"
    wrap: bool = False
    # Filled with the row's light colour (add_row's `fill`); without any such column the whole row is.
    light: bool = False


class _Styles:
    """The formats of one workbook (XlsxWriter formats belong to their workbook), made once."""

    def __init__(self, book: xlsxwriter.Workbook):
        self.book = book
        self._cache: dict[tuple, object] = {}
        base = {"font_name": FONT, "font_size": 11}
        self.title = book.add_format({**base, "bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
        self.subtitle = book.add_format({**base, "font_size": 10, "align": "left", "valign": "vcenter"})
        self.header = book.add_format(
            {**base, "bold": True, "border": 1, "bg_color": HEADER_FILL, "align": "center", "valign": "vcenter",
             "text_wrap": True}
        )  # fmt: skip

    def cell(self, kind: str, wrap: bool, fill: str | None):
        key = (kind, wrap, fill)
        found = self._cache.get(key)
        if found is None:
            spec = {"font_name": FONT, "font_size": 10, "border": 1, "valign": "top"}
            if wrap:
                spec["text_wrap"] = True
            if kind == "date":
                spec["num_format"] = "yyyy-mm-dd"
            elif kind == "datetime":
                spec["num_format"] = "yyyy-mm-dd hh:mm"
            elif kind == "percent":
                spec["num_format"] = '0"%"'
            if kind != "text":
                spec["align"] = "center"
            if fill:
                spec["bg_color"] = FILLS.get(fill, fill)
            found = self._cache[key] = self.book.add_format(spec)
        return found


def _styles(book) -> _Styles:
    styles = getattr(book, "_duban_styles", None)
    if styles is None:
        styles = book._duban_styles = _Styles(book)
    return styles


class FormSheet:
    """One worksheet laid out as an official form. Rows are written in order by add_row."""

    def __init__(
        self,
        book: xlsxwriter.Workbook,
        *,
        name: str,
        title: str | None,
        columns: Sequence[Column],
        subtitle: str | None = None,
    ):
        self.book = book
        self.columns = list(columns)
        self.sheet = book.add_worksheet(name[:31])
        self.styles = _styles(book)
        self.rows = 0  # data rows written
        self._has_light = any(column.light for column in self.columns)
        sheet, last = self.sheet, len(self.columns) - 1
        for index, column in enumerate(self.columns):
            sheet.set_column(index, index, column.width)
        row = 0
        if title:
            sheet.set_row(row, 32)
            if last > 0:
                # The merge is written blank and its text with write_string: merge_range's own
                # write() would take a title beginning with "=" for a formula.
                sheet.merge_range(row, 0, row, last, "", self.styles.title)
            sheet.write_string(row, 0, str(title), self.styles.title)
            row += 1
        if subtitle:
            if last > 0:
                sheet.merge_range(row, 0, row, last, "", self.styles.subtitle)
            sheet.write_string(row, 0, str(subtitle), self.styles.subtitle)
            row += 1
        self.header_row = row
        sheet.set_row(row, 24)
        for index, column in enumerate(self.columns):
            sheet.write_string(row, index, str(column.header), self.styles.header)
        self._next = row + 1
        sheet.freeze_panes(self._next, 0)
        sheet.set_landscape()
        sheet.set_paper(A4)
        sheet.repeat_rows(self.header_row)
        sheet.fit_to_pages(1, 0)
        sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)

    def add_row(self, values: Sequence, fill: str | None = None) -> None:
        """Write one complete data row. `fill`: a light ("red", "yellow", "green", "closed") or
        "grey", for the columns marked light (or the whole row if none is)."""
        row, sheet, styles = self._next, self.sheet, self.styles
        for index, column in enumerate(self.columns):
            value = values[index] if index < len(values) else None
            cell_fill = fill if (column.light or not self._has_light) else None
            style = styles.cell(column.kind, column.wrap, cell_fill)
            if value is None or value == "":
                sheet.write_blank(row, index, None, style)
            elif column.kind in ("number", "percent") and isinstance(value, Number) and not isinstance(value, bool):
                sheet.write_number(row, index, value, style)
            elif column.kind in ("date", "datetime") and isinstance(value, datetime.date):
                sheet.write_datetime(row, index, _naive(value), style)
            else:
                sheet.write_string(row, index, str(value), style)
        self._next += 1
        self.rows += 1


def _naive(value: datetime.date) -> datetime.date:
    """Excel has no time zones: an aware moment is written as the local (Asia/Shanghai) time."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    return value
