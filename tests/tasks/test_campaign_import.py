"""Importing task breakdown workbooks: the shared campaigns, sheet variations, and bad input."""

import datetime
import re

import pytest
from django.core.management import CommandError, call_command

from campaigns.models import Campaign, Phase, ReportingPeriod, Section
from tasks.campaign_import.services import CampaignImportError, campaign_import
from tasks.models import Task, TaskAssignment
from units.models import Leader

from ..sheets import EFFICIENCY_2026, INFO, STRICT_2022, task, workbook_bytes

pytestmark = pytest.mark.django_db


def import_file(path, **kwargs):
    return campaign_import(path.read_bytes(), filename=path.name, **kwargs)


def refused(data, **kwargs):
    """Import and expect a refusal; return the issues as strings."""
    with pytest.raises(CampaignImportError) as caught:
        campaign_import(data, filename="sheet.xlsx", **kwargs)
    return [str(issue) for issue in caught.value.issues]


def nothing_written():
    return not (Campaign.objects.exists() or Task.objects.exists() or TaskAssignment.objects.exists())


# ---- the shared campaigns --------------------------------------------------------------------


def test_strict_supervision_2022_imports_nine_tasks_in_three_sections(unit_directory):
    result = import_file(STRICT_2022, code="strict-2022")

    campaign = Campaign.objects.get(code="strict-2022")
    assert result.campaign_action == "new"
    assert campaign.document_number == "大政办发〔2022〕3号"
    assert (campaign.start_date, campaign.end_date) == (datetime.date(2022, 1, 27), datetime.date(2022, 12, 31))
    assert campaign.office_unit.name == "区政府办公室"
    assert (campaign.due_weekday, campaign.due_time) == (4, datetime.time(18, 0))
    assert campaign.tasks.count() == 9
    assert Section.objects.filter(campaign=campaign).count() == 3
    assert list(campaign.sections.values_list("title", flat=True))[0].startswith("（一）强规范")
    assert campaign.tasks.filter(section__isnull=True).count() == 0
    first = campaign.tasks.get(number="1")
    assert [a.unit.name for a in first.assignments.filter(role="lead").order_by("sort_order")] == [
        "区政府办公室",
        "区司法局",
        "区市场监督管理局",
    ]
    # 各镇街(经济园区) and 区政府各部门 expand to their members; a lead unit is not also support.
    supporting = set(first.assignments.filter(role="support").values_list("unit__name", flat=True))
    assert {"城关镇", "东城街道", "西城街道", "临港经济开发区管委会", "区财政局"} <= supporting
    assert "区政府办公室" not in supporting
    assert first.deadline == datetime.date(2022, 12, 31)


def test_efficiency_year_2026_imports_nineteen_tasks_with_seven_sub_items_and_three_phases(unit_directory):
    import_file(EFFICIENCY_2026, code="efficiency-2026")

    campaign = Campaign.objects.get(code="efficiency-2026")
    assert campaign.tasks.count() == 19
    assert campaign.tasks.filter(parent__isnull=False).count() == 7
    assert list(campaign.phases.values_list("name", flat=True)) == [
        "学习教育、深化认识阶段",
        "分项推进、全面实施阶段",
        "总结考核、完善提高阶段",
    ]
    assert campaign.office_unit is None and "领导小组办公室" in campaign.office_name
    sub_item = campaign.tasks.get(number="5.2")
    assert sub_item.parent.number == "5"
    assert sub_item.phase.name == "分项推进、全面实施阶段"
    assert sub_item.deadline == datetime.date(2026, 10, 31)
    # Short names resolve: 区发改委 → 区发展和改革局, 区工商局 → 区市场监督管理局, 区纪委(监察局) → 区纪委监委.
    assert sub_item.assignments.get(role="lead").unit.name == "区发展和改革局"
    assert set(sub_item.assignments.filter(role="support").values_list("unit__name", flat=True)) == {
        "区纪委监委",
        "区民政局",
        "区市场监督管理局",
    }
    # Natural order of numbers, straight from the database.
    assert list(campaign.tasks.values_list("number", flat=True)) == [
        "1", "2", "3", "4", "5", "5.1", "5.2", "5.3", "6", "7", "8", "9",
        "10", "10.1", "10.2", "11", "11.1", "11.2", "12",
    ]  # fmt: skip


def test_import_derives_weekly_reporting_periods_due_friday_1800(unit_directory):
    import_file(EFFICIENCY_2026, code="efficiency-2026")

    periods = ReportingPeriod.objects.filter(campaign__code="efficiency-2026").order_by("number")
    first, last = periods.first(), periods.last()
    # The campaign starts on Monday 9 February 2026: the first period ends Friday 13 February.
    assert (first.start_date, first.end_date) == (datetime.date(2026, 2, 9), datetime.date(2026, 2, 13))
    assert first.due_at.isoformat() == "2026-02-13T10:00:00+00:00"  # 18:00 in Asia/Shanghai
    assert last.end_date == datetime.date(2026, 12, 30)
    assert all(p.end_date.weekday() == 4 for p in periods[: periods.count() - 1])


def test_dry_run_writes_nothing(unit_directory):
    result = import_file(EFFICIENCY_2026, dry_run=True)

    assert result.dry_run and result.count("new") == 19
    assert nothing_written()
    assert not Phase.objects.exists() and not ReportingPeriod.objects.exists()


def test_reimporting_the_same_sheet_changes_nothing(unit_directory):
    import_file(EFFICIENCY_2026, code="efficiency-2026")
    before = list(Task.objects.values_list("pk", "updated_at").order_by("pk"))
    assignments = TaskAssignment.objects.count()

    result = import_file(EFFICIENCY_2026, code="efficiency-2026")

    assert result.campaign_action == "unchanged"
    assert result.count("unchanged") == 19 and result.count("new") == result.count("update") == 0
    assert list(Task.objects.values_list("pk", "updated_at").order_by("pk")) == before
    assert TaskAssignment.objects.count() == assignments
    assert Campaign.objects.count() == 1


def test_reimport_without_code_finds_the_campaign_by_document_number(unit_directory):
    import_file(STRICT_2022)
    import_file(STRICT_2022)
    assert Campaign.objects.count() == 1 and Task.objects.count() == 9


def test_edited_sheet_updates_tasks_in_place(unit_directory):
    rows = [task("1", "原任务名称", support="区财政局"), task("2", "第二项")]
    campaign_import(workbook_bytes(rows), code="edit")
    task_pk = Task.objects.get(number="1").pk

    rows[0] = task("1", "修改后的任务名称", support="区审计局", deadline="2026年11月30日")
    rows.append(task("3", "新增任务"))
    result = campaign_import(workbook_bytes(rows), code="edit")

    edited = Task.objects.get(number="1")
    assert edited.pk == task_pk
    assert edited.title == "修改后的任务名称" and edited.deadline == datetime.date(2026, 11, 30)
    assert list(edited.assignments.filter(role="support").values_list("unit__name", flat=True)) == ["区审计局"]
    assert [(t.number, t.action) for t in result.tasks] == [("1", "update"), ("2", "unchanged"), ("3", "new")]
    assert {"title", "deadline", "units"} <= set(result.tasks[0].changed)
    assert Task.objects.count() == 3


def test_named_leaders_are_linked_and_created_once(unit_directory):
    rows = [task("1", leaders="王立新、李静"), task("2", leaders="王立新")]
    result = campaign_import(workbook_bytes(rows), code="leaders")
    campaign_import(workbook_bytes(rows), code="leaders")

    assert sorted(result.new_leaders) == ["李静", "王立新"]
    assert Leader.objects.count() == 2
    assert sorted(Task.objects.get(number="1").leaders.values_list("name", flat=True)) == ["李静", "王立新"]


# ---- variations real sheets have -------------------------------------------------------------


def test_sheet_variations_are_tolerated(unit_directory):
    headers = ["序号", "任务名称", "工作内容", "牵头部门", "责任单位", "完成时间"]
    rows = [
        ["（一）强化规范", None, None, None, None, None],  # a section heading row, merged across
        ["1", "任务一", "内容", "区發展和改革局", "区纪委（监察局）， 区财政局;区审计局", "2026/10/31"],
        ["2", "任务二", "内容", "区政府办", "区民政局\n区司法局", "2026年10月底"],
        ["2(1)", "子项一", "内容", "区 财政局", "区行政审批中心", "10月31日"],
        [3.0, "任务三", "内容", "区审计局", "", 46326],
        ["3.1", "子项", "内容", "区审计局", "", "长期坚持"],
    ]
    data = workbook_bytes(
        [r for r in rows], headers=headers, title_rows=("", "某某任务分解表"), merges=("A4:F4",), phases=None
    )

    result = campaign_import(data, code="variants")

    assert result.count("new") == 5
    campaign = Campaign.objects.get(code="variants")
    assert list(campaign.sections.values_list("title", flat=True)) == ["（一）强化规范"]
    first = campaign.tasks.get(number="1")
    assert first.section.title == "（一）强化规范"
    assert first.assignments.get(role="lead").unit.name == "区发展和改革局"  # traditional 發
    assert set(first.assignments.filter(role="support").values_list("unit__name", flat=True)) == {
        "区纪委监委", "区财政局", "区审计局",
    }  # fmt: skip
    assert campaign.tasks.get(number="2").deadline == datetime.date(2026, 10, 31)
    assert campaign.tasks.get(number="2.1").parent.number == "2"
    assert campaign.tasks.get(number="2.1").deadline == datetime.date(2026, 10, 31)
    assert campaign.tasks.get(number="3").deadline == datetime.date(2026, 10, 31)  # Excel serial date
    assert campaign.tasks.get(number="3.1").deadline is None


def test_only_responsible_units_column_means_lead_units(unit_directory):
    headers = ["序号", "任务名称", "责任单位", "完成时限"]
    campaign_import(workbook_bytes([["1", "任务", "区财政局、区审计局", "2026-10-31"]], headers=headers), code="resp")
    assert set(TaskAssignment.objects.values_list("unit__name", "role")) == {
        ("区财政局", "lead"),
        ("区审计局", "lead"),
    }


def test_vertically_merged_cells_apply_to_every_row(unit_directory):
    rows = [
        task("1", section="（一）分类甲", lead="区财政局"),
        task("2", section=None, lead=None),
        task("3", section="（二）分类乙"),
    ]
    # B3:B4 merges the section of tasks 1 and 2, E3:E4 their lead unit.
    campaign_import(workbook_bytes(rows, merges=("B3:B4", "E3:E4")), code="merged")
    second = Task.objects.get(number="2")
    assert second.section.title == "（一）分类甲"
    assert second.assignments.get(role="lead").unit.name == "区财政局"


def test_campaign_fields_come_from_the_title_row_when_the_info_sheet_is_missing(unit_directory):
    data = workbook_bytes(
        [task("1", deadline="2026-12-31")],
        info=None,
        title_rows=("全区“测试”专项行动任务分解表（测政发〔2026〕9号）",),
    )
    campaign_import(data, code="no-info")
    campaign = Campaign.objects.get(code="no-info")
    assert campaign.title == "全区“测试”专项行动"
    assert campaign.document_number == "测政发〔2026〕9号"
    assert (campaign.start_date, campaign.end_date) == (datetime.date(2026, 3, 1), datetime.date(2026, 10, 31))


# ---- bad input: refused with its location, nothing written ----------------------------------


def test_unknown_unit_is_refused_with_the_closest_names(unit_directory):
    issues = refused(workbook_bytes([task("1"), task("2", lead="区财政", support="区发改局、区不存在局")]))
    assert all(re.search(r"第\s*4\s*行|row 4", i) for i in issues), issues
    assert any("区财政" in i and "区财政局" in i for i in issues), issues
    assert any("区不存在局" in i for i in issues), issues
    assert nothing_written()


def test_duplicate_task_numbers_are_refused(unit_directory):
    issues = refused(workbook_bytes([task("1"), task("2"), task("2")]))
    assert len(issues) == 1 and "2" in issues[0] and ("5" in issues[0])  # row 5 repeats row 4
    assert nothing_written()


def test_sub_item_without_parent_is_refused(unit_directory):
    issues = refused(workbook_bytes([task("1"), task("4.1")]))
    assert len(issues) == 1 and "4.1" in issues[0] and "4" in issues[0]
    assert nothing_written()


def test_deadline_that_is_not_a_date_is_refused(unit_directory):
    issues = refused(workbook_bytes([task("1"), task("2", deadline="年底前")]))
    assert len(issues) == 1
    assert "年底前" in issues[0] and "完成时限" in issues[0] and ("H" in issues[0])
    assert nothing_written()


def test_one_bad_row_among_good_ones_writes_nothing(unit_directory):
    rows = [task(str(n)) for n in range(1, 30)] + [task("30", lead="不存在的单位")]
    refused(workbook_bytes(rows))
    assert nothing_written()


def test_a_bad_reimport_leaves_the_campaign_as_it_was(unit_directory):
    campaign_import(workbook_bytes([task("1", "原名称")]), code="keep")
    refused(workbook_bytes([task("1", "新名称"), task("2", lead="不存在的单位")]), code="keep")
    assert Task.objects.get().title == "原名称"


def test_missing_required_columns_are_named(unit_directory):
    issues = refused(workbook_bytes([["1", "任务"]], headers=["序号", "任务名称"]))
    assert any("牵头单位" in i for i in issues), issues
    assert nothing_written()


def test_task_without_lead_unit_is_refused(unit_directory):
    issues = refused(workbook_bytes([task("1", lead="")]))
    assert len(issues) == 1 and "牵头单位" in issues[0]


def test_unknown_phase_lists_the_known_ones(unit_directory):
    issues = refused(workbook_bytes([task("1", phase="不存在阶段")]))
    assert len(issues) == 1 and "推进阶段" in issues[0]


@pytest.mark.parametrize(
    "data, words",
    [
        (b"", "empty"),
        (b"%PDF-1.4 not a workbook", "xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "password"),
        (b"PK\x03\x04 broken zip", "xlsx"),
    ],
    ids=["empty-file", "wrong-type", "password-protected", "damaged"],
)
def test_unreadable_files_are_refused(unit_directory, data, words, settings):
    settings.LANGUAGE_CODE = "en"
    from django.utils import translation

    with translation.override("en"):
        issues = refused(data)
    assert len(issues) == 1 and words in issues[0].lower(), issues
    assert nothing_written()


def test_empty_workbook_is_refused(unit_directory):
    import io

    from openpyxl import Workbook

    buffer = io.BytesIO()
    Workbook().save(buffer)
    issues = refused(buffer.getvalue())
    assert issues and nothing_written()


def test_oversized_file_is_refused_before_parsing(unit_directory, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1000
    issues = refused(b"x" * 1001)
    assert len(issues) == 1 and "MB" in issues[0]


@pytest.mark.slow
def test_a_hundred_thousand_row_sheet_is_refused_without_loading_it(unit_directory, settings):
    settings.IMPORT_MAX_PART_BYTES = 100 * 1024 * 1024  # let the row limit be the one that refuses
    rows = [task(str(n)) for n in range(1, 100_001)]
    issues = refused(workbook_bytes(rows, info=None, phases=None))
    assert len(issues) == 1 and "2000" in issues[0]
    assert nothing_written()


# ---- the command ----------------------------------------------------------------------------


def test_command_imports_and_reports(unit_directory, capsys):
    call_command("import_campaign", str(EFFICIENCY_2026), "--code", "eff")
    assert "19" in capsys.readouterr().out
    assert Campaign.objects.get(code="eff").tasks.count() == 19


def test_command_dry_run_writes_nothing(unit_directory, capsys):
    call_command("import_campaign", str(STRICT_2022), "--dry-run")
    assert "dry run" in capsys.readouterr().out
    assert nothing_written()


def test_command_fails_with_located_errors(unit_directory, tmp_path, capsys):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(workbook_bytes([task("1", deadline="下个月")]))
    with pytest.raises(CommandError):
        call_command("import_campaign", str(path))
    assert "下个月" in capsys.readouterr().err
    assert nothing_written()


def test_command_exit_status_is_non_zero_on_error(unit_directory, tmp_path):
    import subprocess
    import sys

    path = tmp_path / "bad.xlsx"
    path.write_bytes(b"not a workbook")
    completed = subprocess.run(
        [sys.executable, "manage.py", "import_campaign", str(path)], capture_output=True, text=True, timeout=60
    )
    assert completed.returncode != 0
    assert "Traceback" not in completed.stderr


def test_a_reserved_code_is_refused(unit_directory):
    issues = refused(workbook_bytes([task("1")]), code="import")
    assert len(issues) == 1 and "import" in issues[0]
    assert nothing_written()


# ---- deadlines out of the campaign's range ------------------------------------------------------


@pytest.mark.parametrize(
    "deadline, words",
    [
        (datetime.datetime(1900, 1, 1), ["1900-01-01", "2026-02-09"]),  # before the start (INFO: 2026-02-09)
        ("2026-02-08", ["2026-02-08", "2026-02-09"]),
        ("2206-10-31", ["2206-10-31", "10"]),  # more than 10 years after the end (2026-12-30)
    ],
)
def test_a_deadline_outside_the_campaign_is_refused_with_its_row_and_column(unit_directory, deadline, words):
    data = workbook_bytes([task("1"), task("2", deadline=deadline)])
    with pytest.raises(CampaignImportError) as caught:
        campaign_import(data, filename="sheet.xlsx")
    [issue] = caught.value.issues
    assert issue.row == 4 and "完成时限" in issue.column and "H" in issue.column
    assert all(word in issue.message for word in words), issue.message
    assert nothing_written()


def test_a_deadline_years_away_is_refused_even_when_it_sets_the_campaign_end(unit_directory):
    info = [row for row in INFO if row[0] != "结束日期"]
    data = workbook_bytes([task("1"), task("2", deadline="2206-10-31")], info=info, phases=None)
    with pytest.raises(CampaignImportError) as caught:
        campaign_import(data, filename="sheet.xlsx")
    assert any(issue.row == 4 and "2206-10-31" in issue.message for issue in caught.value.issues)


def test_deadlines_within_the_campaign_and_ten_years_after_are_imported(unit_directory):
    campaign_import(workbook_bytes([task("1", deadline="2026-02-09"), task("2", deadline="2036-12-30")]))
    assert Task.objects.count() == 2


def test_the_command_warns_of_last_years_campaign_of_the_same_title_and_shows_old_and_new_values(
    unit_directory, tmp_path, capsys
):
    last_year = [(k, v) for k, v in INFO if k not in ("文号", "开始日期", "结束日期")]
    last_year += [("文号", "测政办发〔2025〕1号"), ("开始日期", "2025-02-10"), ("结束日期", "2025-12-30")]
    campaign_import(
        workbook_bytes([task("1", "原任务名称", deadline="2025-10-31")], info=last_year, phases=None), code="first"
    )
    path = tmp_path / "sheet.xlsx"
    path.write_bytes(workbook_bytes([task("1", "新任务名称")]))
    call_command("import_campaign", str(path), "--code", "second", "--dry-run")
    out = capsys.readouterr().out
    assert "first" in out and "Warning" in out

    call_command("import_campaign", str(path), "--code", "first", "--dry-run")
    assert "原任务名称 → 新任务名称" in capsys.readouterr().out


def test_a_workbook_for_another_campaigns_document_number_or_title_is_refused(unit_directory):
    campaign_import(workbook_bytes([task("1", "原任务名称")]), code="first")
    before = list(Campaign.objects.values_list("code", "title", "start_date"))
    # The same 文号 under a code typed for another (new) campaign.
    issues = refused(workbook_bytes([task("1", "新任务名称")]), code="second")
    assert any("活动信息" in issue and "文号" in issue and "“first”" in issue for issue in issues), issues
    # The same title with its start moved a week and no code: not a second campaign either.
    moved = [(k, "2026-02-16" if k == "开始日期" else v) for k, v in INFO if k != "文号"]
    issues = refused(workbook_bytes([task("1")], info=moved))
    assert any("活动名称" in issue and "“first”" in issue for issue in issues), issues
    assert list(Campaign.objects.values_list("code", "title", "start_date")) == before
    assert Task.objects.get().title == "原任务名称"


def test_an_end_before_the_start_is_named_once_by_its_column(unit_directory):
    backwards = [(k, "2026-01-01" if k == "结束日期" else v) for k, v in INFO]
    issues = refused(workbook_bytes([task("1")], info=backwards))
    assert any("结束日期" in issue for issue in issues), issues
    assert not any("约束" in issue or "constraint" in issue for issue in issues), issues
    assert nothing_written()


def test_a_re_import_keeps_an_approved_extension_unless_the_sheet_gives_a_new_deadline(unit_directory):
    campaign_import(workbook_bytes([task("1", deadline="2026-10-31")]), code="ext")
    extended = Task.objects.get()
    # As an approved extension request leaves it (tasks.services.extension_request_decide).
    extended.original_deadline, extended.deadline = extended.deadline, datetime.date(2027, 1, 31)
    extended.save()
    again = campaign_import(workbook_bytes([task("1", deadline="2026-10-31")]), code="ext")
    assert [change.action for change in again.tasks] == ["unchanged"]
    assert Task.objects.get().deadline == datetime.date(2027, 1, 31)
    moved = campaign_import(workbook_bytes([task("1", deadline="2026-11-30")]), code="ext")
    assert [change.action for change in moved.tasks] == ["update"]
    assert Task.objects.get().deadline == datetime.date(2026, 11, 30)


def test_a_workbook_without_its_campaign_sheet_says_so_first(unit_directory):
    issues = refused(workbook_bytes([task("1", deadline="")], info=None, phases=None))
    assert "没有“活动信息”工作表" in issues[0], issues
    assert nothing_written()


def test_the_preview_warns_that_a_campaign_begun_long_ago_owes_its_past_periods_at_once(unit_directory):
    past = campaign_import(workbook_bytes([task("1")]), dry_run=True)
    assert any("个报送周期过了报送截止日" in warning for warning in past.warnings), past.warnings
    monday = datetime.date.today() + datetime.timedelta(days=7 - datetime.date.today().weekday())
    future = [
        (k, {"开始日期": monday.isoformat(), "结束日期": (monday + datetime.timedelta(weeks=30)).isoformat()}.get(k, v))
        for k, v in INFO
    ]
    ahead = campaign_import(
        workbook_bytes(
            [task("1", deadline=(monday + datetime.timedelta(weeks=20)).isoformat())], info=future, phases=None
        ),
        dry_run=True,
    )
    assert not any("报送截止日" in warning for warning in ahead.warnings), ahead.warnings
