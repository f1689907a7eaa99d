import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    CampaignFactory,
    LeaderFactory,
    MembershipFactory,
    MilestoneFactory,
    PhaseFactory,
    ProgressReportFactory,
    ReportingPeriodFactory,
    SectionFactory,
    TaskAssignmentFactory,
    TaskFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db


def url_of(task):
    return reverse("tasks:detail", args=[task.campaign.code, task.number])


def test_task_urls_take_dotted_numbers():
    assert reverse("tasks:detail", args=["efficiency-2026", "5.2"]) == "/campaigns/efficiency-2026/tasks/5.2/"
    assert reverse("tasks:detail", args=["efficiency-2026", "10"]) == "/campaigns/efficiency-2026/tasks/10/"


def test_detail_shows_every_part_of_the_task(client, office):
    campaign = CampaignFactory(code="efficiency-2026")
    section = SectionFactory(campaign=campaign, title="（一）项目建设")
    phase = PhaseFactory(campaign=campaign, name="分项推进、全面实施阶段")
    parent = TaskFactory(campaign=campaign, number="5", title="推进重大项目建设", section=section)
    task = TaskFactory(
        campaign=campaign,
        number="5.2",
        parent=parent,
        section=section,
        phase=phase,
        title="新开工项目",
        description="9月底前完成前期手续。",
        deadline=datetime.date(2026, 10, 31),
    )
    sub_item = TaskFactory(campaign=campaign, number="5.2.1", parent=task, title="前期手续")
    lead = UnitFactory(name="区发展和改革局", short_name="区发改局")
    support = UnitFactory(name="区自然资源局")
    TaskAssignmentFactory(task=task, unit=lead, role="lead")
    TaskAssignmentFactory(task=task, unit=support, role="support")
    task.leaders.add(LeaderFactory(name="李四", title="常务副区长"))
    MilestoneFactory(task=task, due_date=datetime.date(2026, 9, 30), description="9月底前完成土地报批")

    content = client.get(url_of(task)).content.decode()
    for text in (
        "新开工项目",
        "9月底前完成前期手续。",
        "2026-10-31",
        "（一）项目建设",
        "分项推进、全面实施阶段",
        "李四（常务副区长）",
        "9月底前完成土地报批",
        "区自然资源局",
    ):
        assert text in content, text
    assert f'href="{reverse("units:detail", args=[lead.pk])}">区发改局</a>' in content
    assert f'href="{url_of(parent)}"' in content
    assert f'href="{url_of(sub_item)}"' in content


def test_latest_submitted_report_of_each_unit(client, office):
    task = TaskFactory()
    reporting, silent = UnitFactory(name="区财政局"), UnitFactory(name="区审计局")
    TaskAssignmentFactory(task=task, unit=reporting, role="lead")
    TaskAssignmentFactory(task=task, unit=silent, role="support")
    week1, week2, week3 = (ReportingPeriodFactory(campaign=task.campaign, number=n) for n in (1, 2, 3))
    submitted = {"status": "submitted", "submitted_at": timezone.now()}
    ProgressReportFactory(task=task, unit=reporting, period=week1, progress="第一周进展", **submitted)
    ProgressReportFactory(task=task, unit=reporting, period=week2, progress="第二周进展", **submitted)
    ProgressReportFactory(task=task, unit=reporting, period=week3, progress="第三周草稿")  # a draft

    response = client.get(url_of(task))
    rows = {row.assignment.unit.name: row.report for row in response.context["detail"].unit_reports}
    assert rows["区财政局"].progress == "第二周进展"
    assert rows["区审计局"] is None
    content = response.content.decode()
    assert "第二周进展" in content
    assert "第一周进展" not in content
    assert "第三周草稿" not in content


def test_member_sees_every_task_of_a_shared_campaign(client):
    unit = UnitFactory()
    client.force_login(MembershipFactory(unit=unit).user)
    campaign = CampaignFactory()
    TaskAssignmentFactory(task=TaskFactory(campaign=campaign, number="1"), unit=unit)
    not_mine = TaskFactory(campaign=campaign, number="2")
    assert client.get(url_of(not_mine)).status_code == 200


def test_task_of_another_campaign_is_404(client):
    unit = UnitFactory()
    client.force_login(MembershipFactory(unit=unit).user)
    TaskAssignmentFactory(task=TaskFactory(number="1"), unit=unit)
    other = TaskFactory(number="1")
    assert client.get(url_of(other)).status_code == 404


def test_unknown_number_is_404(client, office):
    task = TaskFactory(number="1")
    assert client.get(reverse("tasks:detail", args=[task.campaign.code, "1.1"])).status_code == 404


def test_query_count_does_not_grow(client, office, django_assert_num_queries):
    task = TaskFactory(number="5")

    def grow(count):
        start = task.assignments.count()
        for i in range(start, start + count):
            unit = UnitFactory()
            TaskAssignmentFactory(task=task, unit=unit, role="lead" if i % 2 else "support")
            task.leaders.add(LeaderFactory())
            MilestoneFactory(task=task)
            TaskFactory(campaign=task.campaign, number=f"5.{i + 1}", parent=task)
            period = ReportingPeriodFactory(campaign=task.campaign)
            ProgressReportFactory(task=task, unit=unit, period=period, status="submitted", submitted_at=timezone.now())

    grow(2)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url_of(task)).status_code == 200
    grow(18)
    with django_assert_num_queries(len(queries)):
        client.get(url_of(task))


def test_task_page_shows_reports_only_as_reports_visible_to_allows(client, assign, member):
    """A supporting unit sees its own reports on the task page, not the other units'; the lead
    unit sees every unit's submitted report; nobody sees another unit's draft."""
    task = TaskFactory()
    lead, support, other_support = (
        UnitFactory(name="区财政局"),
        UnitFactory(name="区审计局"),
        UnitFactory(name="区统计局"),
    )
    assign(task, lead, "lead")
    assign(task, support, "support")
    assign(task, other_support, "support")
    period = ReportingPeriodFactory(campaign=task.campaign, number=1)
    submitted = {"status": "submitted", "submitted_at": timezone.now()}
    ProgressReportFactory(task=task, unit=lead, period=period, progress="牵头单位进展", **submitted)
    ProgressReportFactory(task=task, unit=support, period=period, progress="配合单位进展", **submitted)
    ProgressReportFactory(task=task, unit=other_support, period=period, progress="另一配合单位草稿")

    client.force_login(member(support))
    content = client.get(url_of(task)).content.decode()
    assert "配合单位进展" in content
    assert "牵头单位进展" not in content
    assert "另一配合单位草稿" not in content

    client.force_login(member(lead))
    content = client.get(url_of(task)).content.decode()
    assert "配合单位进展" in content and "牵头单位进展" in content
    assert "另一配合单位草稿" not in content


def test_task_page_queries_do_not_grow_with_comments_requests_indicators_and_history(
    client, reporting, django_assert_num_queries
):
    from tests.factories import (
        AttachmentFactory,
        CompletionRequestFactory,
        ExtensionRequestFactory,
        IndicatorFactory,
        IndicatorValueFactory,
        LeaderCommentFactory,
    )

    r = reporting
    periods = iter(r.campaign.periods.order_by("number"))

    def grow(count):
        for _ in range(count):
            LeaderCommentFactory(task=r.task, author=r.leader)
            completion = CompletionRequestFactory(
                task=r.task, unit=r.lead, status="rejected", decided_at=timezone.now(), decided_by=r.office
            )
            AttachmentFactory(report=None, completion_request=completion)
            ExtensionRequestFactory(task=r.task, unit=r.lead, status="rejected", decided_at=timezone.now())
            indicator = IndicatorFactory(task=r.task)
            report = ProgressReportFactory(
                task=r.task, unit=r.support, period=next(periods), status="submitted", submitted_at=timezone.now()
            )
            AttachmentFactory(report=report)
            IndicatorValueFactory(report=report, indicator=indicator)
            r.task.title += "。"
            r.task.save()

    client.force_login(r.lead_liaison)
    url = url_of(r.task)
    grow(2)
    client.get(url)  # the first visit opens the periods that have begun (a write, once)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    grow(18)
    with django_assert_num_queries(len(queries)):
        client.get(url)


def test_task_page_shows_class_indicators_and_values_reached(client, reporting):
    from decimal import Decimal

    from tests.factories import IndicatorFactory, IndicatorValueFactory

    r = reporting
    r.task.category = "new"
    r.task.save()
    investment = IndicatorFactory(task=r.task, name="计划投资", measure="亿元", target=Decimal("5"))
    for number, value, status in ((1, "1.50", "accepted"), (2, "2.75", "submitted"), (3, "4.00", "draft")):
        period = r.campaign.periods.get(number=number)
        report = ProgressReportFactory(
            task=r.task, unit=r.lead, period=period, status=status,
            submitted_at=None if status == "draft" else period.due_at,
        )  # fmt: skip
        IndicatorValueFactory(report=report, indicator=investment, value=Decimal(value))
    client.force_login(r.support_liaison)
    response = client.get(url_of(r.task))
    # The supporting unit may not read the lead unit's reports, so not their figures either.
    assert response.context["detail"].indicators[0].points == []
    client.force_login(r.office)
    response = client.get(url_of(r.task))
    series = response.context["detail"].indicators[0]
    assert [(p.period.number, p.value) for p in series.points] == [(1, Decimal("1.50")), (2, Decimal("2.75"))]
    assert series.latest == Decimal("2.75") and series.percent == 55
    content = response.content.decode()
    assert "计划投资" in content and "2.75" in content and "<svg" in content
    assert 'class="badge task-category"' in content


def test_each_unit_shows_its_state_this_period_from_the_ledger(client, reporting):
    from tasks import services

    r = reporting
    services.report_save(
        user=r.lead_liaison, task=r.task, unit=r.lead, period=r.period, progress="本周", percent_complete=50,
        submit=True, expected_version=None,
    )  # fmt: skip
    services.report_save(
        user=r.support_liaison, task=r.task, unit=r.support, period=r.period, progress="草稿", percent_complete=5,
        submit=False, expected_version=None,
    )  # fmt: skip
    nothing = "missing" if timezone.now() >= r.period.due_at else "not_due"
    client.force_login(r.office)
    response = client.get(url_of(r.task))
    states = {row.assignment.unit: row.state for row in response.context["detail"].unit_reports}
    # The office never sees a unit's draft as a draft: it is what the ledger shows (not due, or missing).
    assert states == {r.lead: "submitted", r.support: nothing}
    assert "current-state" in response.content.decode()
    # The supporting unit's own people see their draft.
    client.force_login(r.support_liaison)
    own = {row.assignment.unit: row.state for row in client.get(url_of(r.task)).context["detail"].unit_reports}
    assert own[r.support] == ("missing" if nothing == "missing" else "draft")
