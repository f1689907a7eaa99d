"""Building task breakdown workbooks in memory for import tests."""

import io
from pathlib import Path

from openpyxl import Workbook

DEMO_DIR = Path(__file__).resolve().parent.parent / "campaigns" / "demo"
STRICT_2022 = DEMO_DIR / "campaign-strict-supervision-2022.xlsx"
EFFICIENCY_2026 = DEMO_DIR / "campaign-efficiency-year-2026.xlsx"
UNITS = DEMO_DIR / "units.xlsx"

TASK_HEADERS = ["序号", "分类", "任务名称", "工作内容", "牵头单位", "配合单位", "责任领导", "完成时限", "阶段"]
INFO = [
    ("活动名称", "测试专项行动"),
    ("文号", "测政办发〔2026〕1号"),
    ("发文单位", "区人民政府办公室"),
    ("发文日期", "2026-02-01"),
    ("开始日期", "2026-02-09"),
    ("结束日期", "2026-12-30"),
    ("牵头办公室", "区委区政府督查室"),
    ("报送周期", "每周"),
    ("报送截止", "周五 18:00"),
]
PHASES = [("阶段名称", "开始日期", "结束日期"), ("推进阶段", "2026-03-01", "2026-10-31")]


def task(number, title="任务", lead="区政府办公室", support="", deadline="2026-10-31", section="", leaders="", phase="", description="工作内容"):
    return [number, section, title, description, lead, support, leaders, deadline, phase]


def workbook_bytes(rows, *, headers=TASK_HEADERS, info=INFO, phases=PHASES, title_rows=("测试专项行动任务分解表",), merges=(), task_sheet="任务分解表"):
    """rows: lists of cell values under `headers`; merges: ranges like 'B3:B5' on the task sheet."""
    book = Workbook()
    sheet = book.active
    sheet.title = task_sheet
    for title in title_rows:
        sheet.append([title])
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    for cells in merges:
        sheet.merge_cells(cells)
    if info is not None:
        info_sheet = book.create_sheet("活动信息")
        for row in info:
            info_sheet.append(list(row))
    if phases is not None:
        phase_sheet = book.create_sheet("阶段")
        for row in phases:
            phase_sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
