"""The campaign dashboard (dashboards:campaign): figures against a hand-computed campaign
(tests/dashboards/dashboard_world.py), each figure's drill-down link, the per-unit table's sort,
the period choice, empty states and who may see it."""

import re
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.urls import reverse

from dashboards.links import coordination_url, reports_url, tasks_url
from tests.factories import CampaignFactory, LeaderFactory, UserFactory

from . import dashboard_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def dash(reporting, assign):
    return dashboard_world.build(reporting, assign)


def page(client, campaign, **params):
    return client.get(reverse("dashboards:campaign", args=[campaign.code]), params)


def figure(html: str, key: str) -> tuple[str, str]:
    """(href, shown value) of the figure card `key`."""
    match = re.search(
        rf'href="([^"]*)" data-figure="{key}">\s*<div class="card-body p-2">\s*<div[^>]*>[^<]*</div>\s*<div[^>]*>([^<]*)</div>',
        html,
    )
    assert match, f"no figure {key}"
    return match.group(1).replace("&amp;", "&"), match.group(2).strip()


def unit_rows(html: str) -> list[list[str]]:
    table = html.split('id="unit-table"', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    rows = []
    for row in re.findall(r"<tr data-unit=\"\d+\">(.*?)</tr>", body, re.S):
        rows.append(
            [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        )
    return rows


def test_figures_of_the_hand_computed_campaign(dash, login):
    html = page(login(dash.office), dash.campaign).content.decode()
    code = dash.campaign.code
    assert figure(html, "tasks") == (tasks_url(campaign=code), "4")
    assert figure(html, "red") == (tasks_url(campaign=code, light="red"), "1")
    assert figure(html, "yellow") == (tasks_url(campaign=code, light="yellow"), "1")
    assert figure(html, "green") == (tasks_url(campaign=code, light="green"), "1")
    assert figure(html, "closed") == (tasks_url(campaign=code, light="closed"), "1")
    assert figure(html, "overdue") == (tasks_url(campaign=code, overdue=1), "1")
    assert figure(html, "completion")[1] == "25%"
    period = dash.due_period.pk
    assert figure(html, "owed") == (reports_url(campaign=code, period=period), "4")
    assert figure(html, "submission_rate") == (reports_url(campaign=code, period=period, state="filed"), "50%")
    assert figure(html, "on_time_rate") == (reports_url(campaign=code, period=period, state="on_time"), "25%")
    assert figure(html, "missing") == (reports_url(campaign=code, period=period, state="missing"), "2")
    assert figure(html, "late") == (reports_url(campaign=code, period=period, state="late"), "1")
    assert figure(html, "returned")[1] == "0"
    assert f'href="{coordination_url(campaign=code)}" data-figure="coordination" data-count="1"' in html
    assert "需要协调项目用地指标" in html


def test_per_unit_table_worked_out_by_hand(dash, login):
    """The chosen (by default the last due) period's reports per unit, and the tasks each leads
    and supports."""
    html = page(login(dash.leader), dash.campaign).content.decode()
    rows = unit_rows(html)
    # Default: most reports missing first (other: tasks 2 and 4), then the units' own order.
    assert rows[0] == ["区审计局", "2", "0", "0%", "2", "0", "1"]
    by_name = {row[0]: row for row in rows}
    assert by_name["区发展和改革局"] == ["区发展和改革局", "1", "0", "100%", "0", "0", "0"]
    assert by_name["区财政局"] == ["区财政局", "0", "1", "0%", "0", "0", "0"]


def test_unit_table_links_name_exactly_their_lists(dash, login):
    html = page(login(dash.office), dash.campaign).content.decode().replace("&amp;", "&")
    code, unit, period = dash.campaign.code, dash.other.pk, dash.due_period.pk
    for url in (
        tasks_url(campaign=code, unit=unit, role="lead"),
        tasks_url(campaign=code, unit=unit, role="support"),
        tasks_url(campaign=code, unit=unit, role="lead", overdue=1),
        reports_url(campaign=code, period=period, unit=unit, state="on_time"),
        reports_url(campaign=code, period=period, unit=unit, state="missing"),
        reports_url(campaign=code, period=period, unit=unit, state="returned"),
    ):
        assert f'href="{url}"' in html


@pytest.mark.parametrize(
    ("sort", "direction", "first"),
    [
        ("unit", "asc", None),  # the units' own order
        ("missing", "desc", "区审计局"),
        ("led", "desc", "区审计局"),
        ("supported", "desc", "区财政局"),
        ("on_time", "desc", "区发展和改革局"),
        ("nonsense", "sideways", "区审计局"),  # unknown: the default, most missing first
    ],
)
def test_sort_by_any_column_without_javascript(dash, login, sort, direction, first):
    response = page(login(dash.office), dash.campaign, sort=sort, dir=direction)
    assert response.status_code == 200
    names = [row[0] for row in unit_rows(response.content.decode())]
    if first is None:
        units = sorted((dash.lead, dash.support, dash.other), key=lambda unit: (unit.sort_order, unit.name))
        assert names == [unit.name for unit in units]
    else:
        assert names[0] == first


def test_sorted_column_header_links_to_the_other_direction(dash, login):
    html = page(login(dash.office), dash.campaign, sort="led", dir="desc").content.decode().replace("&amp;", "&")
    assert 'aria-sort="descending"' in html
    assert "sort=led&dir=asc" in html


def test_period_choice(dash, login):
    client = login(dash.office)
    first = dash.periods[0]
    html = page(client, dash.campaign, period=first.pk).content.decode()
    # Nothing was filed in the first period: all four owed reports missing.
    assert figure(html, "owed")[1] == "4"
    assert figure(html, "missing") == (reports_url(campaign=dash.campaign.code, period=first.pk, state="missing"), "4")
    assert figure(html, "submission_rate")[1] == "0%"


@pytest.mark.parametrize("value", ["999999", "abc", "-1", "1.5"])
def test_period_outside_the_campaign_is_not_found(dash, login, value):
    assert page(login(dash.office), dash.campaign, period=value).status_code == 404


def test_period_of_another_campaign_is_not_found(dash, login):
    from campaigns.services import ensure_reporting_periods

    other = CampaignFactory(code="other-2026")
    ensure_reporting_periods(other)
    assert page(login(dash.office), dash.campaign, period=other.periods.first().pk).status_code == 404


def test_empty_campaign_shows_a_friendly_state(login, reporting):
    empty = CampaignFactory(code="empty-2026")
    response = page(login(reporting.office), empty)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="dashboard-empty"' in html
    assert "data-chart=" not in html


def test_campaign_with_tasks_but_no_period_due_yet(login, reporting, assign):
    import datetime

    from django.utils import timezone

    from campaigns.services import ensure_reporting_periods
    from tests.factories import TaskFactory

    today = timezone.localdate()
    future = CampaignFactory(
        code="future-2026", start_date=today + datetime.timedelta(days=14), end_date=today + datetime.timedelta(days=90)
    )
    ensure_reporting_periods(future)
    assign(TaskFactory(campaign=future, number="1"), reporting.lead)
    html = page(login(reporting.office), future).content.decode()
    assert 'id="period-empty"' in html
    assert figure(html, "tasks")[1] == "1"


def test_who_may_see_it(dash, login):
    assert page(login(dash.office), dash.campaign).status_code == 200
    assert page(login(dash.leader), dash.campaign).status_code == 200
    assert page(login(dash.lead_liaison), dash.campaign).status_code == 403
    assert page(login(dash.outsider), dash.campaign).status_code == 403
    assert page(login(dash.office), CampaignFactory.build(code="no-such-campaign")).status_code == 404


def test_leaders_do_not_see_draft_campaigns(login, reporting):
    draft = CampaignFactory(code="draft-2026", status="draft")
    leader = UserFactory()
    LeaderFactory(user=leader)
    assert page(login(leader), draft).status_code == 404
    assert page(login(reporting.office), draft).status_code == 200


def test_the_office_reaches_the_light_rules_from_the_dashboard_and_leaders_do_not(dash, login):
    rules = reverse("lights:rules", args=[dash.campaign.code])
    assert rules in page(login(dash.office), dash.campaign).content.decode()
    assert rules not in page(login(dash.leader), dash.campaign).content.decode()


def test_campaign_page_links_to_its_dashboard_for_those_who_oversee(dash, login):
    url = reverse("dashboards:campaign", args=[dash.campaign.code])
    detail = dash.campaign.get_absolute_url()
    assert url in login(dash.office).get(detail).content.decode()
    assert url in login(dash.leader).get(detail).content.decode()
    assert url not in login(dash.lead_liaison).get(detail).content.decode()


def test_every_figure_link_is_a_list_url(dash, login):
    """Every link on the dashboard's figures goes to a drill-down list with known parameters."""
    from dashboards.filters import KEYS

    html = page(login(dash.office), dash.campaign).content.decode().replace("&amp;", "&")
    kinds = {reverse("dashboards:tasks"): "tasks", reverse("dashboards:reports"): "reports",
             reverse("dashboards:coordination"): "coordination"}  # fmt: skip
    links = re.findall(r'href="(/overview/[^"]+)"', html)
    assert links
    for link in links:
        parts = urlsplit(link)
        if parts.path.startswith("/overview/campaigns/") or parts.path == reverse("dashboards:overview"):
            continue
        kind = kinds[parts.path]
        assert {key for key, _ in parse_qsl(parts.query)} <= set(KEYS[kind]), link


def test_each_figure_equals_the_length_of_its_list(dash, login):
    """A figure counts the rows of the list it links to (dashboards.selectors.lists)."""
    from django.http import QueryDict
    from django.utils import timezone

    from dashboards.filters import parse
    from dashboards.selectors import lists

    client = login(dash.office)
    html = page(client, dash.campaign).content.decode()
    readers = {"tasks": lists.task_rows, "reports": lists.report_rows, "coordination": lists.coordination_rows}
    now = timezone.now()

    def list_length(url):
        parts = urlsplit(url)
        kind = parts.path.strip("/").split("/")[-1]
        return readers[kind](dash.office, parse(dash.office, QueryDict(parts.query), kind), now).count()

    for key in ("tasks", "red", "yellow", "green", "closed", "overdue", "owed", "missing", "late", "returned",
                "awaiting_review", "stale"):  # fmt: skip
        url, value = figure(html, key)
        assert list_length(url) == int(value), key
    coordination = re.search(r'href="([^"]*)" data-figure="coordination" data-count="(\d+)"', html)
    assert list_length(coordination.group(1).replace("&amp;", "&")) == int(coordination.group(2)) == 1
    table = html.split('id="unit-table"', 1)[1].split("</table>", 1)[0].replace("&amp;", "&")
    for url, value in re.findall(r'<a href="(/overview/(?:tasks|reports)/[^"]*)">([0-9]+)</a>', table):
        assert list_length(url) == int(value), url


def test_a_long_unit_table_shows_the_worst_first_and_all_on_request(dash, login, monkeypatch):
    from dashboards.selectors import campaign as selectors

    monkeypatch.setattr(selectors, "UNIT_ROWS", 2)
    client = login(dash.office)
    html = page(client, dash.campaign).content.decode()
    assert [row[0] for row in unit_rows(html)][0] == "区审计局"  # most missing first
    assert len(unit_rows(html)) == 2
    assert 'id="all-units"' in html
    html = page(client, dash.campaign, units="all", sort="unit").content.decode()
    assert len(unit_rows(html)) == 3
    assert 'id="all-units"' not in html
    assert "units=all" in html.split('id="unit-table"', 1)[1].split("</thead>", 1)[0]  # sorting keeps it
