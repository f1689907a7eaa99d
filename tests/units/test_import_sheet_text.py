"""User text written into a workbook never becomes a formula (issue 7: "=cmd|' /C calc'!A0")."""

import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from common.workbook import safe_cell_text, write_text_cell

DANGEROUS = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1:A2)", '=HYPERLINK("http://x")']


def saved(book) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("text", DANGEROUS)
def test_text_written_through_the_helper_reads_back_as_text(text):
    book = Workbook()
    write_text_cell(book.active, 1, 1, text)
    data = saved(book)

    cell = load_workbook(io.BytesIO(data)).active["A1"]
    assert cell.data_type == "s" and cell.value == text
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")


def test_without_the_helper_openpyxl_would_write_a_formula():
    book = Workbook()
    book.active["A1"] = DANGEROUS[0]
    with zipfile.ZipFile(io.BytesIO(saved(book))) as archive:
        assert b"<f>" in archive.read("xl/worksheets/sheet1.xml")


def test_an_xlsxwriter_sheet_gets_write_string():
    calls = []

    class XlsxWriterSheet:
        def write_string(self, row, col, text):
            calls.append((row, col, text))

    write_text_cell(XlsxWriterSheet(), 2, 3, DANGEROUS[0])
    assert calls == [(1, 2, DANGEROUS[0])]


def test_safe_cell_text_quotes_only_what_starts_like_a_formula():
    assert [safe_cell_text(text) for text in DANGEROUS] == ["'" + text for text in DANGEROUS]
    assert safe_cell_text("区政府办公室") == "区政府办公室" and safe_cell_text(None) == ""
    assert safe_cell_text("5-1") == "5-1"
