"""Issue 10 in a real browser (Playwright driving Debian's Chromium, headless).

`leader` signs in and lands on their home page with the red task first; opens the campaign
dashboard (saved as a screenshot), clicks the red slice of the lights chart, lands on the list of
red tasks, opens the task and leaves an instruction (批示) that shows on the task page. No
Content-Security-Policy violation on any page on the way.
"""

import datetime
import os
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from common.workdays import add_workdays
from lights.history import backfill
from lights.services import refresh
from tasks.models import LeaderComment

from .factories import (
    PASSWORD,
    LeaderFactory,
    ProgressReportFactory,
    SectionFactory,
    TaskFactory,
    UnitFactory,
    UserFactory,
    campaign_under_way,
)
from .test_browser_week import CHROMIUM_ARGS, live_url  # noqa: F401 (fixture)

INSTRUCTION = "请牵头单位本周内拿出整改方案，逾期问责。"

# The centre of a pie's slice, in the chart's pixels, from ECharts' own layout of the slice.
SLICE_CENTRE = """([id, index]) => {
    const chart = window.echarts.getInstanceByDom(document.querySelector(`[data-chart="${id}"]`));
    const layout = chart.getModel().getSeriesByIndex(0).getData().getItemLayout(index);
    const angle = (layout.startAngle + layout.endAngle) / 2, radius = (layout.r0 + layout.r) / 2;
    return {x: layout.cx + radius * Math.cos(angle), y: layout.cy + radius * Math.sin(angle)};
}"""
# The id of the first pie chart on the page (its kind is in its json_script data).
FIRST_PIE = """() => {
    for (const element of document.querySelectorAll("[data-chart]")) {
        const id = element.getAttribute("data-chart");
        if (JSON.parse(document.getElementById(id).textContent).kind === "pie") return id;
    }
    return null;
}"""


@pytest.fixture
def lit(db, assign):
    """A campaign begun three weeks ago with a red, a yellow and a green task that name `leader`
    as their responsible leader, every due report filed on time, lit by lights.services.refresh
    (and the weeks before by lights.history.backfill)."""
    now = timezone.now()
    today = timezone.localdate(now)
    campaign = campaign_under_way(code="dash", title="营商环境攻坚年")
    section = SectionFactory(campaign=campaign, title="（一）优化政务服务")
    leader = UserFactory(username="leader", full_name="王立新")
    record = LeaderFactory(user=leader, name="王立新")
    lead = UnitFactory(name="区发展改革委")
    # Listed green, yellow, red in number order: the home page must put red first anyway.
    deadlines = {
        "green": today + datetime.timedelta(days=90),
        "yellow": add_workdays(today, 2),
        "red": today - datetime.timedelta(days=10),
    }
    titles = {"green": "推进政务服务一网通办", "yellow": "清理拖欠企业账款", "red": "完成工程建设项目审批改革"}
    tasks = {}
    for number, (light, deadline) in enumerate(deadlines.items(), start=1):
        task = TaskFactory(
            campaign=campaign, section=section, number=str(number), title=titles[light], deadline=deadline
        )
        task.leaders.add(record)
        assign(task, lead, "lead")
        tasks[light] = task
        # On time every week, and not behind the time elapsed: only the deadline sets the light.
        for period in campaign.periods.filter(due_at__lte=now):
            ProgressReportFactory(
                task=task, unit=lead, period=period, status="submitted", percent_complete=60,
                submitted_at=period.due_at - datetime.timedelta(days=1), progress=f"{titles[light]}：第{period.number}周进展。",
            )  # fmt: skip
    refresh(campaign_ids=[campaign.pk])
    backfill([campaign.pk])  # the weeks before, for the chart of lights over the weeks
    return {"campaign": campaign, "tasks": tasks, "leader": leader}


def screenshot_path(tmp_path: Path) -> Path:
    """Under the test's tmp dir, or var/screenshots/ when DUBAN_SCREENSHOTS is set (to keep it)."""
    if os.environ.get("DUBAN_SCREENSHOTS"):
        folder = Path(__file__).resolve().parent.parent / "var" / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
        return folder / "campaign-dashboard.png"
    return tmp_path / "campaign-dashboard.png"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_leader_drills_from_the_dashboard_to_a_red_task(lit, live_url, chromium_executable, tmp_path, monkeypatch):  # noqa: F811
    from playwright.sync_api import expect, sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are safe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    red = lit["tasks"]["red"]
    url = live_url
    shot = screenshot_path(tmp_path)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_executable, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_context(
            locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 1000}
        ).new_page()
        page.set_default_timeout(15_000)
        # Whatever the Content-Security-Policy blocks: Chromium's console message and the page's
        # securitypolicyviolation event (reported to Python through an exposed function).
        violations, errors = [], []
        page.on(
            "console", lambda message: "Content Security Policy" in message.text and violations.append(message.text)
        )
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.expose_function("reportCspViolation", lambda what: violations.append(what))
        page.add_init_script(
            "document.addEventListener('securitypolicyviolation', function (event) {"
            " window.reportCspViolation(event.violatedDirective + ' ' + event.blockedURI + ' ' + document.location.pathname); });"
        )

        # Signing in lands on the leader's home page: red first, then yellow, then green.
        page.goto(url + reverse("login"))
        page.fill("input[name=username]", "leader")
        page.fill("input[name=password]", PASSWORD)
        page.click("form button[type=submit]")
        expect(page).to_have_url(url + reverse("dashboards:leader"))
        rows = page.locator("#my-tasks .leader-task")
        expect(rows).to_have_count(3)
        assert [rows.nth(i).get_attribute("data-light") for i in range(3)] == ["red", "yellow", "green"]
        expect(rows.first).to_contain_text(red.title)
        expect(rows.first).to_contain_text("红灯")  # the light says itself in words, not colour alone

        # The campaign dashboard, its charts drawn (saved as a screenshot).
        page.goto(url + reverse("dashboards:campaign", args=[lit["campaign"].code]))
        page.wait_for_selector("[data-chart] svg")
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
        # Each chart is read out as its title and where its figures are, never as "NaN".
        labels = page.evaluate(
            "[...document.querySelectorAll('[data-chart]')].map((e) => [e.getAttribute('aria-label'), "
            "e.querySelector('[aria-label]')?.getAttribute('aria-label')].join(' '))"
        )
        assert labels and all("NaN" not in label and "表格" in label for label in labels), labels

        # A click on the lights chart's red slice opens the list of red tasks.
        pie = page.evaluate(FIRST_PIE)
        assert pie, "the dashboard has a chart of tasks by light"
        centre = page.evaluate(SLICE_CENTRE, [pie, 0])  # categories: red, yellow, green, closed
        box = page.locator(f'[data-chart="{pie}"]').bounding_box()
        page.mouse.click(box["x"] + centre["x"], box["y"] + centre["y"])
        page.wait_for_url(lambda address: reverse("dashboards:tasks") in address and "light=red" in address)
        expect(page.get_by_role("link", name=red.title)).to_be_visible()
        expect(page.locator("body")).not_to_contain_text(lit["tasks"]["green"].title)

        # Into the task, and an instruction left on it.
        page.get_by_role("link", name=red.title).click()
        expect(page).to_have_url(url + red.get_absolute_url())
        page.fill("#id_text", INSTRUCTION)
        page.locator("form:has(#id_text) button[type=submit]").click()
        expect(page.locator(".leader-comment")).to_contain_text(INSTRUCTION)
        browser.close()
        # Inside Playwright's block the ORM ran on a connection of its own: close it, or it
        # outlives the test database.
        connection.close()

    assert LeaderComment.objects.get().task == red
    assert violations == []
    assert errors == []
