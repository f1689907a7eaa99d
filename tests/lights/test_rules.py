"""The light rules at every boundary (lights.rules.judge), on the real working-day calendar:
weekends, the 2026 National Day holiday and its make-up working Saturday (调休)."""

import datetime

import pytest
from django.utils import translation

from common.workdays import WorkCalendar
from lights import rules
from lights.explain import sentences
from lights.models import Light
from tasks.ledger.read_lights import UnitMark

pytestmark = pytest.mark.django_db

D = datetime.date
START = D(2026, 3, 2)
FAR = D(2026, 12, 31)


def judge(today, deadline=FAR, *, status="open", findings=None, rule=rules.DEFAULT, **facts):
    task = rules.TaskFacts(1, facts.pop("start", START), status, deadline, **facts)
    calendar = WorkCalendar(min(today, deadline or today), max(today, deadline or today))
    return rules.judge(task, findings or rules.Findings(), rule, today=today, calendar=calendar)


def codes(result):
    return [reason["code"] for reason in result[1]]


def zh(result):
    with translation.override("zh-hans"):
        return sentences(result[1])


# ---- the deadline -------------------------------------------------------------------------------


def test_deadline_yesterday_is_red_today_and_tomorrow_yellow():
    monday = D(2026, 3, 9)
    assert judge(monday, D(2026, 3, 8))[0] == Light.RED  # Sunday: passed
    assert judge(monday, monday)[0] == Light.YELLOW
    assert zh(judge(monday, monday)) == ["黄灯：完成时限 2026-03-09 为今天"]
    assert judge(monday, D(2026, 3, 10))[0] == Light.YELLOW
    assert zh(judge(monday, D(2026, 3, 10))) == ["黄灯：距完成时限还有 1 个工作日"]


def test_a_passed_deadline_counts_working_days_after_it():
    result = judge(D(2026, 11, 25), D(2026, 10, 31))
    assert result[0] == Light.RED and codes(result) == [rules.DEADLINE_PASSED]
    assert zh(result) == ["红灯：完成时限 2026-10-31 已过 18 个工作日，未办结"]
    # The Saturday after a Friday deadline: passed, by no working day yet.
    assert judge(D(2026, 3, 7), D(2026, 3, 6))[1][0]["params"]["workdays"] == 0


def test_exactly_n_working_days_away_across_a_weekend():
    monday = D(2026, 3, 9)
    assert judge(monday, D(2026, 3, 16))[0] == Light.YELLOW  # Tue–Fri and Monday: 5
    assert judge(monday, D(2026, 3, 17))[0] == Light.GREEN  # 6
    assert judge(monday, D(2026, 3, 17), rule=rules.Thresholds(yellow_within_workdays=6))[0] == Light.YELLOW


def test_exactly_n_working_days_away_across_national_day():
    # 30 Sep, 8, 9, 10 (make-up Saturday) and 12 October: five working days in two weeks.
    tuesday = D(2026, 9, 29)
    assert zh(judge(tuesday, D(2026, 10, 12))) == ["黄灯：距完成时限还有 5 个工作日"]
    assert judge(tuesday, D(2026, 10, 13))[0] == Light.GREEN


def test_a_make_up_working_saturday_counts():
    friday = D(2026, 10, 9)
    # Saturday 10 October is worked: Thursday the 15th is the fifth working day, Friday the sixth.
    assert judge(friday, D(2026, 10, 15))[0] == Light.YELLOW
    assert judge(friday, D(2026, 10, 16))[0] == Light.GREEN


def test_a_task_without_deadline_has_no_deadline_light():
    assert judge(D(2026, 3, 9), None) == (Light.GREEN, [])


# ---- missing reports, returns ---------------------------------------------------------------------


def streak(count):
    return rules.Findings(streaks=[UnitMark(7, "区发改委", "missing", count=count)])


def test_n_minus_one_missing_in_a_row_is_not_red_n_is():
    today = D(2026, 3, 9)
    assert judge(today, findings=streak(1))[0] == Light.GREEN
    red = judge(today, findings=streak(2))
    assert red[0] == Light.RED and zh(red) == ["红灯：区发改委连续 2 期未报送"]
    assert judge(today, findings=streak(2), rule=rules.Thresholds(red_missing_periods=3))[0] == Light.GREEN


def test_the_last_periods_report_missing_late_or_returned_is_yellow():
    today = D(2026, 3, 9)
    for what, text in [("missing", "黄灯：区财政局第 1 期未报送"), ("late", "黄灯：区财政局第 1 期逾期报送"),
                       ("returned", "黄灯：区财政局第 1 期报送被退回")]:  # fmt: skip
        findings = rules.Findings(last_period=[UnitMark(8, "区财政局", what, period_number=1)])
        result = judge(today, findings=findings)
        assert result[0] == Light.YELLOW and zh(result) == [text], what


def test_a_missing_report_said_in_red_is_not_said_again_in_yellow():
    findings = rules.Findings(
        streaks=[UnitMark(7, "区发改委", "missing", count=2)],
        last_period=[UnitMark(7, "区发改委", "missing", period_number=2)],
    )
    assert codes(judge(D(2026, 3, 9), findings=findings)) == [rules.MISSING_IN_A_ROW]


def test_a_fix_overdue_is_red():
    findings = rules.Findings(
        fix_overdue=[UnitMark(7, "区发改委", "fix_overdue", when=D(2026, 3, 25), period_number=3)],
        last_period=[UnitMark(7, "区发改委", "returned", period_number=3)],
    )
    result = judge(D(2026, 3, 26), findings=findings)
    assert result[0] == Light.RED and codes(result) == [rules.FIX_OVERDUE]
    assert zh(result) == ["红灯：区发改委第 3 期报送被退回，未在 2026-03-25 前整改重报"]


# ---- progress behind time ---------------------------------------------------------------------------


def test_progress_exactly_m_points_behind_is_green_m_plus_one_yellow():
    # 100 days from the campaign's start to the deadline, 50 passed: 50% of the time elapsed.
    today, deadline = START + datetime.timedelta(days=50), START + datetime.timedelta(days=100)
    assert judge(today, deadline, findings=rules.Findings(lead_percent=30))[0] == Light.GREEN
    behind = judge(today, deadline, findings=rules.Findings(lead_percent=29))
    assert behind[0] == Light.YELLOW and zh(behind) == ["黄灯：进度 29%，落后时间进度 21 个百分点"]
    tuned = rules.Thresholds(yellow_behind_points=25)
    assert judge(today, deadline, findings=rules.Findings(lead_percent=29), rule=tuned)[0] == Light.GREEN


def test_no_reported_progress_is_no_progress_light():
    today, deadline = START + datetime.timedelta(days=90), START + datetime.timedelta(days=100)
    assert rules.BEHIND not in codes(judge(today, deadline, findings=rules.Findings(lead_percent=None)))


def test_elapsed_percent_is_bounded():
    assert rules.elapsed_percent(START, D(2026, 6, 10), D(2026, 1, 1)) == 0
    assert rules.elapsed_percent(START, D(2026, 6, 10), D(2026, 12, 1)) == 100


# ---- closed, attention, order -------------------------------------------------------------------------


def test_a_closed_task_is_closed_whatever_else():
    import zoneinfo

    closed_at = datetime.datetime(2026, 10, 20, 23, 30, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
    result = judge(D(2026, 11, 25), D(2026, 10, 31), status="closed", closed_at=closed_at, findings=streak(5),
                   attention=True)  # fmt: skip
    assert result[0] == Light.CLOSED and zh(result) == ["已于 2026-10-20 办结"]


def test_attention_starts_a_task_at_yellow_and_says_so():
    result = judge(D(2026, 3, 9), attention=True)
    assert result[0] == Light.YELLOW and zh(result) == ["黄灯：督查室标记为需领导关注"]
    noted = judge(D(2026, 3, 9), attention=True, attention_note="涉及征地")
    assert zh(noted) == ["黄灯：督查室标记为需领导关注（涉及征地）"]


def test_every_reason_is_listed_worst_first():
    findings = rules.Findings(
        streaks=[UnitMark(7, "区发改委", "missing", count=3)],
        last_period=[UnitMark(8, "区财政局", "late", period_number=4)],
        lead_percent=0,
    )
    result = judge(D(2026, 11, 25), D(2026, 10, 31), findings=findings, attention=True)
    assert result[0] == Light.RED
    assert codes(result) == [rules.DEADLINE_PASSED, rules.MISSING_IN_A_ROW, rules.BEHIND, rules.LAST_LATE,
                             rules.ATTENTION]  # fmt: skip
