"""Issue 11 in a real browser (Playwright driving Debian's Chromium, headless).

The office exports the campaign's ledger (工作台账) from the export page and gets an .xlsx that
opens with the task in it; drafts last week's bulletin (督查通报) from the ledger and publishes it
as 第1期. Then liaison1 of the lead unit reads the bulletin and opens its unit's score page (考核),
which explains the score line by line. No Content-Security-Policy violation on any page.
"""

import datetime

import openpyxl
import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from assessment.services import scores_compute
from bulletins.models import Bulletin
from units.models import Membership

from .factories import PASSWORD, ProgressReportFactory, TaskFactory, UnitFactory, campaign_under_way
from .test_browser_week import CHROMIUM_ARGS, live_url  # noqa: F401 (fixture)

TASK_TITLE = "推进政务服务一网通办"


@pytest.fixture
def outputs(db, assign, member):
    """A campaign begun three weeks ago: one task led by 区政府办公室 (liaison1), which filed
    every due report on time, and supported by 区财政局, which filed none; scores computed."""
    now = timezone.now()
    today = timezone.localdate(now)
    campaign = campaign_under_way(code="outputs", title="营商环境攻坚年")
    task = TaskFactory(campaign=campaign, number="1", title=TASK_TITLE, deadline=today + datetime.timedelta(days=60))
    lead, support = UnitFactory(name="区政府办公室"), UnitFactory(name="区财政局")
    assign(task, lead, "lead")
    assign(task, support, "support")
    for period in campaign.periods.filter(due_at__lte=now):
        ProgressReportFactory(
            task=task, unit=lead, period=period, status="submitted", percent_complete=40,
            submitted_at=period.due_at - datetime.timedelta(days=1), progress=f"第{period.number}周：完成审批事项梳理。",
        )  # fmt: skip
    scores_compute(campaign=campaign, now=now)
    return {
        "campaign": campaign,
        "lead": lead,
        "liaison1": member(lead, username="liaison1"),
        "office": member(UnitFactory(name="区委区政府督查室"), Membership.Role.OFFICE, username="office"),
    }


def watch(page, violations, errors):
    """Collect Content-Security-Policy violations and script errors of every page."""
    page.on("console", lambda message: "Content Security Policy" in message.text and violations.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.expose_function("reportCspViolation", lambda what: violations.append(what))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', function (event) {"
        " window.reportCspViolation(event.violatedDirective + ' ' + event.blockedURI + ' ' + document.location.pathname); });"
    )


def sign_in(page, url, username):
    page.goto(url + reverse("login"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_office_exports_and_publishes_and_a_unit_reads(
    outputs,
    live_url,  # noqa: F811
    chromium_executable,
    tmp_path,
    monkeypatch,  # noqa: F811
):
    from playwright.sync_api import expect, sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are safe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    url, campaign = live_url, outputs["campaign"]
    violations, errors = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_executable, headless=True, args=CHROMIUM_ARGS)

        # The office: the ledger exported from the export page.
        office = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", accept_downloads=True).new_page()
        office.set_default_timeout(15_000)
        watch(office, violations, errors)
        sign_in(office, url, "office")
        office.goto(url + reverse("exports:index") + f"?kind=ledger&campaign={campaign.code}")
        with office.expect_download() as download:
            office.click("#export-submit")
        saved = tmp_path / "ledger.xlsx"
        download.value.save_as(saved)
        assert download.value.suggested_filename.endswith(".xlsx")
        sheet = openpyxl.load_workbook(saved, read_only=True).worksheets[0]
        cells = [str(value) for row in sheet.iter_rows(values_only=True) for value in row if value is not None]
        assert any(campaign.title in text for text in cells)  # the title row
        assert TASK_TITLE in cells

        # The office: last week's bulletin drafted from the ledger (the form opens on it), then published.
        office.goto(url + reverse("bulletins:new") + f"?campaign={campaign.code}")
        office.locator("form.bulletin-new-form button[type=submit]").click()
        office.wait_for_url(lambda address: "/bulletins/" in address and address.rstrip("/").split("/")[-1].isdigit())
        expect(office.locator("body")).to_contain_text("区财政局")  # named among the units that did not report
        office.get_by_role("link", name="发布").click()
        office.locator("form button[type=submit]", has_text="发布").click()
        expect(office.locator("body")).to_contain_text("第1期")

        # liaison1: the published bulletin, and the unit's score explained line by line.
        unit = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai").new_page()
        unit.set_default_timeout(15_000)
        watch(unit, violations, errors)
        sign_in(unit, url, "liaison1")
        unit.goto(url + reverse("bulletins:list"))
        unit.get_by_role("link", name=campaign.title).first.click()
        expect(unit.locator("body")).to_contain_text("第1期")
        expect(unit.locator("body")).to_contain_text("区政府办公室")
        unit.goto(url + reverse("assessment:unit", args=[campaign.code, outputs["lead"].pk]))
        expect(unit.locator("body")).to_contain_text("按时")  # a line for the reports filed on time
        browser.close()
        # Inside Playwright's block the ORM ran on a connection of its own: close it, or it
        # outlives the test database.
        connection.close()

    assert Bulletin.objects.get().number == 1
    assert violations == []
    assert errors == []
