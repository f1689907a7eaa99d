"""Reading untrusted workbooks within fixed bounds of time and memory.

An .xlsx is a zip: a 0.5 MB upload can unpack to a 500 MB shared string, or a sheet declaring
2,000 × 16,384 cells, and openpyxl allocates whatever the file asks for. So, before openpyxl
sees the file, every zip member's declared size and compression ratio is checked (zipfile never
returns more than a member's declared size, and a member that unpacks to more fails its CRC);
the sheets' declared dimensions are checked on opening; and because a declared dimension can
lie, the rows are streamed one at a time and refused as soon as they pass a limit. Each sheet is
read once, read-only: its merged ranges come from a plain byte scan of the same sheet part,
instead of loading the workbook a second time in full.

The XML itself is parsed by openpyxl through defusedxml (installed; openpyxl uses it on its own),
which refuses entity expansion ("billion laughs").
"""

from __future__ import annotations

import bisect
import io
import re
import zipfile
from dataclasses import dataclass
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl.reader.excel import ExcelReader, _find_workbook_part
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import DATA_TAG, DIMENSION_TAG, ROW_TAG, WorkSheetParser
from openpyxl.xml.constants import SHARED_STRINGS as SHARED_STRINGS_TYPE
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

# Members above this size must not be compressed more than the configured ratio; tiny parts
# of highly repetitive XML legitimately compress very well.
RATIO_FLOOR_BYTES = 1024 * 1024
# Parts that openpyxl parses whole into a tree (styles, workbook, relationships, theme) get a
# smaller limit than the sheets and shared strings, which are streamed: a 4.9 MB styles part of
# 38,000 formats took 4.7 s to open (on a loaded machine); offices' workbooks have well under 1 MB.
WHOLE_PART_MAX_BYTES = 2 * 1024 * 1024
MAX_MEMBERS = 2000
MAX_MERGED_RANGES = 10_000
# A sheet nests some 6 levels deep (worksheet, sheetData, row, c, is, r, t); every open element
# stays in memory until it ends, so 2.6 million nested ones (a 200 KB upload) took 9 s and 789 MB.
MAX_XML_DEPTH = 64
# Besides its rows a sheet holds column widths, merged cells, hyperlinks, validations: a task
# sheet has some dozens. Each costs parsing time even when dropped: 560,000 hyperlinks in a
# 282 KB upload took 2.4 s to read past. More than this many is refused.
MAX_ELEMENTS_OUTSIDE_ROWS = 20_000
_STREAMED_PARTS = re.compile(r"^xl/(worksheets/[^/]+\.xml|sharedStrings\.xml)$")
_MERGE_REF = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?mergeCell\s[^>]*?ref=\"([A-Z]{1,3}[0-9]{1,7}(?::[A-Z]{1,3}[0-9]{1,7})?)\""
)
_CHUNK = 1024 * 1024
SHARED_STRINGS = "xl/sharedStrings.xml"
_STRING_ITEM = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s/>]")


@dataclass(frozen=True)
class Limits:
    part_bytes: int
    ratio: int
    rows: int
    columns: int
    cell_chars: int

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            part_bytes=settings.IMPORT_MAX_PART_BYTES,
            ratio=settings.IMPORT_MAX_COMPRESSION_RATIO,
            rows=settings.IMPORT_MAX_ROWS,
            columns=settings.IMPORT_MAX_COLUMNS,
            cell_chars=settings.IMPORT_MAX_CELL_CHARS,
        )


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}".rstrip("0").rstrip(".")


def check_archive(data: bytes, refuse) -> None:
    """Refuse a zip whose members would unpack beyond the limits; reads only the zip directory.

    `refuse(message)` raises (the caller's WorkbookRefused).
    """
    limits = Limits.from_settings()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not our concern here: opening it will fail with its own message
    if len(members) > MAX_MEMBERS:
        refuse(
            _("The file holds %(count)s parts; the limit is %(limit)s.") % {"count": len(members), "limit": MAX_MEMBERS}
        )
    for member in members:
        streamed = bool(_STREAMED_PARTS.match(member.filename))
        limit = limits.part_bytes if streamed else min(limits.part_bytes, WHOLE_PART_MAX_BYTES)
        if member.file_size > limit:
            _refuse_part_size(member, limit, refuse)
        if member.filename == SHARED_STRINGS:
            _check_shared_strings(archive_bytes=data, member=member, limits=limits, refuse=refuse)
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_FLOOR_BYTES and ratio > limits.ratio:
            refuse(
                _("The part “%(part)s” of the file is compressed %(ratio)s times; the limit is %(limit)s times.")
                % {"part": member.filename, "ratio": int(ratio), "limit": limits.ratio}
            )


def _refuse_part_size(member: zipfile.ZipInfo, limit: int, refuse) -> None:
    refuse(
        _("The part “%(part)s” of the file unpacks to %(size)s MB; the limit is %(limit)s MB per part.")
        % {"part": member.filename, "size": _mb(member.file_size), "limit": _mb(limit)}
    )


def _check_shared_strings(*, archive_bytes: bytes, member, limits: Limits, refuse) -> None:
    """openpyxl loads the whole shared-strings table on opening, at some 15–30 µs a string: a
    5 MB upload can hold 600,000 of them (17 s). No sheet within the limits can use more than
    rows × columns strings, so count them first, by a byte scan of the (size-checked) part."""
    limit = limits.rows * limits.columns
    count, tail = 0, b""
    with zipfile.ZipFile(io.BytesIO(archive_bytes)) as archive, archive.open(member) as source:
        while chunk := source.read(_CHUNK):
            buffer = tail + chunk
            count += len(_STRING_ITEM.findall(buffer, 0, max(len(buffer) - 16, 0)))
            tail = buffer[max(len(buffer) - 16, 0) :]
            if count > limit:
                _refuse_strings(limits, refuse)


def _refuse_strings(limits: Limits, refuse) -> None:
    refuse(
        _("The workbook holds more than %(limit)s different texts; the limit is %(rows)s rows of %(columns)s columns.")
        % {"limit": limits.rows * limits.columns, "rows": limits.rows, "columns": limits.columns}
    )


def check_dimensions(worksheet, refuse) -> None:
    """Refuse a sheet whose declared size (its <dimension> element) is wider than the column
    limit and larger in all than the rows × columns limit (2,000 × 16,384 declared).

    A sheet a little wider than the limit is let through to the streaming checks, which refuse
    only values beyond it: spreadsheet programs declare formatted blank columns too (whole rows
    formatted give 1,024 or 16,384 columns). Rows are not refused by their declared count either:
    offices' sheets carry formatted blank rows down to row 1,048,576, skipped cheaply while
    streaming.
    """
    limits = Limits.from_settings()
    if isinstance(worksheet, _ReadOnlySheet):
        worksheet.read_declared_size()
    columns = worksheet.max_column or 0
    rows = worksheet.max_row or 0
    if columns > limits.columns and rows * columns > limits.rows * limits.columns:
        refuse(
            _("The sheet has %(columns)s columns; the limit is %(limit)s columns.")
            % {"columns": columns, "limit": limits.columns},
            sheet=worksheet.title,
        )


def stream_rows(workbook, sheet_name: str, *, max_blank_run: int, refuse, refuse_rows):
    """Non-blank rows of a read-only sheet as [(row number, values)], streamed and bounded.

    Stops after `max_blank_run` blank rows (Excel keeps formatting far below the data). Refuses
    a value beyond the column limit, a text longer than the cell limit, more non-blank rows than
    the row limit (`refuse_rows`), and more cells in all than rows × columns, whatever the
    declared dimension said.
    """
    limits = Limits.from_settings()
    worksheet = workbook[sheet_name]
    try:
        # The sheet's XML is first parsed here (its declared size), not when the workbook opens.
        check_dimensions(worksheet, refuse)
        # The same parser ReadOnlyWorksheet uses, driven here so that nothing is padded to the
        # declared width and each cell can be checked as it arrives (openpyxl 3.1, pinned).
        with worksheet._get_source() as source:
            parser = _RowsParser(
                source,
                worksheet._shared_strings,
                data_only=True,
                epoch=workbook.epoch,
                date_formats=workbook._date_formats,
                timedelta_formats=workbook._timedelta_formats,
            )
            rows = _bounded_rows(parser, sheet_name, limits, max_blank_run, refuse, refuse_rows)
    except DefusedXmlException:
        refuse(
            _("The workbook declares XML entities or a document type, which are not accepted."),
            sheet=sheet_name,
        )
    except ParseError:
        refuse(_("The sheet is damaged and cannot be read."), sheet=sheet_name)
    return rows


class _RowsParser(WorkSheetParser):
    """openpyxl's sheet parser, reading the rows only. openpyxl's own parse builds an object for
    everything else in the sheet too (hyperlinks, column widths, validations, merged cells…), in
    any number and wherever it stands: 560,000 hyperlinks before the cells, in a 200 KB upload,
    took 5.6 s and 415 MB. Here everything outside a row is dropped as soon as it ends, and each
    row once read, so that nothing piles up either."""

    def parse(self):
        open_elements, rows_open, others = [], 0, 0
        for event, element in iterparse(self.source, events=("start", "end")):
            if event == "start":
                open_elements.append(element)
                if len(open_elements) > MAX_XML_DEPTH:
                    raise ParseError(f"elements nested deeper than {MAX_XML_DEPTH}")
                rows_open += element.tag == ROW_TAG
                continue
            open_elements.pop()
            if element.tag == ROW_TAG:
                rows_open -= 1
                row = self.parse_row(element)
            elif rows_open:
                continue  # a cell and its parts: parse_row reads them with their row
            else:
                row = None
                others += 1
                if others > MAX_ELEMENTS_OUTSIDE_ROWS:
                    raise TooManyElements
            if open_elements:
                open_elements[-1].remove(element)
            if row is not None:
                yield row


class TooManyElements(Exception):
    """A sheet holds more than MAX_ELEMENTS_OUTSIDE_ROWS elements besides its rows."""


def _bounded_rows(parser, sheet_name, limits, max_blank_run, refuse, refuse_rows):
    try:
        return _bounded_rows_parsed(parser, sheet_name, limits, max_blank_run, refuse, refuse_rows)
    except TooManyElements:
        refuse(
            _(
                "The sheet holds more than %(limit)s elements besides its rows (hyperlinks, merged cells, column widths…)."
            )
            % {"limit": MAX_ELEMENTS_OUTSIDE_ROWS},
            sheet=sheet_name,
        )


def _bounded_rows_parsed(parser, sheet_name, limits, max_blank_run, refuse, refuse_rows):
    max_cells = limits.rows * limits.columns
    rows, cells_seen, blank_run, previous = [], 0, 0, 0
    for number, cells in parser.parse():
        blank_run += max(number - previous - 1, 0)  # rows missing from the file are blank
        previous = number
        if blank_run >= max_blank_run:
            break
        cells_seen += len(cells)
        if cells_seen > max_cells:
            refuse(
                _("The sheet has more than %(limit)s cells; the limit is %(rows)s rows of %(columns)s columns.")
                % {"limit": max_cells, "rows": limits.rows, "columns": limits.columns},
                sheet=sheet_name,
                row=number,
            )
        values = {}
        for found in cells:
            value = found["value"]
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            column = found["column"]
            if column > limits.columns:
                refuse(
                    _("A value in column %(column)s is beyond the limit of %(limit)s columns.")
                    % {"column": get_column_letter(column), "limit": limits.columns},
                    sheet=sheet_name,
                    row=number,
                )
            if isinstance(value, str) and len(value) > limits.cell_chars:
                refuse(
                    _("The cell holds %(length)s characters; the limit is %(limit)s characters per cell.")
                    % {"length": len(value), "limit": limits.cell_chars},
                    sheet=sheet_name,
                    row=number,
                    column=get_column_letter(column),
                )
            values[column] = value
        if not values:
            blank_run += 1
            if blank_run >= max_blank_run:
                break
            continue
        blank_run = 0
        row = [None] * max(values)
        for column, value in values.items():
            row[column - 1] = value
        rows.append((number, row))
        if len(rows) > limits.rows:
            refuse_rows(limits.rows)
    return rows


def merged_ranges(workbook, sheet_name: str, refuse) -> list[tuple[int, int, int, int]]:
    """(min_col, min_row, max_col, max_row) of each merged range, from a byte scan of the sheet.

    <mergeCells> follows the cell data, so parsing the XML again would mean parsing every row;
    scanning the (size-checked) part for its mergeCell references costs one decompression.
    A literal "<mergeCell" cannot occur inside cell text, where "<" is escaped.
    """
    worksheet = workbook[sheet_name]
    found, tail = [], b""
    with worksheet._get_source() as source:
        while chunk := source.read(_CHUNK):
            buffer = tail + chunk
            end = 0
            for match in _MERGE_REF.finditer(buffer):
                found.append(range_boundaries(match.group(1).decode()))
                end = match.end()
                if len(found) > MAX_MERGED_RANGES:
                    refuse(
                        _("The sheet has more than %(limit)s merged ranges.") % {"limit": MAX_MERGED_RANGES},
                        sheet=sheet_name,
                    )
            # Keep the end of the buffer in case a reference is cut in two by the chunking.
            tail = buffer[max(end, len(buffer) - 256) :]
    return found


def fill_merged(rows: list[tuple[int, list]], ranges, *, max_columns: int, max_work: int) -> None:
    """Copy each merged range's value into its other cells, on the rows kept.

    Only kept rows, and columns up to the column limit, are visited, so a range declared over
    the whole sheet costs no more than the rows read; overlapping ranges (invalid in Excel) are bounded by
    `max_work` cell visits.
    """
    numbers = [number for number, _values in rows]
    by_number = dict(rows)
    work = 0
    for min_col, min_row, max_col, max_row in ranges:
        top = by_number.get(min_row)
        value = top[min_col - 1] if top is not None and min_col - 1 < len(top) else None
        if value is None:
            continue
        start = bisect.bisect_left(numbers, min_row)
        stop = bisect.bisect_right(numbers, max_row)
        for number in numbers[start:stop]:
            values = by_number[number]
            right = min(max_col, max_columns)
            if len(values) < right:
                values.extend([None] * (right - len(values)))
            for col in range(min_col, right + 1):
                work += 1
                if values[col - 1] is None:
                    values[col - 1] = value
            if work > max_work:
                return


class _ReadOnlySheet(ReadOnlyWorksheet):
    """openpyxl's read-only sheet, whose declared size is read when check_dimensions asks for it,
    not on opening: openpyxl reads it for every sheet entry as the workbook opens, and when a
    sheet declares none that means parsing the whole sheet (2,000 small parts of 1 MB without a
    <dimension>, 2 GB of XML, fit in a 2 MB upload)."""

    def _get_size(self):
        pass  # not on opening

    def read_declared_size(self):
        """openpyxl's _get_size, stopping where the cells begin: <dimension> comes before
        <sheetData>, but openpyxl reads on to the end of <sheetData> when there is none, i.e.
        the whole sheet (3.2 million empty rows in a 200 KB upload: 7 s and 365 MB)."""
        depth = 0
        with self._get_source() as source:
            for event, element in iterparse(source, events=("start", "end")):
                if event == "end":
                    depth -= 1
                    continue
                depth += 1
                if depth > MAX_XML_DEPTH:
                    raise ParseError(f"elements nested deeper than {MAX_XML_DEPTH}")
                if element.tag == DIMENSION_TAG:
                    try:
                        self._min_column, self._min_row, self._max_column, self._max_row = range_boundaries(
                            element.get("ref", "")
                        )
                    except (TypeError, ValueError):
                        pass  # no usable declaration: the streaming checks still apply
                    return
                if element.tag == DATA_TAG:
                    return


class _Reader(ExcelReader):
    """openpyxl's reader with a faster shared-strings table: openpyxl builds a descriptor-checked
    Text object per string (some 30 µs each under load; 4 s for 120,000 strings), where the
    plain text is all a read-only, values-only import uses. Same result: the string's own <t>,
    then the <t> of each rich-text run (phonetic guides left out), with openpyxl's _x005F_ fix.

    The table is also counted here, wherever the package puts it: check_archive counts only a
    part named xl/sharedStrings.xml, and [Content_Types].xml may name any part as the table.

    Likewise check_archive gives the streamed parts' limit to any part named like a sheet, but
    the package names the workbook part, which openpyxl parses whole: it gets the whole-part
    limit here, whatever its name. External links and chartsheets (parsed whole too, and of no
    use to an import) are not read."""

    def __init__(self, *args, refuse, **kwargs):
        super().__init__(*args, keep_links=False, **kwargs)
        self._refuse = refuse

    def _check_whole_part(self, name: str) -> None:
        try:
            member = self.archive.getinfo(name)
        except KeyError:
            return  # openpyxl says what is missing
        limit = min(Limits.from_settings().part_bytes, WHOLE_PART_MAX_BYTES)
        if member.file_size > limit:
            _refuse_part_size(member, limit, self._refuse)

    def read_workbook(self):
        self._check_whole_part(_find_workbook_part(self.package).PartName[1:])
        super().read_workbook()

    def read_worksheets(self):
        """openpyxl's read_worksheets for read_only, less what a read-only import never uses.

        openpyxl parses each sheet's relationships part (whole) before it sees the workbook is
        read-only and drops them, once per sheet entry: an 8 KB upload listing one sheet 20 times,
        with a 1 MB relationships part, took 4 s, and workbook.xml can list thousands. Sheets are
        opened without reading their size (see _ReadOnlySheet). Chartsheets (parsed whole, with
        their drawings) hold no cells: left out.
        """
        for sheet, rel in self.parser.find_sheets():
            if rel.target not in self.valid_files or "chartsheet" in rel.Type:
                continue
            worksheet = _ReadOnlySheet(self.wb, sheet.name, rel.target, self.shared_strings)
            worksheet.sheet_state = sheet.state
            self.wb._sheets.append(worksheet)

    def read_strings(self):
        part = self.package.find(SHARED_STRINGS_TYPE)
        if part is None:
            return
        item, text, run = (f"{{{SHEET_MAIN_NS}}}{tag}" for tag in ("si", "t", "r"))
        limits = Limits.from_settings()
        limit = limits.rows * limits.columns
        strings, depth = [], 0
        with self.archive.open(part.PartName[1:]) as source:
            for event, node in iterparse(source, events=("start", "end")):  # defusedxml's, as openpyxl's own
                if event == "start":
                    depth += 1
                    if depth > MAX_XML_DEPTH:
                        raise ParseError(f"elements nested deeper than {MAX_XML_DEPTH}")
                    continue
                depth -= 1
                if node.tag != item:
                    continue
                plain, runs = None, []
                for child in node:
                    if child.tag == text:
                        plain = child.text
                    elif child.tag == run:
                        found = child.find(text)
                        if found is not None and found.text is not None:
                            runs.append(found.text)
                strings.append(("".join(([plain] if plain is not None else []) + runs)).replace("x005F_", ""))
                node.clear()
                if len(strings) > limit:
                    _refuse_strings(limits, self._refuse)
        self.shared_strings = strings


def load_read_only(data: bytes, refuse):
    """openpyxl's load_workbook(read_only=True, data_only=True), with the faster strings table
    (refused with `refuse(message)` beyond rows × columns strings)."""
    reader = _Reader(io.BytesIO(data), read_only=True, data_only=True, refuse=refuse)
    reader.read()
    return reader.wb
