"""Pages load on an intranet with no internet access: every script, style and link is our own."""

import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.staticfiles import finders
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from campaigns.models import CampaignImport
from tests.factories import (
    CampaignFactory,
    LeaderFactory,
    MembershipFactory,
    MilestoneFactory,
    PhaseFactory,
    ProgressReportFactory,
    SectionFactory,
    TaskAssignmentFactory,
    TaskFactory,
    UnitAliasFactory,
    UserFactory,
)
from units.models import Membership

pytestmark = pytest.mark.django_db

LINK = re.compile(r"""\b(?:src|href)\s*=\s*["']([^"']*)["']""", re.IGNORECASE)


@pytest.fixture
def office_client(client):
    user = UserFactory(username="office", is_staff=True, is_superuser=True)
    MembershipFactory(user=user, role=Membership.Role.OFFICE)
    client.force_login(user)
    return client


@pytest.fixture
def page_urls():
    """One URL of every page, with data enough that every part of each page renders."""
    campaign = CampaignFactory(code="efficiency-2026", document_number="大政办发〔2026〕1号")
    phase = PhaseFactory(campaign=campaign)
    section = SectionFactory(campaign=campaign)
    parent = TaskFactory(campaign=campaign, number="5", section=section, phase=phase)
    task = TaskFactory(campaign=campaign, number="5.1", parent=parent, section=section, phase=phase)
    assignment = TaskAssignmentFactory(task=task)
    task.leaders.add(LeaderFactory())
    MilestoneFactory(task=task)
    report = ProgressReportFactory(task=task, unit=assignment.unit, status="submitted", submitted_at=timezone.now())
    UnitAliasFactory(unit=assignment.unit)
    # The add page of every model a superuser may add (not access attempts or import records).
    request = RequestFactory().get("/admin/")
    request.user = UserFactory.build(is_active=True, is_staff=True, is_superuser=True)
    admin_pages = [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}")
        for model, model_admin in admin.site._registry.items()
        for page in ("changelist", "add")
        if page == "changelist" or (model is not CampaignImport and model_admin.has_add_permission(request))
    ] + [
        reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
        for obj in (campaign, task, assignment.unit, report)
    ]
    return [
        reverse("campaigns:list"),
        reverse("campaigns:detail", args=[campaign.code]),
        reverse("tasks:detail", args=[campaign.code, parent.number]),
        reverse("tasks:detail", args=[campaign.code, task.number]),
        reverse("units:list"),
        reverse("units:detail", args=[assignment.unit.pk]),
        reverse("tasks:review", args=[campaign.code]),
        reverse("tasks:matrix", args=[campaign.code, report.period.number]),
        reverse("tasks:requests"),
        reverse("dashboards:campaign", args=[campaign.code]),
        reverse("dashboards:overview"),
        reverse("admin:index"),
        *admin_pages,
    ]


def links(content: str) -> list[str]:
    return LINK.findall(content)


def render_all(client, urls) -> dict[str, str]:
    pages = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = response.content.decode()
    return pages


def test_no_page_links_to_another_host(client, office_client, page_urls):
    pages = render_all(office_client, page_urls)
    client.logout()
    pages["login"] = client.get(reverse("login")).content.decode()
    for url, content in pages.items():
        assert links(content), url
        for link in links(content):
            parts = urlsplit(link)
            assert not parts.scheme.startswith("http") and not parts.netloc, f"{url} links to {link}"


def static_paths(pages: dict[str, str]) -> set[str]:
    prefix = "/" + settings.STATIC_URL.lstrip("/")
    return {
        urlsplit(link).path.removeprefix(prefix)
        for content in pages.values()
        for link in links(content)
        if link.startswith(prefix)
    }


def test_our_own_static_files_exist(office_client, page_urls):
    paths = static_paths(render_all(office_client, page_urls))
    assert "css/duban.css" in paths
    for path in paths:
        if not path.startswith("vendor/"):
            assert finders.find(path), path


def test_vendored_static_files_exist(office_client, page_urls):
    if not (settings.NODE_MODULES / "bootstrap").is_dir():
        pytest.skip("node_modules/bootstrap is missing: run `npm ci` (make setup) to check the vendored files")
    paths = static_paths(render_all(office_client, page_urls))
    vendored = {path for path in paths if path.startswith("vendor/")}
    assert {
        "vendor/bootstrap/css/bootstrap.min.css",
        "vendor/bootstrap/js/bootstrap.bundle.min.js",
        "vendor/bootstrap-icons/bootstrap-icons.min.css",
        "vendor/echarts/echarts.min.js",  # the dashboards' charts
    } <= vendored
    for path in vendored:
        assert finders.find(path), path
