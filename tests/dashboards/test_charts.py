"""The dashboards' charts: each chart's JSON (read by static/js/charts.js) and the table beside it
say the same figures with the same links; ECharts is served by the app itself; no page of the
dashboards names an outside host or carries an inline script or style."""

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from . import dashboard_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def dash(reporting, assign):
    return dashboard_world.build(reporting, assign)


def charts_of(html: str) -> dict[str, dict]:
    return {
        chart_id: json.loads(body)
        for chart_id, body in re.findall(r'<script id="([^"]+)" type="application/json">(.*?)</script>', html, re.S)
    }


def table_of(html: str, chart_id: str) -> list[list[tuple[str, str | None]]]:
    table = html.split(f'data-chart-table="{chart_id}"', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = []
        for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S):
            link = re.search(r'href="([^"]*)"', cell)
            cells.append((re.sub(r"<[^>]+>", "", cell).strip(), link.group(1).replace("&amp;", "&") if link else None))
        rows.append(cells)
    return rows


def pages(dash):
    return [reverse("dashboards:campaign", args=[dash.campaign.code]), reverse("dashboards:overview")]


def test_each_chart_and_its_table_agree(dash, login):
    client = login(dash.office)
    for url in pages(dash):
        html = client.get(url).content.decode()
        charts = charts_of(html)
        assert charts, url
        for chart_id, data in charts.items():
            assert f'data-chart="{chart_id}"' in html
            rows = table_of(html, chart_id)
            assert [row[0][0] for row in rows] == data["categories"]
            for index, row in enumerate(rows):
                for series, (text, link) in zip(data["series"], row[1:], strict=True):
                    value = series["data"][index]
                    expected = "—" if value is None else (f"{value:g}%" if data["percent"] else str(value))
                    assert text == expected, (chart_id, series["name"], index)
                    assert link == (series["links"][index] if value is not None else None)


def test_light_chart_of_the_hand_computed_campaign(dash, login):
    html = login(dash.office).get(reverse("dashboards:campaign", args=[dash.campaign.code])).content.decode()
    lights = charts_of(html)["chart-lights"]
    assert lights["kind"] == "pie"
    assert lights["keys"] == ["red", "yellow", "green", "closed"]
    assert lights["series"][0]["data"] == [1, 1, 1, 1]
    assert lights["series"][0]["links"][0] == f"/overview/tasks/?campaign={dash.campaign.code}&light=red"
    sections = charts_of(html)["chart-sections"]
    assert sections["categories"][:2] == ["一、重大项目", "二、营商环境"]  # then the tasks in no section
    red = next(series for series in sections["series"] if series["key"] == "red")
    assert red["data"][0] == 1
    assert red["links"][0] == f"/overview/tasks/?campaign={dash.campaign.code}&section={dash.section1.pk}&light=red"
    rates = charts_of(html)["chart-rates"]
    assert rates["percent"] is True
    assert rates["categories"][-1] == dash.due_period.end_date.isoformat()
    assert rates["series"][0]["data"][-1] == 50.0
    assert rates["series"][1]["data"][-1] == 25.0


def test_echarts_is_served_by_the_app():
    found = finders.find("vendor/echarts/echarts.min.js")
    assert found, "run npm ci: node_modules/echarts is served as static/vendor/echarts/"
    with open(found, encoding="utf-8") as script:
        assert "echarts" in script.read(2000).lower()
    assert finders.find("js/charts.js")
    assert finders.find("css/dashboards.css")


def test_dashboards_load_their_scripts_from_the_app_only(dash, login):
    client = login(dash.office)
    for url in pages(dash):
        html = client.get(url).content.decode()
        for src in re.findall(r"""(?:src|href)=["']([^"']+)["']""", html):
            assert not re.match(r"^(https?:)?//", src), (url, src)
        assert "vendor/echarts/echarts.min.js" in html
        assert "js/charts.js" in html
        # No inline script other than JSON data, no style attribute (the CSP forbids both).
        for attributes in re.findall(r"<script([^>]*)>", html):
            assert "src=" in attributes or 'type="application/json"' in attributes, (url, attributes)
        assert " style=" not in html
