"""Security headers, NUL bytes in requests, the localised error pages."""

import pytest
from django.contrib.auth.decorators import login_not_required
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import path, reverse
from django.utils import timezone

import config.urls
from tests.factories import AttachmentFactory, ProgressReportFactory, UserFactory

pytestmark = pytest.mark.django_db


@login_not_required
def boom(request):
    raise RuntimeError("a bug")


# A URLconf for the error-page tests (@pytest.mark.urls(__name__)): the app's pages plus a view that fails.
urlpatterns = [path("boom/", boom), *config.urls.urlpatterns]


def report_pages(r) -> list[str]:
    """Pages that show report content, for the lead unit's liaison and the office."""
    code, number = r.campaign.code, r.task.number
    return [
        reverse("tasks:workspace"),
        reverse("tasks:detail", args=[code, number]),
        reverse("tasks:report", args=[code, number, r.lead.pk, r.period.number]),
        reverse("notifications:inbox"),
        reverse("supervision:notices"),
    ]


def office_pages(r) -> list[str]:
    return [
        reverse("tasks:review", args=[r.campaign.code]),
        reverse("tasks:matrix", args=[r.campaign.code, r.past.number]),
        reverse("tasks:requests"),
        reverse("units:list"),
    ]


def test_report_pages_are_private_and_never_stored(reporting, login):
    r = reporting
    ProgressReportFactory(task=r.task, unit=r.lead, period=r.past, status="submitted", submitted_at=timezone.now())
    for user, urls in ((r.lead_liaison, report_pages(r)), (r.office, office_pages(r) + report_pages(r)[1:2])):
        client = login(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
            assert {"private", "no-store"} <= cache_control, (url, response["Cache-Control"])


def test_evidence_downloads_are_private_and_never_stored(reporting, login):
    r = reporting
    report = ProgressReportFactory(
        task=r.task, unit=r.lead, period=r.past, status="submitted", submitted_at=timezone.now()
    )
    attachment = AttachmentFactory(report=report)
    response = login(r.lead_liaison).get(reverse("tasks:attachment", args=[attachment.pk]))
    assert response.status_code == 200
    assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}


@pytest.fixture
def static_served(settings):
    """WhiteNoise serves static files from the finders, as runserver does (tests run without DEBUG)."""
    settings.WHITENOISE_USE_FINDERS = True


def test_static_files_stay_cacheable(reporting, login, static_served):
    assert finders.find("css/duban.css")
    response = login(reporting.lead_liaison).get("/static/css/duban.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_permissions_policy_on_every_response(reporting, login, static_served):
    client = login(reporting.lead_liaison)
    responses = [
        Client().get(reverse("login")),
        Client().get(reverse("home")),  # a redirect to the login page
        client.get(reverse("tasks:workspace")),
        client.get("/static/css/duban.css"),
        client.get("/no-such-page/"),
    ]
    assert responses[3].status_code == 200
    for response in responses:
        policy = {part.strip() for part in response["Permissions-Policy"].split(",")}
        assert {"camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"} <= policy


def test_every_response_carries_the_content_security_policy(reporting, login):
    client = login(reporting.lead_liaison)
    for response in (
        Client().get(reverse("login")),
        client.get(reverse("tasks:workspace")),
        client.get(reverse("admin:index")),
        client.get("/no-such-page/"),
    ):
        assert "default-src 'self'" in response["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


# --- NUL bytes ---------------------------------------------------------------------------------
# PostgreSQL refuses NUL in text: before, each of these reached a query and answered 500.

NUL_GETS = [
    "/units/?q=%00",
    "/units/?q=%E5%8C%BA%00",
    "/campaigns/?q=a%00b",
    "/campaigns/efficiency-2026/?page=%00",
    "/campaigns/effic%00iency-2026/",
    "/admin/units/unit/?q=%00",
    "/admin/units/unit/?kind__exact=%00",
    "/admin/tasks/task/?status__exact=%00",
    "/admin/units/membership/?role__exact=x%00",
    "/admin/units/unit/?%00=1",
    "/accounts/login/?next=%00",
]


@pytest.fixture
def superuser_client(reporting, login):
    return login(UserFactory(username="root", is_staff=True, is_superuser=True))


@pytest.mark.parametrize("url", NUL_GETS)
def test_a_nul_byte_in_the_url_is_a_bad_request(superuser_client, url):
    superuser_client.raise_request_exception = False
    response = superuser_client.get(url)
    assert response.status_code == 400, url
    assert "请求无效" in response.content.decode()


def test_the_same_urls_without_the_nul_byte_work(superuser_client):
    superuser_client.raise_request_exception = False
    for url in NUL_GETS:
        clean = url.replace("%00", "")
        assert superuser_client.get(clean).status_code in (200, 302, 404), clean


def test_a_nul_byte_in_form_data_is_a_bad_request(reporting, login):
    r = reporting
    client = login(r.lead_liaison)
    client.raise_request_exception = False
    url = reverse("tasks:report", args=[r.campaign.code, r.task.number, r.lead.pk, r.period.number])
    response = client.post(url, {"progress": "推进\x00顺利", "percent_complete": "10", "save": "1"})
    assert response.status_code == 400
    assert not r.task.reports.exists()
    anonymous = Client(raise_request_exception=False)
    response = anonymous.post(reverse("login"), {"username": "lead_liaison\x00", "password": "x"})
    assert response.status_code == 400


def test_a_nul_byte_in_an_upload_field_name_is_a_bad_request(reporting, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = reporting
    client = login(r.lead_liaison)
    client.raise_request_exception = False
    url = reverse("tasks:report", args=[r.campaign.code, r.task.number, r.lead.pk, r.period.number])
    upload = SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")
    response = client.post(url, {"progress": "推进顺利", "percent_complete": "10", "save": "1", "fil\x00es": upload})
    assert response.status_code == 400
    assert not r.task.reports.exists()


def test_a_nul_byte_in_a_header_is_a_bad_request(reporting):
    # The login records the User-Agent of each attempt (django-axes): on PostgreSQL a 500 before.
    client = Client(raise_request_exception=False, HTTP_USER_AGENT="Mozilla/5.0\x00")
    response = client.post(reverse("login"), {"username": reporting.lead_liaison.username, "password": "wrong"})
    assert response.status_code == 400


def test_a_nul_byte_in_the_session_cookie_is_a_bad_request(reporting):
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "abc\x00def"
    assert client.get(reverse("tasks:workspace")).status_code == 400


# --- error pages -------------------------------------------------------------------------------


@pytest.mark.urls(__name__)
def test_a_server_error_shows_the_localised_page(client):
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    content = response.content.decode()
    assert "服务器出错" in content and "督查室" in content
    assert '<html lang="zh-hans">' in content
    assert "/static/css/duban.css" in content
    assert "RuntimeError" not in content and "a bug" not in content
    assert "default-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.urls(__name__)
def test_a_server_error_in_english_when_chosen(client, settings):
    client.raise_request_exception = False
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    content = client.get("/boom/").content.decode()
    assert "Server error" in content and "服务器出错" not in content
