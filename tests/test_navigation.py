"""The header's navigation marks the current page; the favicon; the print style sheet."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.urls import get_resolver, reverse

from config.navigation import section_of
from tests.factories import ProgressReportFactory

pytestmark = pytest.mark.django_db

NAV = re.compile(r'<div class="collapse navbar-collapse" id="main-nav">(.*?)</nav>', re.DOTALL)
LINK = re.compile(r"<a\b[^>]*>", re.DOTALL)


def current_items(response):
    """(class, href) of each header link marked as the current page."""
    nav = NAV.search(response.content.decode())
    assert nav, "no navigation on the page"
    items = []
    for tag in LINK.findall(nav.group(1)):
        if 'aria-current="page"' in tag:
            items.append(
                (re.search(r'class="([^"]*)"', tag).group(1).split(), re.search(r'href="([^"]*)"', tag).group(1))
            )
    return items


def assert_current(response, url):
    assert response.status_code == 200
    items = current_items(response)
    assert [href for _, href in items] == [url]
    assert "active" in items[0][0]


def test_a_liaisons_pages_mark_their_item(client, reporting):
    r = reporting
    client.force_login(r.lead_liaison)
    workspace = reverse("tasks:workspace")
    campaigns = reverse("campaigns:list")
    cases = [
        (workspace, workspace),
        (reverse("tasks:report", args=[r.campaign.code, r.task.number, r.lead.pk, r.period.number]), workspace),
        (campaigns, campaigns),
        (reverse("campaigns:detail", args=[r.campaign.code]), campaigns),
        (reverse("tasks:detail", args=[r.campaign.code, r.task.number]), campaigns),
        (reverse("units:list"), reverse("units:list")),
        (reverse("units:detail", args=[r.lead.pk]), reverse("units:list")),
        (reverse("notifications:inbox"), reverse("notifications:inbox")),
        (reverse("notifications:preferences"), reverse("notifications:inbox")),
        (reverse("supervision:notices"), reverse("supervision:notices")),
    ]
    for page, item in cases:
        assert_current(client.get(page, follow=True), item)


def test_the_offices_pages_mark_their_item(client, reporting):
    r = reporting
    ProgressReportFactory(task=r.task, unit=r.lead, period=r.past, status="submitted", submitted_at=r.past.due_at)
    client.force_login(r.office)
    review = reverse("tasks:review-home")
    cases = [
        (review, review),
        (reverse("tasks:review", args=[r.campaign.code]), review),
        (reverse("tasks:requests"), reverse("tasks:requests")),
        (reverse("campaigns:import"), reverse("campaigns:import")),
        # The matrix is opened from the campaign's page.
        (reverse("tasks:matrix", args=[r.campaign.code, r.past.number]), reverse("campaigns:list")),
    ]
    for page, item in cases:
        assert_current(client.get(page, follow=True), item)


def test_a_page_outside_the_navigation_marks_nothing(client, reporting):
    client.force_login(reporting.lead_liaison)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    nav = NAV.search(response.content.decode())
    assert nav is None or 'aria-current="page"' not in nav.group(1)


def test_every_page_of_the_apps_belongs_to_an_item():
    # A page added later falls under its namespace's item unless it is listed.
    names = [
        f"{namespace}:{name}"
        for namespace, (_, resolver) in get_resolver().namespace_dict.items()
        if namespace in {"campaigns", "tasks", "units", "notifications", "supervision"}
        for name in resolver.reverse_dict
        if isinstance(name, str)
    ]
    assert names
    missing = [name for name in names if section_of(name, name.split(":")[0]) is None]
    assert set(missing) <= {"supervision:urge"}  # a POST-only action, no page of its own
    assert section_of("units:import", "units") == "import"  # the directory's upload, on the import page


def test_the_favicon_is_served_and_linked(client):
    # Browsers fetch /favicon.ico by themselves, signed in or not.
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == static("img/favicon.ico")
    icon = finders.find("img/favicon.ico")
    with open(icon, "rb") as f:
        assert f.read(4) == b"\x00\x00\x01\x00"  # an ICO file
    with open(finders.find("img/favicon.svg"), encoding="utf-8") as f:
        assert f.read().lstrip().startswith("<svg")

    page = client.get(reverse("login")).content.decode()
    assert f'<link rel="icon" href="{static("img/favicon.ico")}"' in page
    assert f'<link rel="icon" href="{static("img/favicon.svg")}" type="image/svg+xml">' in page


def print_rules() -> str:
    with open(finders.find("css/duban.css"), encoding="utf-8") as f:
        css = f.read()
    start = css.index("@media print {")
    return css[start : css.index("\n}", start)]


def test_the_print_style_sheet_hides_navigation_and_repeats_table_headers(client, reporting):
    rules = print_rules()
    hidden = re.search(r"\n\s*([^{}]*)\{\s*display:\s*none\s*!important;\s*\}", rules).group(1)
    assert {".navbar", "footer", ".btn", "button"} <= {selector.strip() for selector in hidden.split(",")}
    assert re.search(r"\bthead\s*\{\s*display:\s*table-header-group;", rules)
    assert re.search(r"\.table-responsive\s*\{\s*overflow:\s*visible", rules)  # wide tables print whole

    client.force_login(reporting.office)
    page = client.get(reverse("tasks:workspace")).content.decode()
    assert f'<link rel="stylesheet" href="{static("css/duban.css")}">' in page


def test_the_matrix_prints_on_a4_landscape(client, reporting):
    with open(finders.find("css/duban.css"), encoding="utf-8") as f:
        css = f.read()
    assert re.search(r"@page matrix\s*\{\s*size:\s*A4 landscape;", css)
    assert re.search(r"body\.page-matrix\s*\{\s*page:\s*matrix;", print_rules())

    r = reporting
    client.force_login(r.office)
    matrix = client.get(reverse("tasks:matrix", args=[r.campaign.code, r.past.number])).content.decode()
    assert re.search(r'<body class="[^"]*\bpage-matrix\b', matrix)
    other = client.get(reverse("campaigns:detail", args=[r.campaign.code])).content.decode()
    assert not re.search(r'<body class="[^"]*\bpage-matrix\b', other)


def test_the_home_pages_mark_their_item_and_each_user_is_offered_theirs(client, reporting):
    r = reporting
    for user, page in (
        (r.office, "dashboards:desk"),
        (r.leader, "dashboards:leader"),
        (r.lead_liaison, "dashboards:unit"),
    ):
        client.force_login(user)
        assert_current(client.get(reverse("home"), follow=True), reverse(page))
        # Only one's own home page is in the navigation.
        nav = NAV.search(client.get(reverse(page)).content.decode()).group(1)
        others = {"dashboards:desk", "dashboards:leader", "dashboards:unit"} - {page}
        assert all(f'href="{reverse(other)}"' not in nav for other in others)


def test_every_state_a_page_shows_has_its_colour():
    """A state badge is white text: without a background rule of its own it is invisible."""
    from tasks.selectors.states import STATE_LABELS

    with open(finders.find("css/duban.css"), encoding="utf-8") as f:
        css = f.read()
    coloured = {
        name
        for selectors, body in re.findall(r"([^{}]+)\{([^}]*)\}", css)
        if "background-color" in body
        for name in re.findall(r"\.report-state-(\w+)", selectors)
    }
    assert set(STATE_LABELS) <= coloured, sorted(set(STATE_LABELS) - coloured)
