"""A small campaign with filed, late, stale, draft and missing reports, for the export kinds' tests.

Built on conftest's ``world`` (campaign 2 March – 31 December 2026, weekly periods due Friday
18:00): task 1 (section 一) led by 区发展和改革局 with 区财政局 supporting, task 2 (section 二)
led by 区审计局, which never reports. NOW is Monday 30 March 2026, after period 4 (due Friday
27 March) and task 2's deadline (20 March).
"""

import datetime
import io

import openpyxl

from campaigns.models import Section
from lights.services import refresh
from tasks.services import report_save

from ..conftest import at
from ..factories import LeaderFactory

NOW = at(2026, 3, 30, 9)


def submit(world, unit, period, progress, *, when, task=None, percent=30, submit=True):
    user = {world.lead: world.lead_liaison, world.support: world.support_liaison, world.other: world.other_liaison}[
        unit
    ]
    return report_save(
        user=user, task=task or world.task, unit=unit, period=period, expected_version=None, submit=submit,
        now=when, progress=progress, percent_complete=percent,
    )  # fmt: skip


def build(world):
    campaign = world.campaign
    first, second = (Section.objects.create(campaign=campaign, title=t, sort_order=i) for i, t in
                     enumerate(["（一）强规范", "（二）重实干"], start=1))  # fmt: skip
    task2 = campaign.tasks.get(number="2")
    world.task.section, world.task.description = first, "完成年度投资计划"
    world.task.save()
    task2.section, task2.deadline, task2.title = second, datetime.date(2026, 3, 20), "优化营商环境"
    task2.save()
    world.task.leaders.add(LeaderFactory(name="张三", sort_order=1), LeaderFactory(name="李四", sort_order=2))
    periods = {p.number: p for p in campaign.periods.filter(number__lte=4)}
    # The lead unit: "+a" in period 2, then "=1+1" twice (the second the same text: 内容雷同).
    submit(world, world.lead, periods[2], "+a", when=at(2026, 3, 13, 10), percent=20)
    submit(world, world.lead, periods[3], "=1+1", when=at(2026, 3, 20, 10), percent=30)
    submit(world, world.lead, periods[4], "=1+1", when=at(2026, 3, 27, 10), percent=40)
    # The supporting unit: "-3" on time in period 3, "@x" late in period 4 (Saturday).
    submit(world, world.support, periods[3], "-3", when=at(2026, 3, 20, 11), percent=10)
    submit(world, world.support, periods[4], "@x", when=at(2026, 3, 28, 9), percent=15)
    refresh(campaign_ids=[campaign.pk], now=NOW, open_first=True)
    world.task2 = task2
    world.sections = (first, second)
    world.periods = periods
    return world


def read(target):
    """The workbook written to `target` (a BytesIO or a path), its first sheet."""
    if isinstance(target, io.BytesIO):
        target.seek(0)
    return openpyxl.load_workbook(target)


def data_rows(ws, header_row):
    return [[cell.value for cell in row] for row in ws.iter_rows(min_row=header_row + 1)]


def fill_of(cell):
    return cell.fill.fgColor.rgb[-6:] if cell.fill and cell.fill.fill_type else None
