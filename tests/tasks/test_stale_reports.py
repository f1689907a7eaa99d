"""Stale reports (内容雷同): on submission, a report the same or nearly the same as the unit's
previous filed report on the task is flagged, with how alike they are; the summary counts it."""

import pytest
from django.urls import reverse

from tasks import similarity
from tasks.ledger.models import PeriodUnitSummary
from tasks.models import ProgressReport
from tasks.services import report_review, report_save

from ..conftest import at
from ..factories import ProgressReportFactory

pytestmark = pytest.mark.django_db

WEEK3 = "完成项目前期手续，召开推进会一次，协调解决用地问题。"


def submit(world, period, progress, *, problems="", next_steps="", version=None, unit=None, when=None):
    unit = unit or world.lead
    return report_save(
        user=world.lead_liaison if unit == world.lead else world.support_liaison, task=world.task, unit=unit,
        period=period, submit=True, expected_version=version, progress=progress, problems=problems,
        next_steps=next_steps, now=when or at(2026, 3, 26, 9),
    )  # fmt: skip


def week3(world, text=WEEK3, **kwargs):
    return submit(world, world.previous_period, text, when=at(2026, 3, 19, 9), **kwargs)


def test_the_same_text_as_last_week_is_stale(world):
    week3(world, problems="资金缺口", next_steps="下周开工")
    report = submit(world, world.period, WEEK3, problems="资金缺口", next_steps="下周开工")
    assert (report.stale, report.similarity) == (True, 100)
    stored = ProgressReport.objects.get(pk=report.pk)
    assert stored.stale and stored.similarity == 100


def test_one_character_changed_is_still_stale(world):
    week3(world)
    report = submit(world, world.period, WEEK3.replace("一次", "两次"))
    assert report.stale and 90 <= report.similarity < 100


def test_spacing_and_punctuation_do_not_hide_a_copy(world):
    week3(world)
    report = submit(world, world.period, "完成项目前期手续 召开推进会一次; 协调解决用地问题")
    assert (report.stale, report.similarity) == (True, 100)


def test_a_different_report_is_not_stale(world):
    week3(world)
    report = submit(world, world.period, "开工仪式已举行，完成桩基施工三十根，下周浇筑承台。")
    assert not report.stale and report.similarity < 90


def test_the_first_report_ever_is_never_stale(world):
    report = week3(world)
    assert (report.stale, report.similarity) == (False, None)


def test_a_draft_of_last_week_is_not_a_previous_report(world):
    report_save(
        user=world.lead_liaison, task=world.task, unit=world.lead, period=world.previous_period, submit=False,
        expected_version=None, progress=WEEK3, now=at(2026, 3, 19, 9),
    )  # fmt: skip
    report = submit(world, world.period, WEEK3)
    assert (report.stale, report.similarity) == (False, None)


def test_another_units_report_is_not_compared(world):
    submit(world, world.previous_period, WEEK3, unit=world.support, when=at(2026, 3, 19, 9))
    report = submit(world, world.period, WEEK3)
    assert not report.stale


def test_a_fix_after_a_return_is_compared_with_the_previous_period_not_with_itself(world):
    week3(world)
    report = submit(world, world.period, "本周完成招标文件编制，挂网公告。")
    assert not report.stale
    report_review(user=world.office, report_id=report.pk, accept=False, comment="请补充。", now=at(2026, 3, 26, 10))
    # Resubmitted unchanged: the same as itself, but not as week 3 — not stale.
    fixed = submit(world, world.period, "本周完成招标文件编制，挂网公告。", version=report.version + 1,
                   when=at(2026, 3, 26, 11))  # fmt: skip
    assert not fixed.stale
    report_review(user=world.office, report_id=fixed.pk, accept=False, comment="请补充。", now=at(2026, 3, 26, 12))
    # Resubmitted as week 3's text: stale, and the summary counts it once.
    again = submit(world, world.period, WEEK3, version=fixed.version + 1, when=at(2026, 3, 26, 13))
    assert again.stale
    row = PeriodUnitSummary.objects.get(period=world.period, unit=world.lead, role="lead")
    assert (row.stale, row.resubmitted) == (1, 1)


def test_nothing_but_punctuation_twice_is_stale(world):
    week3(world, "。")
    report = submit(world, world.period, "……")
    assert (report.stale, report.similarity) == (True, 100)


def test_the_summary_counts_stale_filed_reports(world):
    week3(world)
    submit(world, world.period, WEEK3)
    assert PeriodUnitSummary.objects.get(period=world.period, unit=world.lead, role="lead").stale == 1
    assert PeriodUnitSummary.objects.get(period=world.previous_period, unit=world.lead, role="lead").stale == 0


def test_the_comparison_itself():
    assert similarity.compare("", "") == (True, 100)
    assert similarity.normalised("Ａ  b，C！") == "abc"
    stale, percent = similarity.compare("甲乙丙丁戊己庚辛壬癸", "甲乙丙丁戊己庚辛壬子")
    assert stale and percent == 90
    assert similarity.compare("甲乙丙丁", "子丑寅卯") == (False, 0)


def test_the_office_sees_the_flag_with_its_percent_in_the_review_queue(client, reporting):
    r = reporting
    earlier = r.campaign.periods.get(number=r.past.number - 1)
    ProgressReportFactory(
        task=r.task, unit=r.lead, period=earlier, status="accepted", submitted_at=earlier.due_at, progress=WEEK3
    )
    ProgressReportFactory(
        task=r.task, unit=r.lead, period=r.past, status="submitted", submitted_at=r.past.due_at, progress=WEEK3,
        stale=True, similarity=97,
    )  # fmt: skip
    ProgressReportFactory(
        task=r.task, unit=r.support, period=r.past, status="submitted", submitted_at=r.past.due_at, progress="新内容"
    )
    client.force_login(r.office)
    page = client.get(reverse("tasks:review", args=[r.campaign.code]) + f"?period={r.past.number}")
    content = page.content.decode()
    assert content.count("内容雷同 97%") == 2  # the row's badge, and the report's details
    assert "与本单位本任务上期报告相似 97%" in content
    assert content.count("内容雷同") == 2  # the other unit's report carries no flag
