"""assessment.rules, rule by rule, with no database."""

import datetime
from decimal import Decimal as D

from assessment import rules
from assessment.models import RuleSet


def make(**overrides):
    return rules.Rules(**{**RuleSet.DEFAULTS, **overrides})


def only(found, code, role=""):
    [line] = [line for line in found if line["code"] == code and line["role"] == role]
    return line


def test_each_report_line_is_priced_by_its_rule():
    found = rules.lines(rules.Counts(owed=9, on_time=4, late=2, missing=3, returns=1), make())
    assert only(found, rules.ON_TIME) == {"code": "on_time", "role": "", "count": 4, "points_each": "0.5",
                                          "coefficient": "1", "total": "2.00", "tasks": []}  # fmt: skip
    assert only(found, rules.LATE)["total"] == "-2.00"
    assert only(found, rules.MISSING)["total"] == "-6.00"
    assert only(found, rules.RETURNED)["total"] == "-0.50"
    assert rules.points(found) == (D("2.00"), D("8.50"))


def test_a_line_worth_nothing_is_left_out():
    assert rules.lines(rules.Counts(owed=2, on_time=2), make()) == [
        {"code": "on_time", "role": "", "count": 2, "points_each": "0.5", "coefficient": "1", "total": "1.00",
         "tasks": []}
    ]  # fmt: skip
    assert rules.lines(rules.Counts(), make()) == []


def test_task_lines_use_the_lead_and_support_coefficients():
    counts = rules.Counts(
        overdue={"lead": ["2", "10"], "support": ["3"]}, closed_on_time={"lead": ["1"], "support": ["1", "5.2"]}
    )
    found = rules.lines(counts, make())
    assert only(found, rules.OVERDUE_TASK, "lead")["total"] == "-6.00"  # 2 × 3 × 1.0
    assert only(found, rules.OVERDUE_TASK, "lead")["tasks"] == ["2", "10"]  # natural order
    assert only(found, rules.OVERDUE_TASK, "support")["total"] == "-1.50"  # 3 × 0.5
    assert only(found, rules.CLOSED_ON_TIME, "lead")["total"] == "2.00"
    assert only(found, rules.CLOSED_ON_TIME, "support")["total"] == "2.00"  # 2 × 2 × 0.5
    assert only(found, rules.CLOSED_ON_TIME, "support")["coefficient"] == "0.5"


def test_light_weeks_count_for_the_lead_unit():
    found = rules.lines(rules.Counts(yellow_weeks=["1", "2"], red_weeks=["3"]), make(lead_coefficient=D("2")))
    assert only(found, rules.YELLOW_WEEK, "lead")["total"] == "-0.80"  # 2 × 0.2 × 2
    assert only(found, rules.RED_WEEK, "lead")["total"] == "-1.00"


def test_the_score_is_the_base_plus_bonus_minus_deduction():
    assert rules.score(make(), D("5"), D("7.5")) == D("97.50")


def test_caps_apply_to_the_totals():
    rule = make(max_bonus=D("10"), max_deduction=D("30"), min_score=D("60"), max_score=D("105"))
    assert rules.score(rule, D("50"), D("0")) == D("105.00")  # bonus capped at 10, then the max score
    assert rules.score(make(max_bonus=D("10")), D("50"), D("0")) == D("110.00")
    assert rules.score(rule, D("0"), D("80")) == D("70.00")  # deduction capped at 30
    assert rules.score(make(max_deduction=None, min_score=D("60")), D("0"), D("80")) == D("60.00")
    assert rules.score(make(min_score=None, max_bonus=None), D("0"), D("150")) == D("-50.00")


def test_the_default_extension_rule_keeps_the_original_deadline_unless_approved_before_it():
    original, extended = datetime.date(2026, 6, 30), datetime.date(2026, 9, 30)
    before = [(datetime.date(2026, 6, 20), extended)]
    after = [(datetime.date(2026, 7, 5), extended)]
    kw = {"current": extended, "original": original}
    assert rules.effective_deadline(**kw, approvals=before, rule=rules.ORIGINAL) == extended
    assert rules.effective_deadline(**kw, approvals=after, rule=rules.ORIGINAL) == original
    assert rules.effective_deadline(**kw, approvals=after, rule=rules.CURRENT) == extended
    # A second extension approved after the first extended deadline does not count either.
    later = datetime.date(2026, 12, 31)
    both = [*before, (datetime.date(2026, 10, 8), later)]
    assert rules.effective_deadline(current=later, original=original, approvals=both, rule=rules.ORIGINAL) == extended
    assert rules.effective_deadline(current=None, original=None, approvals=[], rule=rules.ORIGINAL) is None


def test_an_overdue_task_is_deducted_once_in_the_first_period_due_after_its_deadline():
    periods = [(1, datetime.date(2026, 3, 6)), (2, datetime.date(2026, 3, 13)), (3, datetime.date(2026, 3, 20))]
    deadline = datetime.date(2026, 3, 10)
    assert rules.overdue_period(deadline, None, periods) == 2
    assert rules.overdue_period(deadline, datetime.date(2026, 3, 11), periods) == 2  # closed late
    assert rules.overdue_period(deadline, datetime.date(2026, 3, 10), periods) is None  # closed in time
    assert rules.overdue_period(datetime.date(2026, 3, 13), None, periods) == 3  # due on the deadline day: not yet
    assert rules.overdue_period(datetime.date(2026, 4, 30), None, periods) is None
    assert rules.overdue_period(None, None, periods) is None


def test_a_closing_falls_in_the_first_period_due_at_or_after_it():
    tz = datetime.timezone(datetime.timedelta(hours=8))
    due = [(1, datetime.datetime(2026, 3, 6, 18, tzinfo=tz)), (2, datetime.datetime(2026, 3, 13, 18, tzinfo=tz))]
    assert rules.closing_period(datetime.datetime(2026, 3, 6, 18, tzinfo=tz), due) == 1
    assert rules.closing_period(datetime.datetime(2026, 3, 6, 19, tzinfo=tz), due) == 2
    assert rules.closing_period(datetime.datetime(2026, 5, 1, tzinfo=tz), due) == 2  # after the last: the last
    assert rules.closed_on_time(datetime.date(2026, 3, 10), datetime.date(2026, 3, 10))
    assert not rules.closed_on_time(datetime.date(2026, 3, 10), datetime.date(2026, 3, 11))
    assert not rules.closed_on_time(datetime.date(2026, 3, 10), None)


def standing(unit, score, owed=10, on_time=5, missing=0, order=None):
    return rules.Standing(unit, D(score), owed, on_time, missing, order or (unit, f"单位{unit}"))


def test_true_ties_share_a_rank_and_the_next_rank_skips():
    ranked = rules.rank([standing(1, "90"), standing(2, "95"), standing(3, "90"), standing(4, "80")], rules.SHARED)
    assert [(place, s.unit_id) for place, s in ranked] == [(1, 2), (2, 1), (2, 3), (4, 4)]


def test_ties_break_by_on_time_rate_then_fewer_missing_then_share_a_rank():
    ranked = rules.rank(
        [
            standing(1, "90", on_time=5),
            standing(2, "90", on_time=8),
            standing(3, "90", on_time=5, missing=2),
            standing(4, "90", owed=20, on_time=10),  # 50% too, no missing: ties with unit 1
            standing(5, "70"),
        ],
        rules.ON_TIME_RATE,
    )
    assert [(place, s.unit_id) for place, s in ranked] == [(1, 2), (2, 1), (2, 4), (4, 3), (5, 5)]


def test_equals_are_listed_in_the_directorys_order():
    ranked = rules.rank([standing(1, "90", order=(5, "乙")), standing(2, "90", order=(1, "甲"))], rules.SHARED)
    assert [s.unit_id for _place, s in ranked] == [2, 1]
    assert standing(1, "90", owed=3, on_time=2).on_time_rate == D("66.7")
    assert standing(1, "90", owed=0, on_time=0).on_time_rate is None
