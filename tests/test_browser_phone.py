"""Phones, laptops and print, in a real browser (Playwright driving Debian's Chromium, headless).

At 390 px (an ordinary phone) 我的任务 and the report form fit the screen: nothing scrolls
sideways and the submit button can be reached. Printed, a page has no navigation and the
compliance matrix comes out on A4 landscape. The review queue is cards with their buttons on
screen. At 1366 px the longest menu, in English, wraps instead of widening the page.
"""

import datetime
import os
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import IndicatorFactory, ProgressReportFactory, TaskFactory
from tests.test_browser_week import CHROMIUM_ARGS, live_url  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LONG_TITLE = "深入推进“放管服”改革，全面推行政务服务“一网通办”“一窗受理”“一次办好”，压缩审批时限百分之五十以上"


@pytest.fixture
def phone_world(reporting, assign):
    """The reporting world with what makes pages wide: long titles, a returned report with a
    long comment, a report overdue from last period, an indicator, several tasks."""
    r = reporting
    for number in ("3", "4", "5"):
        task = TaskFactory(
            campaign=r.campaign,
            number=number,
            title=LONG_TITLE,
            deadline=timezone.localdate() + datetime.timedelta(days=30),
        )
        assign(task, r.lead, "support")
    returned = r.campaign.tasks.get(number="3")
    ProgressReportFactory(
        task=returned, unit=r.lead, period=r.period, status="returned", submitted_at=timezone.now(),
        review_comment="请补充第三季度项目投资完成额、开工率和存在问题的具体整改措施，" * 4,
    )  # fmt: skip
    ProgressReportFactory(
        task=r.task, unit=r.support, period=r.period, status="submitted", submitted_at=timezone.now(),
        progress="完成项目用地预审，" * 20, problems="资金拨付进度偏慢。", next_steps="下周召开调度会。",
    )  # fmt: skip
    IndicatorFactory(task=r.task, name="新开工重大项目数", measure="个")
    return r


def open_browser(playwright, chromium_executable):
    return playwright.chromium.launch(executable_path=chromium_executable, headless=True, args=CHROMIUM_ARGS)


def signed_in_page(browser, base_url, user, **context_options):
    """A page whose browser holds `user`'s session (signed in through Django's test client)."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **context_options)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base_url,
            }
        ]
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    # Chromium reports each Content-Security-Policy violation on the console: the layout must
    # not rely on inline styles or scripts.
    page.csp_violations = []
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and page.csp_violations.append(message.text),
    )
    return page


def sideways_overflow(page) -> int:
    """How many CSS pixels the page is wider than the window (0 when nothing scrolls sideways)."""
    return page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")


def sideways_scrollers(page) -> list[str]:
    """Boxes inside the page that scroll sideways (a wide table in .table-responsive): the page
    itself fits, but what is in them has to be dragged into view."""
    return page.evaluate(
        """[...document.querySelectorAll("main *")]
            .filter((e) => ["auto", "scroll"].includes(getComputedStyle(e).overflowX) && e.scrollWidth > e.clientWidth + 1)
            .map((e) => e.tagName + "." + e.className)"""
    )


def within_screen(locator) -> bool:
    """Whether the element, scrolled to, lies across the screen's width: not cut off at the right
    nor hidden in a box that scrolls sideways."""
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]


def keep_screenshot(page, name):
    # DUBAN_SCREENSHOT_DIR=<folder> keeps the pictures to look at.
    folder = os.environ.get("DUBAN_SCREENSHOT_DIR")
    if folder:
        page.screenshot(path=os.path.join(folder, name), full_page=True)


def test_workspace_and_report_form_fit_a_phone(phone_world, live_url, chromium_executable, monkeypatch):  # noqa: F811
    from playwright.sync_api import expect, sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    r = phone_world
    report_url = live_url + reverse("tasks:report", args=[r.campaign.code, r.task.number, r.lead.pk, r.period.number])

    with sync_playwright() as playwright:
        browser = open_browser(playwright, chromium_executable)
        page = signed_in_page(browser, live_url, r.lead_liaison, viewport=PHONE, is_mobile=True, has_touch=True)

        page.goto(live_url + reverse("tasks:workspace"))
        expect(page.get_by_role("heading", name="我的任务")).to_be_visible()
        keep_screenshot(page, "phone-workspace.png")
        assert sideways_overflow(page) <= 0
        assert sideways_scrollers(page) == []
        # Each task is a card: its title, state and the button to file are all on screen.
        card = page.locator(".workspace-table tr", has_text="推进重大项目建设")
        assert card.bounding_box()["width"] <= PHONE["width"]
        file_report = card.get_by_role("link", name="填报")
        assert within_screen(file_report)

        page.goto(report_url)
        expect(page.locator("#id_progress")).to_be_visible()
        keep_screenshot(page, "phone-report.png")
        assert sideways_overflow(page) <= 0
        assert sideways_scrollers(page) == []  # the supporting units' reports are cards too
        submit = page.locator("button[name=submit]")
        assert within_screen(submit)
        # Clickable: the button itself, not something laid over it, receives the tap.
        page.fill("#id_progress", "召开项目推进会，完成3个项目评审。")
        submit.click(trial=True)
        assert page.csp_violations == []
        browser.close()
        connection.close()


def test_print_hides_navigation_matrix_on_a4_landscape(phone_world, live_url, chromium_executable, monkeypatch):  # noqa: F811
    from playwright.sync_api import expect, sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    r = phone_world
    matrix_url = live_url + reverse("tasks:matrix", args=[r.campaign.code, r.period.number])

    with sync_playwright() as playwright:
        browser = open_browser(playwright, chromium_executable)
        page = signed_in_page(browser, live_url, r.office)
        page.goto(matrix_url)
        expect(page.locator("nav.navbar")).to_be_visible()
        page.emulate_media(media="print")
        expect(page.locator("nav.navbar")).to_be_hidden()
        expect(page.locator("footer")).to_be_hidden()
        expect(page.get_by_role("link", name="上一期")).to_be_hidden()
        expect(page.locator(".matrix")).to_be_visible()
        assert (
            page.evaluate("getComputedStyle(document.querySelector('.matrix thead')).display") == "table-header-group"
        )
        # The states keep their colours on paper (a returned report awaiting its fix is orange; this
        # period is not yet due, so nothing shows as missing here).
        assert (
            page.evaluate("getComputedStyle(document.querySelector('.matrix-cell.matrix-returned')).color")
            == "rgb(253, 126, 20)"
        )

        keep_screenshot(page, "print-matrix.png")
        pdf = page.pdf(prefer_css_page_size=True)
        # Chromium writes each page's size as a MediaBox in points: A4 landscape is 842 × 595.
        boxes = [(float(w), float(h)) for w, h in re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)]
        assert boxes and all(round(w) == 842 and round(h) == 595 for w, h in boxes)

        # Other pages print on portrait A4 (the landscape rule is the matrix page's own).
        page.goto(live_url + reverse("tasks:workspace"))
        page.emulate_media(media="print")
        boxes = [
            (float(w), float(h))
            for w, h in re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", page.pdf(prefer_css_page_size=True))
        ]
        assert boxes and all(round(w) < round(h) for w, h in boxes)
        assert page.csp_violations == []
        browser.close()
        connection.close()


def test_the_review_queue_fits_a_phone(phone_world, live_url, chromium_executable, monkeypatch):  # noqa: F811
    """Each report to review is a card with its accept and return buttons on screen."""
    from playwright.sync_api import expect, sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    r = phone_world
    with sync_playwright() as playwright:
        browser = open_browser(playwright, chromium_executable)
        page = signed_in_page(browser, live_url, r.office, viewport=PHONE, is_mobile=True, has_touch=True)
        page.goto(live_url + reverse("tasks:review", args=[r.campaign.code]) + f"?period={r.period.number}")
        card = page.locator(".review-table tr", has_text="完成项目用地预审")
        expect(card).to_be_visible()
        keep_screenshot(page, "phone-review.png")
        assert sideways_overflow(page) <= 0
        assert sideways_scrollers(page) == []
        assert within_screen(card.get_by_role("button", name="采纳"))
        assert page.csp_violations == []
        browser.close()
        connection.close()


def test_the_menu_fits_a_laptop_screen_in_english(reporting, live_url, chromium_executable, monkeypatch):  # noqa: F811
    """The office's and an administrator's menus (the longest) in English at 1366 px: the links
    wrap onto a second row instead of widening the page or breaking a name letter by letter."""
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    reporting.office.is_staff = True
    reporting.office.save()
    with sync_playwright() as playwright:
        browser = open_browser(playwright, chromium_executable)
        page = signed_in_page(browser, live_url, reporting.office, viewport={"width": 1366, "height": 800})
        page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_url}])
        page.goto(live_url + reverse("dashboards:overview"))
        assert page.locator("#main-nav").get_by_text("Administration").is_visible()
        assert sideways_overflow(page) == 0
        name, link = page.locator("#main-nav .navbar-text"), page.locator("#main-nav .nav-link").first
        assert name.bounding_box()["height"] <= link.bounding_box()["height"] + 1  # one line, as a link
        keep_screenshot(page, "menu-english-1366.png")
        browser.close()
