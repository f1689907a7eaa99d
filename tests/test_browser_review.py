"""The review queue in a real browser (issue 7): expanding a report keeps the columns' widths,
and the office ticks every report with one box and accepts them with one click. No
Content-Security-Policy violation on the way."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tasks.models import ProgressReport

from .factories import PASSWORD, ProgressReportFactory
from .test_browser_week import CHROMIUM_ARGS, live_url, week  # noqa: F401 (fixtures)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_review_queue_keeps_its_columns_and_accepts_a_selection(week, live_url, chromium_executable, monkeypatch):  # noqa: F811
    from playwright.sync_api import expect, sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    task, period = week["task"], week["period"]
    texts = ["牵头单位本周推进情况。" * 60, "配合单位本周推进情况。"]
    for late, assignment, text in zip([False, True], task.assignments.order_by("role"), texts, strict=False):
        ProgressReportFactory(
            task=task, unit=assignment.unit, period=period, status="submitted", submitted_at=timezone.now(),
            progress=text, problems="用地指标紧张，" * 40, is_late=late,
        )  # fmt: skip
    # A long "late by" badge, as a report filed a day and a half after the due moment has.
    ProgressReport.objects.filter(is_late=True).update(
        submitted_at=period.due_at + datetime.timedelta(days=1, hours=14)
    )
    url = live_url
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_executable, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_context(
            locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 900}
        ).new_page()
        page.set_default_timeout(15_000)
        violations = []
        page.on(
            "console", lambda message: "Content Security Policy" in message.text and violations.append(message.text)
        )
        page.goto(url + reverse("login"))
        page.fill("input[name=username]", "office")
        page.fill("input[name=password]", PASSWORD)
        page.click("form button[type=submit]")
        page.goto(url + reverse("tasks:review", args=[task.campaign.code]))

        def widths():
            return [
                round(box["width"])
                for box in (th.bounding_box() for th in page.locator(".review-table thead th").all())
            ]

        before = widths()
        # The late badge wraps inside its column instead of running over the report's text.
        badge = page.locator(".review-table .late-badge").first.bounding_box()
        cell = (
            page.locator(".review-table tbody tr", has=page.locator(".late-badge")).locator("td").nth(4).bounding_box()
        )
        assert badge["x"] + badge["width"] <= cell["x"] + cell["width"]
        page.locator(".review-table tbody details summary").first.click()
        expect(page.locator(".review-table tbody details").first).to_have_attribute("open", "")
        assert widths() == before

        page.locator("[data-select-all=report]").check()
        expect(page.locator("input[name=report]:checked")).to_have_count(2)
        page.get_by_role("button", name="采纳所选").click()
        expect(page.locator("body")).to_contain_text("已采纳 2 份报表。")
        browser.close()
    assert set(ProgressReport.objects.values_list("status", flat=True)) == {"accepted"}
    assert violations == []
