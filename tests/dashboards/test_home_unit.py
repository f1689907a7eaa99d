"""A unit's home page: its standing (rates, missing, returned, fix overdue), the lights of its tasks,
what it owes this period; only its own; at most 15 queries whatever the data."""

import datetime

import pytest
from django.db import connection
from django.template.defaultfilters import floatformat
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from lights.services import refresh
from tasks.ledger.read import ensure_open
from tests.factories import ProgressReportFactory, TaskFactory
from units.models import Membership

pytestmark = pytest.mark.django_db


def listed(client, url) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["page"].paginator.count


def test_the_units_standing_and_each_number_opens_its_list(client, reporting, assign):
    r = reporting
    # Task 1 (led by r.lead): on time last period, late the period before; nothing else filed.
    last_due = r.campaign.periods.get(number=r.period.number - 1)
    ProgressReportFactory(task=r.task, unit=r.lead, period=last_due, status="submitted", submitted_at=last_due.due_at)
    ProgressReportFactory(
        task=r.task, unit=r.lead, period=r.past, status="returned", is_late=True,
        submitted_at=r.past.due_at + datetime.timedelta(days=1),
    )  # fmt: skip
    late_task = TaskFactory(campaign=r.campaign, deadline=timezone.localdate() - datetime.timedelta(days=5))
    assign(late_task, r.lead, "support")
    refresh(campaign_ids=[r.campaign.pk])
    client.force_login(r.lead_liaison)
    response = client.get(reverse("dashboards:unit"))
    assert response.status_code == 200
    home = response.context["home"]
    assert home.unit == r.lead
    rates = home.rates
    assert rates.owed > rates.filed >= 2 and rates.missing == rates.owed - rates.filed
    html = response.content.decode()
    # Rounded as the page rounds (floatformat: 12.5 → 13, where Python's format gives 12): the
    # rates depend on how many periods are due today, so a half turns up on some days.
    for name in ("on_time_rate", "submission_rate"):
        assert f'data-figure="{name}">{floatformat(getattr(rates, name), 0)}%' in html, name
    urls = response.context["urls"]
    assert listed(client, urls["missing"]) == rates.missing
    assert listed(client, urls["returned"]) == rates.returned
    assert listed(client, urls["fix_overdue"]) == rates.fix_overdue
    for light in response.context["lights"]:
        assert listed(client, light["url"]) == light["count"], light["key"]
    assert sum(home.lights.values()) == 2  # task 1 and the late one; not task 2 (another unit's)
    assert late_task in home.flagged and home.flagged[0].light == "red"
    assert home.this_period.owed == 2  # this period's reports on its two tasks
    assert f'href="{reverse("tasks:workspace")}"' in html


def test_a_unit_sees_only_its_own(client, reporting, member):
    r = reporting
    client.force_login(r.lead_liaison)
    assert client.get(reverse("dashboards:unit"), {"unit": r.other.pk}).status_code == 404
    assert client.get(reverse("dashboards:unit"), {"unit": "x"}).status_code == 404
    # A member of two units picks one; the page offers the other.
    member(r.support, Membership.Role.HEAD, username="lead_liaison")
    client.force_login(r.lead_liaison)
    response = client.get(reverse("dashboards:unit"), {"unit": r.support.pk})
    assert response.context["home"].unit == r.support
    assert f'href="?unit={r.lead.pk}"' in response.content.decode()
    for user in (r.office, r.leader, r.outsider):
        client.force_login(user)
        assert client.get(reverse("dashboards:unit")).status_code == 403


def test_a_unit_with_no_active_task_sees_an_empty_state(client, reporting, member):
    from tests.factories import UnitFactory

    lonely = member(UnitFactory(name="区档案馆"))
    client.force_login(lonely)
    response = client.get(reverse("dashboards:unit"))
    assert response.status_code == 200
    assert "empty-state" in response.content.decode()


def _grow(r, assign, count):
    for i in range(count):
        task = TaskFactory(campaign=r.campaign, deadline=timezone.localdate() + datetime.timedelta(days=i - 3))
        assign(task, r.lead, "lead" if i % 2 else "support")
        ProgressReportFactory(
            task=task, unit=r.lead, period=r.past, status=["submitted", "returned", "accepted"][i % 3],
            submitted_at=r.past.due_at,
        )  # fmt: skip
    ensure_open()  # the beat job's work, not the page's to measure
    refresh(campaign_ids=[r.campaign.pk])


def test_the_unit_home_page_runs_at_most_15_queries_whatever_the_data(client, reporting, assign):
    r = reporting
    client.force_login(r.lead_liaison)
    _grow(r, assign, 2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("dashboards:unit")).status_code == 200
    _grow(r, assign, 12)
    with CaptureQueriesContext(connection) as larger:
        assert client.get(reverse("dashboards:unit")).status_code == 200
    assert len(small) <= 15, [q["sql"] for q in small.captured_queries]
    assert len(larger) == len(small), [q["sql"] for q in larger.captured_queries]
