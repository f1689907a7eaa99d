"""The draft's figures and texts come from the ledger: counts, rates, the units named in the right
group in the directory's order (units that filed nothing included), overdue tasks with their lead
units, open coordination requests; a range with nothing due says so."""

import pytest

from bulletins.figures import compute
from bulletins.services import bulletin_draft
from campaigns.services import ensure_reporting_periods

from ..factories import CampaignFactory
from .bulletin_world import NOW

pytestmark = pytest.mark.django_db


def test_figures_of_one_week(bw):
    f = compute(bw.world.campaign, bw.period, bw.period, now=NOW)
    assert f["tasks"] == {
        "total": 3, "closed": 0, "open": 3, "overdue": 1, "closed_rate": 0, "open_rate": 100, "overdue_rate": 33,
    }  # fmt: skip
    reports = f["reports"]
    assert (reports["owed"], reports["on_time"], reports["late"], reports["missing"]) == (4, 1, 1, 2)
    assert reports["on_time_rate"] == 25
    assert f["units"] == {"on_time": ["区发展和改革局"], "late": ["区财政局"], "missing": ["区审计局", "区统计局"]}
    assert f["overdue_tasks"] == [
        {"number": "2", "title": "优化营商环境", "deadline": "2026-03-10", "workdays": 9, "lead_units": ["区审计局"]}
    ]
    assert f["coordination"] == [
        {"number": "1", "title": bw.world.task.title, "unit": "区发展和改革局", "request": "请协调用地指标"}
    ]


def test_a_unit_late_one_week_and_missing_another_is_named_missing(bw):
    p2 = bw.world.campaign.periods.get(number=2)
    f = compute(bw.world.campaign, p2, bw.period, now=NOW)
    # Nobody filed week 2: everyone missed something.
    assert f["units"]["missing"] == ["区审计局", "区统计局", "区发展和改革局", "区财政局"]
    assert f["reports"]["owed"] == 8 and f["range"]["periods"] == 2


def test_the_draft_texts_quote_the_figures(bw):
    bulletin = bulletin_draft(campaign=bw.world.campaign, period_from=bw.period, period_to=bw.period, now=NOW)
    assert "3项" in bulletin.overview and "4份" in bulletin.overview and "25%" in bulletin.overview
    assert bulletin.named_lists == (
        "按时报送的单位：区发展和改革局；迟报的单位：区财政局；未报送的单位：区审计局、区统计局。"
    )
    assert "优化营商环境" in bulletin.overdue_text and "牵头单位：区审计局" in bulletin.overdue_text
    # Working days, as the pages and the ledger export count them (13 calendar days here).
    assert "已超期9个工作日" in bulletin.overdue_text
    assert "请协调用地指标" in bulletin.overdue_text
    assert bulletin.is_draft and bulletin.number is None


def test_a_campaign_with_no_reports_gives_a_draft_saying_so(db):
    campaign = CampaignFactory()
    ensure_reporting_periods(campaign)
    period = campaign.periods.get(number=1)
    bulletin = bulletin_draft(campaign=campaign, period_from=period, period_to=period, now=NOW)
    assert "没有应报送" in bulletin.overview
    assert bulletin.named_lists == "本期没有单位需要报送进展报表。"
    assert bulletin.figures["tasks"]["total"] == 0


def test_figures_take_a_fixed_number_of_queries(bw, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        compute(bw.world.campaign, bw.period, bw.period, now=NOW)
