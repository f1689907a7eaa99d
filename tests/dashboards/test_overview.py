"""The office overview (dashboards:overview): one row per active campaign the user sees, the
totals, drill-down links, empty state and who may see it."""

import datetime
import re

import pytest
from django.urls import reverse

from campaigns.services import ensure_reporting_periods
from dashboards.links import coordination_url, reports_url, tasks_url
from tests.factories import CampaignFactory, TaskFactory

from . import dashboard_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def dash(reporting, assign):
    return dashboard_world.build(reporting, assign)


def row_figures(html: str, code: str) -> dict[str, tuple[str, str]]:
    """figure key → (href, text) of the overview row of campaign `code` ("" for the totals)."""
    row = re.search(rf'<tr data-campaign="{code}">(.*?)</tr>', html, re.S).group(1)
    return {
        key: (href.replace("&amp;", "&"), text.strip())
        for href, key, text in re.findall(r'<a href="([^"]*)" data-figure="([a-z_]+)">([^<]*)</a>', row)
    }


def test_a_campaign_row_worked_out_by_hand(dash, login):
    html = login(dash.office).get(reverse("dashboards:overview")).content.decode()
    code, period = dash.campaign.code, dash.due_period.pk
    row = row_figures(html, code)
    assert row["tasks"] == (tasks_url(campaign=code), "4")
    assert row["red"] == (tasks_url(campaign=code, light="red"), "1")
    assert row["yellow"] == (tasks_url(campaign=code, light="yellow"), "1")
    assert row["green"] == (tasks_url(campaign=code, light="green"), "1")
    assert row["closed"] == (tasks_url(campaign=code, light="closed"), "1")
    assert row["overdue"] == (tasks_url(campaign=code, overdue=1), "1")
    assert row["submission_rate"] == (reports_url(campaign=code, period=period, state="filed"), "50%")
    assert row["on_time_rate"] == (reports_url(campaign=code, period=period, state="on_time"), "25%")
    assert row["missing"] == (reports_url(campaign=code, period=period, state="missing"), "2")
    assert row["awaiting_review"] == (reports_url(campaign=code, period=period, state="awaiting_review"), "2")
    assert row["coordination"] == (coordination_url(campaign=code), "1")
    assert f'href="{reverse("dashboards:campaign", args=[code])}"' in html


def test_totals_add_the_campaigns_up_and_link_across_them(dash, login, assign):
    second = CampaignFactory(code="second-2026", start_date=dash.campaign.start_date, end_date=dash.campaign.end_date)
    ensure_reporting_periods(second)
    task = TaskFactory(campaign=second, number="1")
    assign(task, dash.lead)
    dashboard_world.set_light(task, "green")
    html = login(dash.office).get(reverse("dashboards:overview")).content.decode()
    totals = row_figures(html, "")
    assert totals["tasks"] == (tasks_url(), "5")
    assert totals["green"] == (tasks_url(light="green"), "2")
    assert totals["red"] == (tasks_url(light="red"), "1")
    assert totals["missing"] == (reports_url(state="missing"), "3")  # 2 + the new task's lead unit's
    assert totals["submission_rate"][1] == "40%"  # 2 of 5 owed
    assert totals["coordination"] == (coordination_url(), "1")


def test_only_active_campaigns_are_listed(dash, login):
    CampaignFactory(code="draft-2026", status="draft")
    CampaignFactory(
        code="closed-2025", status="closed", start_date=datetime.date(2025, 1, 6), end_date=datetime.date(2025, 6, 30)
    )
    html = login(dash.office).get(reverse("dashboards:overview")).content.decode()
    assert 'data-campaign="draft-2026"' not in html
    assert 'data-campaign="closed-2025"' not in html
    assert f'data-campaign="{dash.campaign.code}"' in html


def test_no_active_campaign_shows_a_friendly_state(login, reporting):
    reporting.campaign.status = "closed"
    reporting.campaign.save()
    html = login(reporting.office).get(reverse("dashboards:overview")).content.decode()
    assert 'id="overview-empty"' in html


def test_who_may_see_it(dash, login):
    url = reverse("dashboards:overview")
    assert login(dash.office).get(url).status_code == 200
    assert login(dash.leader).get(url).status_code == 200
    assert login(dash.lead_liaison).get(url).status_code == 403
    assert login(dash.outsider).get(url).status_code == 403


def test_the_navigation_offers_the_overview_to_those_who_oversee(dash, login):
    url = reverse("dashboards:overview")
    page = login(dash.leader).get(url).content.decode()
    assert f'aria-current="page" href="{url}"' in page
    assert f'href="{url}"' not in login(dash.lead_liaison).get(reverse("campaigns:list")).content.decode()
