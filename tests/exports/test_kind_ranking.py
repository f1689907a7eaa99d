"""The ranking export (考核排名), read back with openpyxl."""

import io

import openpyxl
import pytest

from assessment import services
from exports.filters import FilterError, Filters
from exports.kinds import get_kind
from tests.conftest import at
from tests.factories import ProgressReportFactory, SectionFactory

pytestmark = pytest.mark.django_db

NOW = at(2026, 3, 24)  # periods 1–3 due


@pytest.fixture
def ranked(world):
    w = world
    ProgressReportFactory(task=w.task, unit=w.lead, period=w.campaign.periods.get(number=1), status="submitted",
                          submitted_at=at(2026, 3, 6, 10))  # fmt: skip
    services.scores_compute(campaign=w.campaign, now=NOW)
    return w


def export(user, filters):
    target = io.BytesIO()
    rows = get_kind("ranking").write(user, filters, target, now=NOW)
    target.seek(0)
    return rows, openpyxl.load_workbook(target).active


def test_the_ranking_sheet_lists_units_by_rank_with_their_counts(ranked):
    w = ranked
    filters = Filters(campaign=w.campaign)
    kind = get_kind("ranking")
    assert kind.count(w.office, filters, now=NOW) == 3
    rows, ws = export(w.office, filters)
    assert rows == 3
    assert w.campaign.title in ws["A1"].value and "A1:L1" in {str(r) for r in ws.merged_cells.ranges}
    assert "第 3 期" in ws["A2"].value or "3" in ws["A2"].value
    headers = [cell.value for cell in ws[3]]
    assert headers[:6] == ["名次", "单位", "得分", "加分", "扣分", "按时报送率"] and headers[-2:] == ["漏报", "退回"]
    assert ws.freeze_panes == "A4"
    data = [[cell.value for cell in row] for row in ws.iter_rows(min_row=4)]
    assert [row[:3] for row in data] == [[1, "区发展和改革局", 96.5], [2, "区审计局", 94], [2, "区财政局", 94]]
    assert data[0][5:] == [pytest.approx(33.3), 3, 1, 1, 0, 2, 0]
    assert ws["K4"].fill.fgColor.rgb[-6:] == "FFC7CE"  # missing reports: the red fill
    assert kind.filename(filters, now=NOW).startswith("考核排名-")


def test_a_unit_filter_keeps_its_rank_among_all(ranked):
    w = ranked
    rows, ws = export(w.office, Filters(campaign=w.campaign, unit=w.other))
    assert rows == 1 and [cell.value for cell in ws[4]][:2] == [2, "区审计局"]


def test_a_unit_member_exports_only_its_own_row_and_tasks_filters_are_refused(ranked):
    w = ranked
    rows, ws = export(w.lead_liaison, Filters(campaign=w.campaign))
    assert rows == 1 and ws["B4"].value == "区发展和改革局"
    with pytest.raises(FilterError) as error:
        get_kind("ranking").count(w.office, Filters(campaign=w.campaign, section=SectionFactory(campaign=w.campaign)))
    assert error.value.field == "section"


def test_an_empty_campaign_writes_the_form_with_no_rows(world):
    rows, ws = export(world.office, Filters(campaign=world.campaign))
    assert rows == 0 and ws["A3"].value == "名次"
