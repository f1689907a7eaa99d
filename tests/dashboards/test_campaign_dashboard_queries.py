"""The campaign dashboard and the office overview run at most 15 queries, the same number with a
small campaign and with one several times larger (more tasks, units, sections, reports, lights,
campaigns)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lights.models import Light
from tasks.models import ProgressReport
from tests.factories import ProgressReportFactory, SectionFactory, TaskFactory, UnitFactory

from . import dashboard_world

pytestmark = pytest.mark.django_db

MAX_QUERIES = 15


def grow(dash, assign, n=6):
    """n more tasks in n more sections, each with a new lead and support unit, reports filed in the
    last due period (some asking for coordination) and lights of every colour."""
    lights = [Light.RED, Light.YELLOW, Light.GREEN]
    for index in range(n):
        section = SectionFactory(campaign=dash.campaign, title=f"第{index}部分", sort_order=10 + index)
        task = TaskFactory(campaign=dash.campaign, number=str(10 + index), section=section, phase=dash.phase)
        lead, support = UnitFactory(name=f"单位甲{index}"), UnitFactory(name=f"单位乙{index}")
        assign(task, lead, "lead")
        assign(task, support, "support")
        ProgressReportFactory(
            task=task, unit=lead, period=dash.due_period, status=ProgressReport.Status.SUBMITTED,
            submitted_at=dash.due_period.due_at, needs_coordination=bool(index % 2), coordination_request="协调",
        )  # fmt: skip
        dashboard_world.set_light(task, lights[index % 3])


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.fixture
def dash(reporting, assign):
    return dashboard_world.build(reporting, assign)


@pytest.mark.parametrize("name", ["campaign", "overview"])
def test_queries_bounded_and_constant_as_data_grows(dash, login, assign, name):
    client = login(dash.office)
    url = reverse(f"dashboards:{name}", args=[dash.campaign.code] if name == "campaign" else None)
    client.get(url)  # periods opened, sessions warmed: what every later request finds
    small = count(client, url)
    grow(dash, assign)
    client.get(url)
    large = count(client, url)
    assert small <= MAX_QUERIES
    assert large == small, f"{small} queries with a small campaign, {large} with a larger one"


def test_leader_queries_bounded(dash, login):
    client = login(dash.leader)
    url = reverse("dashboards:campaign", args=[dash.campaign.code])
    client.get(url)
    assert count(client, url) <= MAX_QUERIES


def test_sorted_and_period_pages_cost_the_same(dash, login):
    client = login(dash.office)
    url = reverse("dashboards:campaign", args=[dash.campaign.code])
    client.get(url)
    base = count(client, url)
    assert count(client, f"{url}?sort=on_time&dir=asc&period={dash.periods[0].pk}") == base
