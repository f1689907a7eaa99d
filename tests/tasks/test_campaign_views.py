import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Campaign
from tests.factories import (
    CampaignFactory,
    LeaderFactory,
    MembershipFactory,
    PhaseFactory,
    SectionFactory,
    TaskAssignmentFactory,
    TaskFactory,
    UnitFactory,
    UserFactory,
)
from units.models import Membership

pytestmark = pytest.mark.django_db


def task_numbers(content: str) -> list[str]:
    return re.findall(r'<td class="task-number text-nowrap">([\d.]+)</td>', content)


def test_list_shows_visible_campaigns_with_task_counts(client):
    unit = UnitFactory()
    liaison = MembershipFactory(unit=unit).user
    mine, other = CampaignFactory(title="机关效能年"), CampaignFactory(title="强规范重实干")
    TaskAssignmentFactory(task=TaskFactory(campaign=mine), unit=unit)
    TaskFactory(campaign=mine, status="closed", closed_at=timezone.now())
    TaskFactory(campaign=other)

    client.force_login(liaison)
    response = client.get(reverse("campaigns:list"))
    content = response.content.decode()
    assert "机关效能年" in content
    assert "强规范重实干" not in content
    [campaign] = response.context["campaigns"]
    assert (campaign.task_count, campaign.open_task_count, campaign.closed_task_count) == (2, 1, 1)


def test_user_without_unit_sees_an_empty_list(client):
    CampaignFactory()
    client.force_login(UserFactory())
    response = client.get(reverse("campaigns:list"))
    assert response.status_code == 200
    assert list(response.context["campaigns"]) == []


def test_detail_shows_the_campaign_header(client, office):
    campaign = CampaignFactory(
        code="strict-2022",
        title="强规范、重实干、严督办",
        document_number="大政办发〔2022〕3号",
        issuing_body="大连市人民政府办公室",
        office_name="区政府督查室",
    )
    content = client.get(reverse("campaigns:detail", args=[campaign.code])).content.decode()
    for text in ("强规范、重实干、严督办", "大政办发〔2022〕3号", "大连市人民政府办公室", "区政府督查室", "2026-02-09"):
        assert text in content


def test_phase_timeline_highlights_the_current_phase(client, office):
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    campaign = CampaignFactory(start_date=today - 60 * day, end_date=today + 60 * day)
    PhaseFactory(
        campaign=campaign, name="学习教育阶段", sort_order=1, start_date=today - 60 * day, end_date=today - day
    )
    PhaseFactory(campaign=campaign, name="全面实施阶段", sort_order=2, start_date=today, end_date=today + 30 * day)
    PhaseFactory(
        campaign=campaign, name="总结考核阶段", sort_order=3, start_date=today + 31 * day, end_date=today + 60 * day
    )

    response = client.get(reverse("campaigns:detail", args=[campaign.code]))
    assert response.context["detail"].current_phase.name == "全面实施阶段"
    content = response.content.decode()
    current = re.findall(r'<li class="phase phase-current">\s*<div class="phase-name">([^<]+)', content)
    assert [name.strip() for name in current] == ["全面实施阶段"]


def test_tasks_appear_in_natural_order(client, office):
    campaign = CampaignFactory()
    for number in ("10", "5.2", "1", "5", "2", "5.1"):
        TaskFactory(campaign=campaign, number=number)
    content = client.get(reverse("campaigns:detail", args=[campaign.code])).content.decode()
    assert task_numbers(content) == ["1", "2", "5", "5.1", "5.2", "10"]
    assert content.count('class="task-depth-1"') == 2  # the sub-items are indented


def test_tasks_are_grouped_by_section_in_section_order(client, office):
    campaign = CampaignFactory()
    second = SectionFactory(campaign=campaign, title="（二）重实干", sort_order=2)
    first = SectionFactory(campaign=campaign, title="（一）强规范", sort_order=1)
    TaskFactory(campaign=campaign, number="3", section=second)
    TaskFactory(campaign=campaign, number="1", section=first)
    TaskFactory(campaign=campaign, number="2", section=first)
    content = client.get(reverse("campaigns:detail", args=[campaign.code])).content.decode()
    assert content.index("（一）强规范") < content.index("（二）重实干")
    assert task_numbers(content) == ["1", "2", "3"]
    assert content.index("（二）重实干") < content.index('task-number text-nowrap">3<')


def test_task_rows_name_units_and_leaders(client, office):
    campaign = CampaignFactory()
    task = TaskFactory(campaign=campaign, title="深化“放管服”改革")
    lead = UnitFactory(name="区发展和改革局", short_name="区发改局")
    support = UnitFactory(name="区财政局")
    TaskAssignmentFactory(task=task, unit=lead, role="lead")
    TaskAssignmentFactory(task=task, unit=support, role="support")
    task.leaders.add(LeaderFactory(name="张三", title="副区长"))

    content = client.get(reverse("campaigns:detail", args=[campaign.code])).content.decode()
    assert f'href="{reverse("units:detail", args=[lead.pk])}">区发改局</a>' in content
    assert f'href="{reverse("units:detail", args=[support.pk])}">区财政局</a>' in content
    assert "张三（副区长）" in content
    assert f'href="{reverse("tasks:detail", args=[campaign.code, task.number])}"' in content


def test_only_office_sees_import_and_only_staff_the_admin_link(client, office):
    links = [reverse("campaigns:import"), reverse("admin:index")]
    content = client.get(reverse("campaigns:list")).content.decode()
    assert f'href="{links[0]}"' in content and f'href="{links[1]}"' not in content
    office.is_staff = True
    office.save()
    content = client.get(reverse("campaigns:list")).content.decode()
    assert all(f'href="{link}"' in content for link in links)

    client.force_login(MembershipFactory(role=Membership.Role.LIAISON).user)
    content = client.get(reverse("campaigns:list")).content.decode()
    assert not any(f'href="{link}"' in content for link in links)


def test_invisible_campaign_is_404(client):
    unit = UnitFactory()
    client.force_login(MembershipFactory(unit=unit).user)
    other = CampaignFactory()
    TaskFactory(campaign=other)
    assert client.get(reverse("campaigns:detail", args=[other.code])).status_code == 404
    assert client.get(reverse("campaigns:detail", args=["no-such-campaign"])).status_code == 404


def test_leader_gets_404_for_a_draft(client):
    leader = LeaderFactory(user=UserFactory()).user
    draft = CampaignFactory(status=Campaign.Status.DRAFT)
    client.force_login(leader)
    assert client.get(reverse("campaigns:detail", args=[draft.code])).status_code == 404


def add_tasks(campaign: Campaign, count: int) -> None:
    """Add tasks that each have a phase, a section, a lead and a supporting unit and a leader."""
    phase = campaign.phases.first() or PhaseFactory(campaign=campaign)
    sections = list(campaign.sections.all()) or [SectionFactory(campaign=campaign, sort_order=i) for i in range(2)]
    leader = LeaderFactory()
    first = campaign.tasks.count() + 1
    for number in range(first, first + count):
        task = TaskFactory(campaign=campaign, number=str(number), section=sections[number % 2], phase=phase)
        TaskAssignmentFactory(task=task, role="lead")
        TaskAssignmentFactory(task=task, role="support")
        task.leaders.add(leader)


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("page", ["campaigns:list", "campaigns:detail"])
def test_query_count_does_not_grow_with_tasks(client, office, django_assert_num_queries, page):
    campaign = CampaignFactory()
    add_tasks(campaign, 2)
    add_tasks(CampaignFactory(), 2)
    url = reverse(page, args=[campaign.code] if page.endswith("detail") else [])
    with_two_tasks = count_queries(client, url)

    add_tasks(campaign, 18)
    add_tasks(CampaignFactory(), 20)
    with django_assert_num_queries(with_two_tasks):
        client.get(url)
    # A bound as well, so per-row queries cannot hide in both counts. The detail page is 12: its
    # ledger figures take two (periods opened on first access, one aggregate) where the units of
    # its tasks now take one and its sections none (they come with the tasks); from 1 December
    # base.html asks once more, for the office's notice of next year's holidays.
    december = timezone.localdate().month == 12
    assert with_two_tasks <= 12 + december


def test_tasks_are_filtered_by_class(client, office):
    campaign = CampaignFactory()
    TaskFactory(campaign=campaign, number="1", title="续建道路工程", category="continuing")
    TaskFactory(campaign=campaign, number="2", title="新开工产业园", category="new")
    TaskFactory(campaign=campaign, number="3", title="作风建设")
    url = reverse("campaigns:detail", args=[campaign.code])
    content = client.get(url, {"category": "new"}).content.decode()
    assert "新开工产业园" in content and "续建道路工程" not in content and "作风建设" not in content
    assert 'class="badge task-category"' in content
    everything = client.get(url, {"category": "nonsense"}).content.decode()
    assert all(title in everything for title in ("新开工产业园", "续建道路工程", "作风建设"))


def figures_of(response, number):
    tasks = [task for group in response.context["detail"].sections for task in group.tasks]
    return next(task.figures for task in tasks if task.number == number)


def test_each_task_shows_what_its_units_owed_and_filed_from_the_ledger(client, reporting):
    from tasks import services

    r = reporting
    url = reverse("campaigns:detail", args=[r.campaign.code])
    client.force_login(r.office)
    before = figures_of(client.get(url), "1")
    # Two units owe from the first period; all the periods due so far are missing.
    due = r.campaign.periods.filter(due_at__lte=timezone.now()).count()
    assert (before.due, before.missing, before.on_time, before.fix_overdue) == (2 * due, 2 * due, 0, 0)
    assert (before.now_owed, before.now_filed) == (2, 0)

    report = services.report_save(
        user=r.lead_liaison, task=r.task, unit=r.lead, period=r.past, progress="已完成", percent_complete=50,
        submit=True, expected_version=None, now=r.past.due_at - datetime.timedelta(hours=1),
    )  # fmt: skip
    services.report_save(
        user=r.lead_liaison, task=r.task, unit=r.lead, period=r.period, progress="本周", percent_complete=60,
        submit=True, expected_version=None,
    )  # fmt: skip
    filed = figures_of(client.get(url), "1")
    assert (filed.missing, filed.on_time, filed.now_filed) == (2 * due - 1, 1, 1)

    # Returned for a fix: filed all the same, never missing, and the fix is not due yet.
    services.report_review(user=r.office, report_id=report.pk, accept=False, comment="请补充数据")
    returned = client.get(url)
    assert (figures_of(returned, "1").missing, figures_of(returned, "1").fix_overdue) == (2 * due - 1, 0)
    assert 'data-owed="2" data-filed="1"' in returned.content.decode()


def test_the_task_list_is_paged_and_a_page_past_the_last_is_404(client, reporting, monkeypatch):
    from tasks.selectors import campaign_page

    r = reporting
    monkeypatch.setattr(campaign_page, "TASKS_PER_PAGE", 2)
    TaskFactory(campaign=r.campaign, number="3", category="new")
    url = reverse("campaigns:detail", args=[r.campaign.code])
    client.force_login(r.office)
    first = client.get(url).content.decode()
    assert task_numbers(first) == ["1", "2"] and "?page=2" in first
    second = client.get(url, {"page": 2}).content.decode()
    assert task_numbers(second) == ["3"] and "?page=1" in second
    for page in ("3", "0", "x"):
        assert client.get(url, {"page": page}).status_code == 404
    # A class filter pages its own tasks and keeps itself in the links.
    only_new = client.get(url, {"category": "new"}).content.decode()
    assert task_numbers(only_new) == ["3"] and "page=2" not in only_new
