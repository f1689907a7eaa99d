"""The official-form layout (exports.xlsx.FormSheet), read back with openpyxl."""

import datetime
import io

import openpyxl

from exports.xlsx import FILLS, Column, FormSheet, open_workbook

COLUMNS = [
    Column("序号", 6, kind="number"),
    Column("内容", 30, wrap=True),
    Column("进度", 8, kind="percent"),
    Column("时限", 12, kind="date"),
    Column("状态", 10, light=True),
]


def write(rows, **kwargs):
    target = io.BytesIO()
    book = open_workbook(target)
    sheet = FormSheet(book, name="表", title="测试专项 工作台账", columns=COLUMNS, **kwargs)
    for values, fill in rows:
        sheet.add_row(values, fill=fill)
    book.close()
    target.seek(0)
    return sheet, openpyxl.load_workbook(target).active


def fill_of(cell):
    return cell.fill.fgColor.rgb[-6:] if cell.fill and cell.fill.fill_type else None


def test_title_header_frozen_pane_and_print_setup():
    sheet, ws = write([([1, "a", 50, datetime.date(2026, 10, 31), "红灯"], "red")], subtitle="第1期")

    assert "A1:E1" in {str(merged) for merged in ws.merged_cells.ranges}
    assert ws["A1"].value == "测试专项 工作台账"
    assert ws["A2"].value == "第1期"
    assert [cell.value for cell in ws[3]] == ["序号", "内容", "进度", "时限", "状态"]
    assert ws["A3"].font.b
    assert ws.freeze_panes == "A4"
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9
    assert ws.print_title_rows == "$3:$3"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.column_dimensions["B"].width > ws.column_dimensions["A"].width
    assert ws["B4"].alignment.wrap_text
    assert sheet.rows == 1


def test_values_keep_their_types_and_blanks_stay_blank():
    _sheet, ws = write([([1, None, 45, datetime.date(2026, 10, 31), ""], None)])

    assert ws["A3"].value == 1
    assert ws["B3"].value is None
    assert ws["C3"].value == 45 and ws["C3"].number_format == '0"%"'
    assert ws["D3"].value == datetime.datetime(2026, 10, 31) and ws["D3"].is_date
    assert ws["E3"].value is None


def test_text_that_looks_like_a_formula_stays_text():
    texts = ["=1+1", "@x", "-3", "+a", "=SUM(A1)"]
    _sheet, ws = write([([index, text, None, None, text], None) for index, text in enumerate(texts)])

    for row, text in zip(ws.iter_rows(min_row=3), texts, strict=True):
        assert row[1].value == text and row[1].data_type == "s"
        assert row[4].value == text and row[4].data_type == "s"


def test_a_title_that_looks_like_a_formula_stays_text():
    target = io.BytesIO()
    book = open_workbook(target)
    FormSheet(book, name="表", title="=HYPERLINK(1)", columns=COLUMNS)
    book.close()
    target.seek(0)
    cell = openpyxl.load_workbook(target).active["A1"]

    assert cell.value == "=HYPERLINK(1)" and cell.data_type == "s"


def test_light_fills_go_to_the_light_columns_only():
    rows = [([i, "x", None, None, light], light) for i, light in enumerate(["red", "yellow", "green", "closed"])]
    _sheet, ws = write(rows)

    for row, light in zip(ws.iter_rows(min_row=3), ["red", "yellow", "green", "closed"], strict=True):
        assert fill_of(row[4]) == FILLS[light][1:]
        assert fill_of(row[1]) is None


def test_rows_are_written_in_order_to_a_path(tmp_path):
    path = tmp_path / "form.xlsx"
    book = open_workbook(str(path))
    sheet = FormSheet(book, name="表", title="标题", columns=COLUMNS)
    for index in range(500):
        sheet.add_row([index, f"第{index}行", index % 101, None, None])
    book.close()
    ws = openpyxl.load_workbook(path, read_only=True).active

    values = [row[0] for row in ws.iter_rows(min_row=3, values_only=True)]
    assert values == list(range(500))
