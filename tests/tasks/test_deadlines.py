"""Passed deadlines: 超期 N 个工作日 on the campaign, task and unit pages (issue 7), counted on
the working-day calendar (调休 and the office's adjustments), with a fixed number of queries."""

import datetime
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from common.models import CalendarOverride
from tests.factories import CampaignFactory, SectionFactory, TaskAssignmentFactory, TaskFactory, UnitFactory

pytestmark = pytest.mark.django_db

# Wednesday 30 September 2026. After Friday 18 September: Sunday 20 (a make-up working day),
# 21–24, then the Mid-Autumn holiday 25–27, then 28–30: 8 working days.
TODAY = datetime.date(2026, 9, 30)


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr("tasks.deadlines.timezone", SimpleNamespace(localdate=lambda: TODAY))
    return TODAY


@pytest.fixture
def tasks(today):
    campaign = CampaignFactory(
        code="overdue", start_date=datetime.date(2026, 3, 2), end_date=datetime.date(2026, 12, 31)
    )
    unit = UnitFactory(name="区住房和城乡建设局")
    late = TaskFactory(campaign=campaign, number="1", title="老旧小区改造", deadline=datetime.date(2026, 9, 18))
    closed = TaskFactory(
        campaign=campaign, number="2", title="已销号任务", deadline=datetime.date(2026, 9, 18),
        status="closed", closed_at=timezone.now(),
    )  # fmt: skip
    future = TaskFactory(campaign=campaign, number="3", title="未到期任务", deadline=datetime.date(2026, 10, 30))
    for task in (late, closed, future):
        TaskAssignmentFactory(task=task, unit=unit)
    return SimpleNamespace(campaign=campaign, unit=unit, late=late, closed=closed, future=future)


def pages(t):
    return {
        "campaign": reverse("campaigns:detail", args=[t.campaign.code]),
        "task": reverse("tasks:detail", args=[t.campaign.code, t.late.number]),
        "unit": reverse("units:detail", args=[t.unit.pk]),
    }


@pytest.mark.parametrize("page", ["campaign", "task", "unit"])
def test_an_open_task_past_its_deadline_shows_the_working_days_overdue(client, office, tasks, page):
    content = client.get(pages(tasks)[page]).content.decode()
    assert content.count("超期 8 个工作日") == 1
    assert content.count("overdue-badge") == 1  # not the closed task, not the one still in time


def test_the_offices_calendar_adjustments_count(client, office, tasks):
    CalendarOverride.objects.create(date=datetime.date(2026, 9, 29), is_workday=False, note="局部停工")
    assert "超期 7 个工作日" in client.get(pages(tasks)["task"]).content.decode()


def test_a_weekend_right_after_the_deadline_is_past_it_by_no_working_day(client, office, tasks, monkeypatch):
    monkeypatch.setattr("tasks.deadlines.timezone", SimpleNamespace(localdate=lambda: datetime.date(2026, 9, 19)))
    content = client.get(pages(tasks)["task"]).content.decode()
    # The deadline's line only (the page's traffic light explains itself in working days too).
    deadline = content[content.index('class="col-sm-9 col-lg-10 deadline"') :].split("</dd>")[0]
    assert "已超期" in deadline and "个工作日" not in deadline


def test_a_sub_item_past_its_deadline_is_marked_on_its_parents_page(client, office, tasks):
    TaskFactory(campaign=tasks.campaign, number="3.1", parent=tasks.future, deadline=datetime.date(2026, 9, 18))
    content = client.get(reverse("tasks:detail", args=[tasks.campaign.code, "3"])).content.decode()
    assert "超期 8 个工作日" in content


@pytest.mark.parametrize("page", ["campaign", "unit"])
def test_overdue_badges_add_no_query_per_row(client, office, tasks, page, django_assert_num_queries):
    def grow(count):
        for _ in range(count):
            task = TaskFactory(
                campaign=tasks.campaign, deadline=datetime.date(2026, 9, 1) - datetime.timedelta(days=count)
            )
            TaskAssignmentFactory(task=task, unit=tasks.unit)

    url = pages(tasks)[page]
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    grow(20)
    with django_assert_num_queries(len(queries)):
        assert client.get(url).content.decode().count("overdue-badge") == 21


def test_the_task_page_labels_section_and_class_and_leaves_out_empty_ones(client, office, tasks):
    url = pages(tasks)["task"]
    content = client.get(url).content.decode()
    assert "所属分类" not in content and "项目类别" not in content
    tasks.late.section = SectionFactory(campaign=tasks.campaign, title="（一）城市更新")
    tasks.late.category = "continuing"
    tasks.late.save()
    content = client.get(url).content.decode()
    assert '<dt class="col-sm-3 col-lg-2">所属分类</dt>' in content and "（一）城市更新" in content
    assert '<dt class="col-sm-3 col-lg-2">项目类别</dt>' in content and "续建" in content
