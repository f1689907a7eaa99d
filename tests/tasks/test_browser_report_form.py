"""The report form's limits and evidence removal in a real browser (Playwright, headless Chromium):
the counter under each limited text follows typing, and removing evidence asks first."""

import pytest
from django.db import connection
from django.urls import reverse

from tasks.models import ProgressReport
from tests.factories import PASSWORD
from tests.test_browser_week import CHROMIUM_ARGS, live_url  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_counter_and_evidence_removal(reporting, live_url, chromium_executable, tmp_path, monkeypatch):  # noqa: F811
    from playwright.sync_api import expect, sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    r = reporting
    report_url = live_url + reverse("tasks:report", args=[r.campaign.code, r.task.number, r.lead.pk, r.period.number])
    evidence = tmp_path / "错传的材料.pdf"
    evidence.write_bytes(PDF)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_executable, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai").new_page()
        page.set_default_timeout(15_000)
        violations = []
        page.on(
            "console", lambda message: "Content Security Policy" in message.text and violations.append(message.text)
        )
        page.goto(live_url + reverse("login"))
        page.fill("input[name=username]", r.lead_liaison.username)
        page.fill("input[name=password]", PASSWORD)
        page.click("form button[type=submit]")
        page.goto(report_url)

        counter = page.locator('[data-counter-for="id_progress"]')
        expect(counter).to_have_text("0 / 2000")
        page.fill("#id_progress", "召开推进会")
        expect(counter).to_have_text("5 / 2000")
        page.fill("#id_progress", "进" * 2000)
        expect(counter).to_have_text("2000 / 2000")
        expect(counter).to_have_class("form-text text-end char-counter text-danger")
        page.locator("#id_progress").press("End")
        page.keyboard.type("多")  # maxlength: the browser takes nothing more
        expect(counter).to_have_text("2000 / 2000")

        page.set_input_files("#id_files", str(evidence))
        page.click("button[name=save]")
        expect(page.get_by_role("link", name="错传的材料.pdf")).to_be_visible()
        remove = page.locator(".attachment-remove")
        page.once("dialog", lambda dialog: dialog.dismiss())  # changed their mind: nothing happens
        remove.click()
        page.once("dialog", lambda dialog: dialog.accept())
        remove.click()
        expect(page.get_by_role("link", name="错传的材料.pdf")).to_have_count(0)
        browser.close()
        connection.close()
    assert not ProgressReport.objects.get().attachments.exists()
    assert not violations, violations
