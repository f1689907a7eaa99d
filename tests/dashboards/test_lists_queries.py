"""Each drill-down list runs the same few queries with a handful of rows and with pages of them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboards.links import coordination_url, reports_url, tasks_url
from tests.dashboards.test_lists import lists_world, report, set_light  # noqa: F401 (a fixture)
from tests.factories import TaskFactory, UnitFactory

pytestmark = pytest.mark.django_db

MAX_QUERIES = 12


def urls(w):
    code = w.campaign.code
    return [
        tasks_url(),
        tasks_url(campaign=code, light="red", unit=w.lead.pk, role="lead"),
        tasks_url(campaign=code, section=w.section.pk, overdue=True, q="推进"),
        tasks_url(leader=w.leader_entry.pk, attention=True, followed=True, coordination=True),
        reports_url(),
        reports_url(campaign=code, state="missing"),
        reports_url(campaign=code, period="all", unit=w.lead.pk, role="lead", state="filed"),
        reports_url(period=w.due.pk, state="stale"),
        coordination_url(),
        coordination_url(campaign=code, unit=w.lead.pk, leader=w.leader_entry.pk),
    ]


def counted(client, url) -> int:
    client.get(url)  # the first request warms what is cached per process (content types, the calendar)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def grow(w, assign, many=55):
    """Many more tasks, units, lights, reports and coordination requests in the same campaign."""
    for n in range(many):
        unit = UnitFactory(name=f"区测试局{n}")
        task = TaskFactory(campaign=w.campaign, number=str(10 + n), title=f"推进第{n}项工作", section=w.section)
        task.leaders.add(w.leader_entry)
        assign(task, unit)
        assign(task, w.lead, "support")
        report(task, unit, w.due, ask=n % 2 == 0, late=n % 4 == 0)
        set_light(task, ["red", "yellow", "green"][n % 3])


@pytest.mark.parametrize("who", ["office", "leader", "lead_liaison"])
def test_query_counts_do_not_grow_with_the_rows(lists_world, login, assign, who):  # noqa: F811
    w = lists_world
    client = login(getattr(w, who))
    small = {url: counted(client, url) for url in urls(w)}
    grow(w, assign)
    large = {url: counted(client, url) for url in urls(w)}
    assert large == small
    assert max(large.values()) <= MAX_QUERIES, large


def test_pages_keep_their_filters(lists_world, login, assign):  # noqa: F811
    w = lists_world
    grow(w, assign)
    response = login(w.office).get(tasks_url(campaign=w.campaign.code, section=w.section.pk))
    assert response.context["page"].paginator.count == 56
    assert f"campaign={w.campaign.code}&amp;section={w.section.pk}&amp;page=2" in response.content.decode()
