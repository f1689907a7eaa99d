"""The ledger (工作台账): one row per task, in the official-form layout."""

import datetime
import io

import pytest

from exports.filters import Filters
from exports.kinds import get_kind
from exports.kinds.ledger import ledger_rows
from exports.xlsx import FILLS
from tasks.models import Task

from .export_world import NOW, build, data_rows, fill_of, read

pytestmark = pytest.mark.django_db

HEADERS = ["序号", "分类", "任务名称", "工作内容", "牵头单位", "配合单位", "责任领导", "完成时限", "状态", "完成进度",
           "最新进展", "超期工作日数"]  # fmt: skip


@pytest.fixture
def scene(world):
    return build(world)


def export(user, filters):
    target = io.BytesIO()
    rows = get_kind("ledger").write(user, filters, target, now=NOW)
    return rows, read(target)


def test_one_row_per_task_with_units_leaders_progress_and_lights(scene):
    rows, book = export(scene.office, Filters(campaign=scene.campaign))
    ws = book.worksheets[0]

    assert rows == 2
    assert ws["A1"].value.startswith(scene.campaign.title) and "工作台账" in ws["A1"].value
    assert any(str(r).startswith("A1:") for r in ws.merged_cells.ranges)
    assert [c.value for c in ws[2]] == HEADERS
    assert ws.freeze_panes == "A3"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    assert ws.print_title_rows == "$2:$2"
    first, second = data_rows(ws, 2)
    assert first[:8] == ["1", "（一）强规范", scene.task.title, "完成年度投资计划", "区发展和改革局", "区财政局",
                         "张三、李四", datetime.datetime(2026, 10, 31)]  # fmt: skip
    assert first[9] == 40  # the lead unit's latest percent
    assert first[10] == "区发展和改革局：=1+1\n区财政局：@x"
    assert first[11] is None
    assert second[:3] == ["2", "（二）重实干", "优化营商环境"]
    assert second[4] == "区审计局" and second[9] is None and second[10] is None
    # Past its deadline (Friday 20 March) on Monday 30 March: six working days.
    assert second[11] == 6
    # A text that looks like a formula is text.
    assert ws["K3"].data_type == "s" and ws["K3"].value.startswith("区发展和改革局：=1+1")


def test_the_state_cell_is_filled_with_the_light(scene):
    _rows, book = export(scene.office, Filters(campaign=scene.campaign))
    ws = book.worksheets[0]
    lights = {row.number: row.light for row in ledger_rows(scene.office, Filters(campaign=scene.campaign), now=NOW)}

    assert lights["2"] == "red"  # overdue
    assert fill_of(ws["I4"]) == FILLS["red"][1:]
    assert "红灯" in ws["I4"].value
    assert fill_of(ws["I3"]) == FILLS[lights["1"]][1:]
    assert fill_of(ws["C4"]) is None


def test_an_extended_deadline_shows_the_original_one(scene):
    Task.objects.filter(pk=scene.task.pk).update(
        original_deadline=datetime.date(2026, 9, 30), deadline=datetime.date(2026, 10, 31)
    )
    _rows, book = export(scene.office, Filters(campaign=scene.campaign))
    ws = book.worksheets[0]

    assert [c.value for c in ws[2]][7:9] == ["完成时限", "原完成时限"]
    assert ws["I3"].value == datetime.datetime(2026, 9, 30)
    assert ws["I4"].value is None


def test_filters_by_section_unit_and_light(scene):
    first, second = scene.sections
    kind = get_kind("ledger")

    assert kind.count(scene.office, Filters(campaign=scene.campaign, section=second), now=NOW) == 1
    assert kind.count(scene.office, Filters(campaign=scene.campaign, unit=scene.support), now=NOW) == 1
    assert kind.count(scene.office, Filters(campaign=scene.campaign, state="red"), now=NOW) == 1
    assert kind.count(scene.office, Filters(campaign=scene.campaign, state="closed"), now=NOW) == 0
    rows, book = export(scene.office, Filters(campaign=scene.campaign, unit=scene.support))
    assert rows == 1 and book.worksheets[0]["A2"].value.startswith("单位")


def test_a_leader_sees_the_same_ledger_and_an_outsider_none(scene):
    assert get_kind("ledger").count(scene.leader, Filters(campaign=scene.campaign), now=NOW) == 2
    assert get_kind("ledger").count(scene.outsider, Filters(campaign=scene.campaign), now=NOW) == 0


def test_queries_do_not_grow_with_tasks(scene, django_assert_max_num_queries, assign):
    from ..factories import TaskFactory

    for number in range(3, 30):
        assign(TaskFactory(campaign=scene.campaign, number=str(number)), scene.lead)
    with django_assert_max_num_queries(10):
        rows, _book = export(scene.office, Filters(campaign=scene.campaign))
    assert rows == 29


def test_the_workbook_carries_the_campaign_and_its_phases(scene):
    _rows, book = export(scene.office, Filters(campaign=scene.campaign))

    assert book.sheetnames[1:] == ["活动信息", "阶段"]
    info = {row[0]: row[1] for row in book["活动信息"].iter_rows(min_row=2, values_only=True)}
    assert info["活动名称"] == scene.campaign.title
    assert info["开始日期"] == "2026-03-02" and info["报送截止"] == "周五 18:00"


def test_an_unknown_state_for_the_ledger_is_refused(scene):
    from exports.filters import FilterError

    with pytest.raises(FilterError) as caught:
        get_kind("ledger").count(scene.office, Filters(campaign=scene.campaign, state="missing"))
    assert caught.value.field == "state"
