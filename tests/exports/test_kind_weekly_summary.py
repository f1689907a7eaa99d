"""The weekly summary (周报汇总): one row per task × unit owing a report in a period."""

import datetime
import io

import pytest

from exports.filters import Filters
from exports.kinds import get_kind
from exports.xlsx import FILLS

from .export_world import NOW, build, data_rows, fill_of, read, submit

pytestmark = pytest.mark.django_db

HEADERS = ["序号", "任务编号", "任务名称", "单位", "角色", "报送内容", "完成进度", "报送时间", "报送情况", "审核状态",
           "内容雷同"]  # fmt: skip


@pytest.fixture
def scene(world):
    return build(world)


def export(user, filters, now=NOW):
    target = io.BytesIO()
    rows = get_kind("weekly-summary").write(user, filters, target, now=now)
    return rows, read(target).worksheets[0]


def test_the_last_due_period_by_default_one_row_per_task_and_unit(scene):
    rows, ws = export(scene.office, Filters(campaign=scene.campaign))

    assert rows == 3
    assert "周报汇总" in ws["A1"].value and "2026-W13" in ws["A2"].value
    assert [c.value for c in ws[3]] == HEADERS
    assert ws.freeze_panes == "A4"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    lead, support, other = data_rows(ws, 3)
    assert lead == [1, "1", scene.task.title, "区发展和改革局", "牵头", "=1+1", 40,
                    datetime.datetime(2026, 3, 27, 10, 0), "按时", "已报送", "雷同（100%）"]  # fmt: skip
    assert support[3:10] == ["区财政局", "配合", "@x", 15, datetime.datetime(2026, 3, 28, 9, 0), "迟报", "已报送"]
    assert other[1:] == ["2", "优化营商环境", "区审计局", "牵头", None, None, None, "未报送", None, None]
    # Report texts are text, never formulas; the 报送情况 cell carries its colour.
    assert ws["F4"].data_type == "s" and ws["F5"].data_type == "s"
    assert [fill_of(ws[f"I{row}"]) for row in (4, 5, 6)] == [FILLS[c][1:] for c in ("green", "yellow", "red")]


def test_a_named_period_and_a_state(scene):
    kind = get_kind("weekly-summary")
    third = scene.periods[3]

    assert kind.count(scene.office, Filters(campaign=scene.campaign, period=third), now=NOW) == 3
    assert kind.count(scene.office, Filters(campaign=scene.campaign, period=third, state="missing"), now=NOW) == 1
    assert kind.count(scene.office, Filters(campaign=scene.campaign, state="late"), now=NOW) == 1
    assert kind.count(scene.office, Filters(campaign=scene.campaign, unit=scene.support), now=NOW) == 1
    _rows, ws = export(scene.office, Filters(campaign=scene.campaign, period=third, state="on_time"))
    assert [row[5] for row in data_rows(ws, 3)] == ["=1+1", "-3"]


def test_a_range_of_periods_for_the_bench(scene):
    filters = Filters(campaign=scene.campaign, period=scene.periods[1], period_to=scene.periods[4])
    rows, ws = export(scene.office, filters)

    assert rows == 12 and ws["B3"].value == "周期"
    assert get_kind("weekly-summary").filename(filters) == f"周报汇总-{scene.campaign.code}-2026-W10--2026-W13.xlsx"


def test_a_draft_is_its_units_own(scene):
    fifth = scene.campaign.periods.get(number=5)
    submit(scene, scene.support, fifth, "草稿内容", when=datetime.datetime(2026, 3, 31, 9, tzinfo=NOW.tzinfo),
           submit=False)  # fmt: skip
    later = NOW + datetime.timedelta(days=5)  # Saturday 4 April: period 5 is due
    _rows, ws = export(scene.office, Filters(campaign=scene.campaign, period=fifth), now=later)
    support = next(row for row in data_rows(ws, 3) if row[3] == "区财政局")

    assert support[5] is None and support[8] == "未报送"


def test_an_outsider_sees_nothing_and_the_file_name_names_the_period(scene):
    kind = get_kind("weekly-summary")

    assert kind.count(scene.outsider, Filters(campaign=scene.campaign), now=NOW) == 0
    assert kind.count(scene.leader, Filters(campaign=scene.campaign), now=NOW) == 3
    assert kind.filename(Filters(campaign=scene.campaign), now=NOW) == f"周报汇总-{scene.campaign.code}-2026-W13.xlsx"


def test_before_any_period_is_due_there_is_nothing(scene):
    early = datetime.datetime(2026, 3, 3, 9, tzinfo=NOW.tzinfo)

    assert get_kind("weekly-summary").count(scene.office, Filters(campaign=scene.campaign), now=early) == 0


def test_one_query_for_the_rows(scene, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        rows, _ws = export(scene.office, Filters(campaign=scene.campaign, period=scene.periods[1],
                                                 period_to=scene.periods[4]))  # fmt: skip
    assert rows == 12
