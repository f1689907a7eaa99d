"""Loading the demo: units, both campaigns, demo accounts and a few weeks of reports.

Idempotent: every step matches what exists (by name, code, username or the report's unique
task × unit × period) and creates only what is missing.
"""

from __future__ import annotations

import datetime
import io
import random
from decimal import Decimal

import openpyxl
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from campaigns.models import Campaign, ReportingPeriod
from campaigns.periods import local_today
from common.workdays import add_workdays
from lights.history import backfill
from lights.models import Attention
from lights.services import refresh
from tasks.campaign_import.services import campaign_import
from tasks.ledger import sync as ledger
from tasks.ledger.check import Scope
from tasks.models import Indicator, IndicatorValue, LeaderComment, ProgressReport, Task, TaskAssignment
from units.importing import import_unit_directory
from units.models import Leader, Membership, Unit
from units.services import membership_add

from . import CAMPAIGN_FILES, UNITS_FILE

DEMO_PASSWORD = "demo-pass-2026"
# username → (full name, unit, membership role)
DEMO_ACCOUNTS = {
    "office": ("周督查", "区委区政府督查室", Membership.Role.OFFICE),
    "liaison1": ("陈联络", "区政府办公室", Membership.Role.LIAISON),
    "head1": ("刘主任", "区政府办公室", Membership.Role.HEAD),
    "liaison2": ("孙联络", "区发展和改革局", Membership.Role.LIAISON),
}
DEMO_LEADERS = [("王立新", "常务副区长", "leader"), ("李静", "副区长", None), ("赵明", "副区长", None)]
REPORT_WEEKS = 6

PROGRESS = [
    "召开专题推进会，细化任务分工，明确时间节点和责任人。",
    "完成阶段性调研，形成问题清单{n}项，已逐项制定整改措施。",
    "按计划推进，本周完成既定工作量的主要部分，台账资料同步归档。",
    "组织业务培训1次，参训人员{n}人次；督促配合单位报送材料。",
    "对照任务清单开展自查，已完成整改{n}项，剩余事项正在推进。",
]
PROBLEMS = ["", "", "部分配合单位材料报送不及时。", "资金拨付进度偏慢，需协调财政部门。"]
NEXT_STEPS = [
    "继续按时间节点推进，下周完成阶段总结。",
    "加强与配合单位对接，确保按期完成。",
    "梳理存在问题，形成专题报告报领导小组办公室。",
]


@transaction.atomic
def load_demo(*, now: datetime.datetime | None = None, stdout=None) -> dict:
    now = now or timezone.now()
    say = stdout.write if stdout else (lambda message: None)
    import_unit_directory(UNITS_FILE.read_bytes(), filename=UNITS_FILE.name)
    for code, path in CAMPAIGN_FILES.items():
        data = path.read_bytes()
        if code == "efficiency-year-2026":
            data = demo_deadlines(data, timezone.localdate(now))
        result = campaign_import(data, filename=path.name, code=code)
        say(f"campaign {code}: {result.campaign_action}, {len(result.tasks)} tasks")
    # The 2022 campaign is over; the 2026 one runs until the end of December.
    Campaign.objects.filter(code="strict-supervision-2022", end_date__lt=local_today(now)).update(
        status=Campaign.Status.CLOSED
    )

    users = _demo_accounts()
    leaders = _demo_leaders(users)
    for index, task in enumerate(Task.objects.filter(leaders__isnull=True).order_by("campaign", "sort_key")):
        task.leaders.add(leaders[index % len(leaders)])
    efficiency = Campaign.objects.get(code="efficiency-year-2026")
    _demo_figures(efficiency)
    created = _demo_reports(efficiency, users, now)
    _demo_comments(efficiency, users)
    _demo_lights(efficiency, users, now)
    say(f"demo accounts: {', '.join(sorted(users))} (password {DEMO_PASSWORD}); reports created: {created}")
    return {"accounts": sorted(users), "reports_created": created}


# Task number → calendar days its deadline lies before the day the demo is loaded: these
# tasks show 超期 on their pages (7 is led by liaison1's unit, 9 by liaison2's) and the deadline
# job's notices. Task 3's deadline is a few days ahead (the job's early warning); every other
# task's lies weeks ahead, so that 申请延期 can be tried.
DEMO_OVERDUE_DAYS = {"7": 8, "9": 15}
DEMO_DUE_SOON_WORKDAYS = {"3": 3}


def demo_deadlines(data: bytes, today: datetime.date) -> bytes:
    """The efficiency campaign's sheet with its 完成时限 set relative to `today`.

    The sheet's own dates (all 2026-10-31) would be past on most days the demo is loaded, and a
    passed deadline cannot be extended. Deadlines ahead lie within the campaign while it has a
    few weeks left, else after it; the same day gives the same sheet, so loading again changes
    nothing.
    """
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book["任务分解表"]
    header_row, header = next(
        (row[0].row, [cell.value for cell in row]) for row in sheet.iter_rows() if "完成时限" in [c.value for c in row]
    )
    number_column, deadline_column = header.index("序号"), header.index("完成时限")
    info = {row[0]: row[1] for row in book["活动信息"].iter_rows(values_only=True)}
    start, end = (
        info.get(name).date() if isinstance(info.get(name), datetime.datetime) else None
        for name in ("开始日期", "结束日期")
    )
    for index, row in enumerate(sheet.iter_rows(min_row=header_row + 1)):
        number = str(row[number_column].value or "").strip()
        if not number:
            continue
        if number in DEMO_OVERDUE_DAYS:
            # Never before the campaign starts (the import refuses that).
            deadline = max(today - datetime.timedelta(days=DEMO_OVERDUE_DAYS[number]), start or today)
        elif number in DEMO_DUE_SOON_WORKDAYS:
            deadline = add_workdays(today, DEMO_DUE_SOON_WORKDAYS[number])
        else:
            deadline = today + datetime.timedelta(weeks=4 + index % 5)
            if end and end >= today + datetime.timedelta(weeks=1):
                deadline = min(deadline, end)
        row[deadline_column].value = deadline.isoformat()
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _demo_accounts() -> dict[str, User]:
    users = {}
    admin, created = User.objects.get_or_create(
        username="admin", defaults={"full_name": "系统管理员", "is_staff": True, "is_superuser": True}
    )
    if created:
        admin.set_password(DEMO_PASSWORD)
        admin.save()
    users["admin"] = admin
    office_staff = office_staff_group()
    for username, (full_name, unit_name, role) in DEMO_ACCOUNTS.items():
        user, created = User.objects.get_or_create(
            username=username, defaults={"full_name": full_name, "email": f"{username}@example.gov.cn"}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.is_staff = role == Membership.Role.OFFICE
            user.save()
            if user.is_staff:
                user.groups.add(office_staff)
        membership_add(user=user, unit=Unit.objects.get(name=unit_name), role=role)
        users[username] = user
    leader_user, created = User.objects.get_or_create(
        username="leader", defaults={"full_name": "王立新", "email": "leader@example.gov.cn"}
    )
    if created:
        leader_user.set_password(DEMO_PASSWORD)
        leader_user.save()
    users["leader"] = leader_user
    return users


def office_staff_group() -> Group:
    """The office keeps units, campaigns and tasks in the admin, the working-day calendar and
    escalation rules, and looks at notices and urges. It does not manage accounts or
    memberships (who is which unit's liaison): the administrator does."""
    group, _created = Group.objects.get_or_create(name="督查室工作人员")
    group.permissions.set(
        Permission.objects.filter(content_type__app_label__in=["units", "campaigns", "tasks"]).exclude(
            codename__in=["add_membership", "change_membership", "delete_membership"]
        )
        | Permission.objects.filter(content_type__app_label="common", content_type__model="calendaroverride")
        | Permission.objects.filter(content_type__app_label="supervision", content_type__model="escalationpolicy")
        | Permission.objects.filter(
            content_type__app_label="supervision", codename__in=["view_supervisionnotice", "view_urge"]
        )
        | Permission.objects.filter(content_type__app_label="accounts", codename="view_user")
    )
    return group


def _demo_leaders(users) -> list[Leader]:
    leaders = []
    for order, (name, title, username) in enumerate(DEMO_LEADERS, start=1):
        leader, _created = Leader.objects.get_or_create(name=name, defaults={"title": title, "sort_order": order})
        if username and leader.user_id is None:
            leader.user = users[username]
            leader.save(update_fields=["user"])
        leaders.append(leader)
    return leaders


# task number → (class, [(indicator, measure, target)])
DEMO_FIGURES = {
    "1": ("new", [("计划投资", "亿元", "5"), ("新开工项目", "个", "12")]),
    "3": ("preliminary", [("入库重大产业项目", "个", "8")]),
    "8": ("continuing", [("并联审批事项覆盖率", "%", "90")]),
}


def _demo_figures(campaign: Campaign) -> None:
    for number, (category, indicators) in DEMO_FIGURES.items():
        task = Task.objects.get(campaign=campaign, number=number)
        if task.category != category:
            task.category = category
            task.save(update_fields=["category"])
        for order, (name, measure, target) in enumerate(indicators, start=1):
            Indicator.objects.get_or_create(
                task=task, name=name, defaults={"measure": measure, "target": Decimal(target), "sort_order": order}
            )


def _demo_comments(campaign: Campaign, users) -> None:
    task = Task.objects.get(campaign=campaign, number="1")
    LeaderComment.objects.get_or_create(
        task=task,
        author=users["leader"],
        defaults={"text": "项目建设是全年工作的重中之重，要倒排工期、挂图作战，确保按期完成。"},
    )


# The leader's task the office marks for leader attention (需领导关注): yellow whatever else.
DEMO_ATTENTION = ("4", "涉及跨部门协调，请分管领导关注。")


def _demo_lights(campaign: Campaign, users, now) -> None:
    """The traffic lights as of `now`, and the weeks before it from the ledger: `leader` (王立新)
    then has red (task 7, overdue), yellow (missing or late reports, the attention mark) and
    green tasks on the efficiency campaign."""
    number, note = DEMO_ATTENTION
    task = Task.objects.get(campaign=campaign, number=number)
    # Written here rather than by lights.services.attention_mark, which opens the periods begun
    # (as the office's pages do): the demo leaves that to the jobs, whose tests start from it.
    Attention.objects.get_or_create(task=task, defaults={"marked_by": users["office"], "marked_at": now, "note": note})
    refresh(now=now)  # the ledger as loaded: the periods are opened by the jobs and pages
    backfill([campaign.pk], now=now)


def _demo_reports(campaign: Campaign, users, now) -> int:
    """Reports for the last few periods that have begun: older ones accepted, last week's
    submitted (a few late, a few missing), the current week's partly drafted."""
    periods = list(
        ReportingPeriod.objects.filter(campaign=campaign, start_date__lte=local_today(now)).order_by("-number")[
            :REPORT_WEEKS
        ]
    )
    assignments = list(
        TaskAssignment.objects.filter(task__campaign=campaign, task__status=Task.Status.OPEN).select_related(
            "task", "unit"
        )
    )
    rng = random.Random(2026)  # the same demo every time
    liaison_of = {"区政府办公室": users["liaison1"], "区发展和改革局": users["liaison2"]}
    reports = []
    for age, period in enumerate(periods):
        current = period.due_at > now
        for assignment in assignments:
            roll = rng.random()
            percent = on_schedule(assignment.task, campaign, period, rng)
            if current and roll < 0.55 or (age == 1 and roll < 0.1):
                continue  # not reported (yet)
            if current:
                status, submitted_at = ProgressReport.Status.DRAFT, None
            else:
                status = ProgressReport.Status.ACCEPTED if age > 1 else ProgressReport.Status.SUBMITTED
                late = roll > 0.93
                submitted_at = period.due_at + datetime.timedelta(
                    hours=rng.randint(1, 40) if late else -rng.randint(1, 30)
                )
            needs = roll > 0.88
            reports.append(
                ProgressReport(
                    task=assignment.task,
                    unit=assignment.unit,
                    period=period,
                    status=status,
                    progress=rng.choice(PROGRESS).format(n=rng.randint(2, 9)),
                    problems=rng.choice(PROBLEMS),
                    next_steps=rng.choice(NEXT_STEPS),
                    percent_complete=percent,
                    needs_coordination=needs,
                    coordination_request="需区领导协调用地指标和资金安排。" if needs else "",
                    submitted_at=submitted_at,
                    submitted_by=liaison_of.get(assignment.unit.name) if submitted_at else None,
                    is_late=bool(submitted_at and submitted_at > period.due_at),
                )
            )
    before = ProgressReport.objects.filter(period__campaign=campaign).count()
    # The unique task × unit × period constraint makes a re-run add nothing.
    ProgressReport.objects.bulk_create(reports, ignore_conflicts=True)
    # Written without the services: the campaign's ledger is rebuilt from them (tasks.ledger).
    ledger.restate(Scope(campaign_ids=frozenset({campaign.pk})))
    created = ProgressReport.objects.filter(period__campaign=campaign).count() - before
    if created:
        _demo_indicator_values(campaign)
    return created


def on_schedule(task: Task, campaign: Campaign, period: ReportingPeriod, rng: random.Random) -> int:
    """A percent complete up to nine points behind the time elapsed by the period's end, from the
    campaign's start to the task's deadline (the lights call a task behind from 20 points)."""
    deadline = task.deadline or campaign.end_date
    span = max(1, (deadline - campaign.start_date).days)
    elapsed = 100 * (period.end_date - campaign.start_date).days / span
    return max(0, min(100, round(elapsed) - rng.randint(0, 9)))


def _demo_indicator_values(campaign: Campaign) -> None:
    """Lead units' reports state the figures reached so far, growing week by week."""
    values = []
    for indicator in Indicator.objects.filter(task__campaign=campaign):
        lead_reports = ProgressReport.objects.filter(
            task=indicator.task, unit__assignments__task=indicator.task, unit__assignments__role="lead"
        ).order_by("period__number")
        for step, report in enumerate(lead_reports, start=1):
            reached = (indicator.target * Decimal(min(100, 45 + step * 8)) / 100).quantize(Decimal("0.01"))
            values.append(IndicatorValue(report=report, indicator=indicator, value=reached))
    IndicatorValue.objects.bulk_create(values, ignore_conflicts=True)
