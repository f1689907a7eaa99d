"""The demo's deadlines follow the day it is loaded (issue 7): 申请延期 works in the demo, and
a few tasks are past their deadline, so 超期 shows."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from demo.loader import DEMO_OVERDUE_DAYS, load_demo
from tasks.models import ExtensionRequest, Task

pytestmark = pytest.mark.django_db


def test_the_demo_deadlines_lie_ahead_of_the_day_it_is_loaded_but_for_a_few_overdue_tasks():
    load_demo()
    today = timezone.localdate()
    tasks = Task.objects.filter(campaign__code="efficiency-year-2026")
    overdue = {task.number for task in tasks if task.deadline < today}
    assert overdue == set(DEMO_OVERDUE_DAYS)
    assert all(task.deadline >= task.campaign.start_date for task in tasks)
    history = Task.history.count()
    load_demo()  # the same day: nothing changes
    assert Task.history.count() == history


def test_liaison1_can_apply_for_an_extension_in_the_demo_and_sees_an_overdue_task():
    load_demo()
    client = Client()
    client.force_login(User.objects.get(username="liaison1"))
    task = Task.objects.get(campaign__code="efficiency-year-2026", number="1")
    url = reverse("tasks:extension-request", args=[task.campaign.code, task.number])
    unit = task.assignments.get(role="lead").unit
    response = client.post(
        url,
        {
            "unit": unit.pk,
            "requested_deadline": (task.deadline + datetime.timedelta(days=30)).isoformat(),
            "reason": "演示延期",
        },
    )
    assert response.status_code == 302
    assert ExtensionRequest.objects.get(task=task).status == "pending"
    overdue = client.get(reverse("tasks:detail", args=[task.campaign.code, "7"])).content.decode()
    assert "超期" in overdue and "个工作日" in overdue


def test_the_demo_loaded_on_another_day_moves_its_deadlines_with_it():
    now = datetime.datetime(2026, 6, 10, 9, 0, tzinfo=datetime.UTC)
    load_demo(now=now)
    tasks = {task.number: task.deadline for task in Task.objects.filter(campaign__code="efficiency-year-2026")}
    assert tasks["7"] == datetime.date(2026, 6, 2) and tasks["9"] == datetime.date(2026, 5, 26)
    assert all(
        deadline > datetime.date(2026, 6, 10) for number, deadline in tasks.items() if number not in DEMO_OVERDUE_DAYS
    )
