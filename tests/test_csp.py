"""The Content-Security-Policy, and every page as every role satisfying it.

The crawl starts from each role's start pages (the admin's too, for staff) and follows every link
within the app, on the demo as `make run` loads it plus a week of jobs (so inboxes and notices
have content). Each page must carry the policy and hold nothing it would block: no inline script
without the request's nonce, no on*= event handler, no style attribute, no javascript: URL.
"""

import io
import re
from collections import Counter, deque
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.models import User
from demo.loader import load_demo
from tests import test_browser_week
from tests.conftest import at

pytestmark = pytest.mark.django_db
live_url = test_browser_week.live_url  # the app served for one browser test

ROLES = ["anonymous", "liaison1", "liaison2", "head1", "office", "leader", "admin"]
# Links that change state or leave the HTML pages; the rest of the app is crawled.
SKIP_PATHS = (
    settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/" + settings.STATIC_URL,
    "/accounts/logout/",
    "/i18n/",
)
# Pages of one shape (ids replaced, query keys without values) visited at most this often:
# enough to meet each page with and without its variants, without visiting every report.
PER_SHAPE = 2
PER_ADMIN_SHAPE = 1  # the admin's pages come from a few templates shared by every model
ADMIN = "/admin/"
MAX_PAGES = 1500
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href"}


def policy(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def test_policy_allows_nothing_from_outside_and_nothing_inline(client):
    directives = policy(client.get(reverse("login")))
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["form-action"] == ["'self'"]
    for name, values in directives.items():
        assert "'unsafe-inline'" not in values and "'unsafe-eval'" not in values, name
        assert all(value.startswith("'") or value in {"data:"} for value in values), f"{name} allows {values}"


class PageAudit(HTMLParser):
    """Collects what the policy would block, and the links to follow."""

    def __init__(self, nonce: str | None):
        super().__init__(convert_charrefs=True)
        self.nonce = nonce
        self.problems: list[str] = []
        self.links: list[str] = []
        self._inline_script: str | None = None

    def handle_starttag(self, tag, attrs):
        named = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…> event handler")
            if name == "style":
                self.problems.append(f"<{tag} style={value!r}>")
            if name in URL_ATTRIBUTES and (value or "").strip().lower().replace("\t", "").startswith("javascript:"):
                self.problems.append(f"<{tag} {name}={value!r}>")
        if tag == "script" and "src" not in named:
            kind = (named.get("type") or "").lower()
            if kind not in {"application/json", "application/ld+json"} and (
                not self.nonce or named.get("nonce") != self.nonce
            ):
                self._inline_script = kind
        if tag == "a" and named.get("href"):
            self.links.append(named["href"])

    def handle_data(self, data):
        if self._inline_script is not None and data.strip():
            self.problems.append(f"inline <script> without the nonce: {data.strip()[:80]!r}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._inline_script = None


def test_audit_finds_what_the_policy_blocks():
    page = PageAudit(nonce="abc")
    page.feed(
        '<p style="color:red">x</p><button onclick="go()">y</button><a href=" javascript:go()">z</a>'
        '<script>alert(1)</script><script nonce="abc">ok()</script><script src="/static/a.js"></script>'
        '<script type="application/json" id="d">{"a": 1}</script><a href="/tasks/">t</a>'
    )
    assert len(page.problems) == 4, page.problems
    assert "alert(1)" in page.problems[-1]
    assert page.links == [" javascript:go()", "/tasks/"]


def audit(response) -> tuple[list[str], list[str]]:
    """What on this response breaks the policy, and its links."""
    directives = policy(response)
    if not directives.get("default-src"):
        return ["no Content-Security-Policy header"], []
    if not response.get("Content-Type", "").startswith("text/html"):
        return [], []
    nonces = [value[len("'nonce-") : -1] for value in directives.get("script-src", []) if value.startswith("'nonce-")]
    parser = PageAudit(nonces[0] if nonces else None)
    parser.feed(response.content.decode())
    parser.close()
    return parser.problems, parser.links


def shape(url: str) -> str:
    parts = urlsplit(url)
    keys = sorted({key for key, _value in parse_qsl(parts.query, keep_blank_values=True)})
    return re.sub(r"\d+", "N", parts.path) + "?" + "&".join(keys)


def normalised(url: str) -> str | None:
    """The app-relative URL to visit for a link, or None for one not to follow.

    The admin carries the list's filters along in _changelist_filters, and its filter links keep
    the filters already chosen: followed as such, the combinations never end. One filter at a time
    shows every filter's page; the preserved filters are dropped.
    """
    parts = urlsplit(url)
    if parts.netloc and parts.netloc != "testserver" or parts.scheme not in ("", "http"):
        return None  # mailto:, another host: not ours to crawl (test_offline_pages forbids other hosts)
    if parts.path.startswith(SKIP_PATHS):
        return None
    # Sorting a list or counting its filters' options (the admin's o= and _facets=) changes no markup.
    dropped = {"_changelist_filters", "o", "_facets"}
    query = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True) if key not in dropped]
    if len(query) > 1:
        return None
    return parts.path + (f"?{urlencode(query)}" if query else "")


def crawl(client: Client, start: list[str]) -> tuple[dict[str, list[str]], Counter]:
    """Visit every page reachable from `start` through links; return the problems per URL and
    the status codes met."""
    queue, seen, shapes = deque(start), set(start), Counter()
    problems: dict[str, list[str]] = {}
    statuses: Counter = Counter()
    while queue and len(seen) <= MAX_PAGES:
        url = queue.popleft()
        response = client.get(url)
        statuses[response.status_code] += 1
        found, links = audit(response)
        if response.status_code >= 500:
            found = [f"status {response.status_code}", *found]
        if found:
            problems[url] = found
        if response.status_code in (301, 302):
            links = [response["Location"]]
        for link in links:
            target = normalised(urljoin(url, link))
            if target is None or target in seen:
                continue
            if shapes[shape(target)] >= (PER_ADMIN_SHAPE if target.startswith(ADMIN) else PER_SHAPE):
                continue
            shapes[shape(target)] += 1
            seen.add(target)
            queue.append(target)
    assert len(seen) <= MAX_PAGES, "the crawl did not end: raise MAX_PAGES or narrow the shapes"
    return problems, statuses


@pytest.fixture
def demo_week():
    """The demo as of Monday 23 November 2026, then a week of jobs: reminders, escalation and
    notices, so inboxes and the notice pages have something to show."""
    load_demo(now=at(2026, 11, 23))
    for moment in ("2026-11-26T09:30", "2026-11-27T14:30", "2026-11-27T18:30", "2026-12-01T18:30"):
        for job in ("report_reminders", "overdue_sweep", "deadline_warnings", "notice_followup"):
            call_command("runjob", job, "--now", moment, stdout=io.StringIO())


@pytest.mark.slow
def test_every_page_as_every_role_satisfies_the_policy(demo_week):
    results = {}
    for role in ROLES:
        client = Client(raise_request_exception=False)
        start = [reverse("home"), reverse("login")]
        if role != "anonymous":
            user = User.objects.get(username=role)
            client.force_login(user)
            start = [reverse("home")] + ([reverse("admin:index")] if user.is_staff else [])
        results[role] = crawl(client, start)

    blocked = {
        role: {url: [found for found in page if not found.startswith("status ")] for url, page in problems.items()}
        for role, (problems, _statuses) in results.items()
    }
    assert not {role: pages for role, pages in blocked.items() if any(pages.values())}, blocked
    errors = {
        role: [url for url, page in problems.items() if "status 500" in page]
        for role, (problems, _statuses) in results.items()
    }
    assert not any(errors.values()), f"links to pages that fail: {errors}"
    # The crawl really went around: each unit role reaches its tasks and reports, the office its
    # review pages, the administrator the admin of every model.
    pages = {role: statuses[200] for role, (_problems, statuses) in results.items()}
    assert pages["anonymous"] >= 1
    assert min(pages["liaison1"], pages["liaison2"], pages["head1"], pages["office"], pages["leader"]) >= 15, pages
    assert pages["admin"] >= 150, pages


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_admin_scripts_break_no_policy_in_a_browser(live_url, chromium_executable, monkeypatch):
    """The crawl reads markup; the admin's scripts (calendar, autocomplete, the periodic task form)
    also build markup in the browser, where only Chromium can tell what the policy blocks."""
    from playwright.sync_api import expect, sync_playwright

    from campaigns.models import Campaign
    from supervision.schedules import install_default_schedules
    from tests.factories import PASSWORD, CampaignFactory, UserFactory

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    UserFactory(username="root", is_staff=True, is_superuser=True)
    campaign = CampaignFactory()
    install_default_schedules()
    violations = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_executable, headless=True, args=test_browser_week.CHROMIUM_ARGS
        )
        page = browser.new_context(locale="zh-CN").new_page()
        page.set_default_timeout(15_000)
        page.on(
            "console", lambda message: "Content Security Policy" in message.text and violations.append(message.text)
        )
        page.expose_function("reportCspViolation", lambda what: violations.append(what))
        page.add_init_script(
            "document.addEventListener('securitypolicyviolation', function (event) {"
            " window.reportCspViolation(event.violatedDirective + ' ' + event.blockedURI + ' ' + location.pathname); });"
        )
        page.goto(live_url + reverse("admin:login"))
        page.fill("#id_username", "root")
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        expect(page.locator("#content")).to_be_visible()
        # A campaign: date fields with the calendar and an autocomplete of units.
        page.goto(live_url + reverse("admin:campaigns_campaign_change", args=[campaign.pk]))
        page.locator(".datetimeshortcuts a").first.click()
        page.locator(".select2-selection").first.click()
        page.keyboard.press("Escape")
        # The periodic task form of django_celery_beat, with its script moved to a static file.
        page.goto(live_url + reverse("admin:django_celery_beat_periodictask_add"))
        page.select_option("#id_crontab", index=1)
        expect(page.locator(".field-crontab .help")).to_contain_text("Translation:")
        for name in (
            "admin:index",
            "admin:tasks_progressreport_changelist",
            "admin:common_calendaroverride_changelist",
        ):
            page.goto(live_url + reverse(name))
        page.wait_for_timeout(300)
        browser.close()
    connection.close()
    assert Campaign.objects.count() == 1
    assert violations == []
