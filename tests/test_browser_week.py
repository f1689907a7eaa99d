"""The reporting week in a real browser (Playwright driving Debian's Chromium, headless).

liaison1 opens a task, saves a draft, attaches a PDF and submits; office returns it with a
comment; liaison1 reads the comment, fixes and resubmits; office accepts; leader comments;
the lead unit applies for completion and office closes the task off.
"""

import datetime
import os

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from campaigns.periods import current_period
from campaigns.services import ensure_reporting_periods
from tasks.models import ProgressReport, Task
from units.models import Membership

from .factories import PASSWORD, CampaignFactory, LeaderFactory, TaskFactory, UnitFactory, UserFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture
def week(db, assign, member):
    """A campaign running around today; liaison1 of the lead unit, office, leader."""
    today = timezone.localdate()
    monday = today - datetime.timedelta(days=today.weekday())
    campaign = CampaignFactory(
        code="week",
        title="机关效能建设年",
        start_date=monday - datetime.timedelta(weeks=4),
        end_date=monday + datetime.timedelta(weeks=8),
    )
    ensure_reporting_periods(campaign)
    task = TaskFactory(
        campaign=campaign, number="1", title="推进重大项目建设", deadline=today + datetime.timedelta(days=40)
    )
    lead = UnitFactory(name="区政府办公室")
    assign(task, lead, "lead")
    assign(task, UnitFactory(name="区财政局"), "support")
    leader = UserFactory(username="leader", full_name="王立新")
    LeaderFactory(user=leader, name="王立新")
    return {
        "campaign": campaign,
        "task": task,
        "period": current_period(campaign),
        "liaison1": member(lead, username="liaison1"),
        "office": member(UnitFactory(name="区委区政府督查室"), Membership.Role.OFFICE, username="office"),
        "leader": leader,
    }


@pytest.fixture
def live_url(transactional_db):
    """The app served on 127.0.0.1 for this test only (pytest-django's live_server lives for the
    whole session and keeps a database connection past the test database's teardown)."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.test.testcases import LiveServerThread

    server = LiveServerThread("127.0.0.1", StaticFilesHandler, port=0)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    if server.error:
        raise server.error
    yield f"http://127.0.0.1:{server.port}"
    server.terminate()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_reporting_week(week, live_url, chromium_executable, tmp_path, monkeypatch):
    from playwright.sync_api import expect, sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are safe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    task, period = week["task"], week["period"]
    evidence = tmp_path / "项目推进会纪要.pdf"
    evidence.write_bytes(PDF)
    url = live_url
    task_url = url + reverse("tasks:detail", args=[task.campaign.code, task.number])
    report_url = url + reverse(
        "tasks:report", args=[task.campaign.code, task.number, task.assignments.get(role="lead").unit_id, period.number]
    )
    review_url = url + reverse("tasks:review", args=[task.campaign.code])

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_executable, headless=True, args=CHROMIUM_ARGS)

        # Whatever the Content-Security-Policy blocks on any page: Chromium's console message and
        # the page's securitypolicyviolation event (reported to Python through an exposed function).
        csp_violations = []

        def watch_csp(page):
            page.on(
                "console",
                lambda message: "Content Security Policy" in message.text and csp_violations.append(message.text),
            )
            page.expose_function("reportCspViolation", lambda what: csp_violations.append(what))
            page.add_init_script(
                "document.addEventListener('securitypolicyviolation', function (event) {"
                " window.reportCspViolation(event.violatedDirective + ' ' + event.blockedURI + ' ' + document.location.pathname); });"
            )

        def signed_in(username):
            page = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai").new_page()
            page.set_default_timeout(15_000)
            watch_csp(page)
            page.goto(url + reverse("login"))
            page.fill("input[name=username]", username)
            page.fill("input[name=password]", PASSWORD)
            page.click("form button[type=submit]")
            expect(page).not_to_have_url(url + reverse("login"))
            return page

        liaison = signed_in("liaison1")
        # The workspace lists the task; the liaison opens it and the report form.
        liaison.goto(url + reverse("tasks:workspace"))
        expect(liaison.get_by_role("link", name="推进重大项目建设")).to_be_visible()
        liaison.goto(task_url)
        liaison.goto(report_url)
        liaison.fill("#id_progress", "召开项目推进会，完成3个项目评审。")
        liaison.fill("#id_percent_complete", "40")
        liaison.click("button[name=save]")
        expect(liaison.locator("#id_progress")).to_have_value("召开项目推进会，完成3个项目评审。")
        assert ProgressReport.objects.get().status == "draft"

        liaison.set_input_files("#id_files", str(evidence))
        liaison.click("button[name=submit]")
        expect(liaison.get_by_text("项目推进会纪要.pdf")).to_be_visible()
        report = ProgressReport.objects.get()
        assert report.status == "submitted" and report.attachments.count() == 1

        office = signed_in("office")
        office.goto(review_url)
        office.locator("summary", has_text="退回").first.click()
        office.fill(f"#reason-{report.pk}", "请补充投资完成额。")
        office.locator(f"form:has(#reason-{report.pk}) button[type=submit]").click()
        expect(office.locator("body")).to_contain_text("退回")
        assert ProgressReport.objects.get().status == "returned"

        liaison.goto(report_url)
        expect(liaison.locator("body")).to_contain_text("请补充投资完成额。")
        liaison.fill("#id_progress", "召开项目推进会，完成3个项目评审，完成投资1.2亿元。")
        liaison.click("button[name=submit]")
        expect(liaison.locator("body")).to_contain_text("完成投资1.2亿元")
        assert ProgressReport.objects.get().status == "submitted"

        office.goto(review_url)
        office.click(
            f"form[action='{reverse('tasks:review-decide', args=[report.pk])}'] button[name=decision][value=accept]"
        )
        expect(office.locator("body")).not_to_contain_text("完成投资1.2亿元")  # the queue holds submitted reports only
        assert ProgressReport.objects.get().status == "accepted"

        leader = signed_in("leader")
        leader.goto(task_url)
        leader.fill("#id_text", "抓紧推进，年底前见实效。")
        leader.locator("form:has(#id_text) button[type=submit]").click()
        expect(leader.locator(".leader-comment")).to_contain_text("抓紧推进，年底前见实效。")

        liaison.goto(task_url)
        expect(liaison.locator(".leader-comment")).to_contain_text("抓紧推进")
        liaison.locator("summary", has_text="申请办结").click()
        liaison.fill("#id_summary", "三个项目全部开工，任务完成。")
        liaison.locator("form:has(#id_summary) button[type=submit]").click()
        expect(liaison.locator("body")).to_contain_text("三个项目全部开工，任务完成。")

        office.goto(url + reverse("tasks:requests"))
        office.click("button[name=decision][value=approve]")
        office.goto(task_url)
        expect(office.locator("body")).to_contain_text("已销号")
        office.screenshot(path=str(tmp_path / "closed.png"), full_page=True)
        if os.environ.get("DUBAN_KEEP_SCREENSHOTS"):
            office.screenshot(path=os.environ["DUBAN_KEEP_SCREENSHOTS"], full_page=True)
        browser.close()
        assert csp_violations == []
        # Inside Playwright's block the ORM ran in another context (an event loop is running),
        # on a connection of its own: close it, or it outlives the test database.
        connection.close()

    task.refresh_from_db()
    assert task.status == Task.Status.CLOSED and task.closed_at is not None
