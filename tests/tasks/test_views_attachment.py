"""Evidence downloads: through a permission-checked view only, never a public media URL."""

import pytest
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from tests.factories import AttachmentFactory, ProgressReportFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def evidence(reporting):
    r = reporting
    now = timezone.now()

    def on(unit, task=None, status="submitted"):
        report = ProgressReportFactory(
            task=task or r.task, unit=unit, period=r.past, status=status,
            submitted_at=None if status == "draft" else now,
        )  # fmt: skip
        return AttachmentFactory(report=report, original_name=f"{unit.name}的证明材料.pdf")

    return {
        "lead": on(r.lead),
        "support": on(r.support),
        "support_draft": on(r.support, task=r.other_task, status="draft"),
        "other": on(r.other, task=r.other_task),
    }


def url(attachment):
    return reverse("tasks:attachment", args=[attachment.pk])


def test_download_has_the_original_name_and_content(client, reporting, evidence):
    client.force_login(reporting.lead_liaison)
    response = client.get(url(evidence["lead"]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("inline;")  # a PDF opens in the browser
    assert "filename*=utf-8''" in response["Content-Disposition"]
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


EXPECTED = {
    # user: attachments they may download (all others are 404)
    "lead_liaison": {"lead", "support"},  # the lead unit reads its supporting unit's submitted report
    "lead_head": {"lead", "support"},
    "support_liaison": {"support", "support_draft"},  # its own, drafts included; not the lead unit's
    "other_liaison": {"other"},
    "office": {"lead", "support", "other"},  # every submitted report, no drafts
    "leader": {"lead", "support", "other"},
    "outsider": set(),
}


@pytest.mark.parametrize("who", EXPECTED)
def test_who_may_download_what(client, reporting, evidence, who):
    client.force_login(getattr(reporting, who))
    for name, attachment in evidence.items():
        expected = 200 if name in EXPECTED[who] else 404
        assert client.get(url(attachment)).status_code == expected, name


def test_an_unknown_attachment_is_404_and_anonymous_is_sent_to_login(client, reporting, evidence):
    client.force_login(reporting.office)
    assert client.get(reverse("tasks:attachment", args=[999999])).status_code == 404
    client.logout()
    response = client.get(url(evidence["lead"]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_files_are_not_under_a_public_url(settings, evidence):
    path = evidence["lead"].file.name
    assert not path.startswith("/")
    for prefix in (
        "/media/",
        "/private/",
        "/evidence/",
        f"/{settings.MEDIA_URL.strip('/')}/" if settings.MEDIA_URL else "/m/",
    ):
        with pytest.raises(Resolver404):
            resolve(prefix + path)


@pytest.mark.parametrize(
    "name, content_type, data, inline",
    [
        ("扫描件.pdf", "application/pdf", b"%PDF-1.4\n", True),
        ("现场.png", "image/png", b"\x89PNG\r\n\x1a\n", True),
        ("现场.jpg", "image/jpeg", b"\xff\xd8\xff", True),
        ("台账.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK\x03\x04", False),
        ("方案.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", b"PK\x03\x04", False),
    ],
)
def test_pdfs_and_images_open_sandboxed_in_the_browser_other_kinds_download(
    client, reporting, name, content_type, data, inline
):
    r = reporting
    report = ProgressReportFactory(
        task=r.task, unit=r.lead, period=r.past, status="submitted", submitted_at=timezone.now()
    )
    attachment = AttachmentFactory(report=report, original_name=name, content_type=content_type)
    client.force_login(r.office)
    response = client.get(url(attachment))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("inline;" if inline else "attachment;")
    if content_type == "application/pdf":
        # Chromium's PDF viewer does not start in a sandboxed document: only framing is refused.
        assert response["Content-Security-Policy"] == "frame-ancestors 'none'"
    else:
        assert response["Content-Security-Policy"] == "sandbox"  # no script of the file runs as the app
    assert response["X-Content-Type-Options"] == "nosniff"
    page = client.get(reverse("tasks:detail", args=[r.campaign.code, r.task.number])).content.decode()
    link = f'href="{url(attachment)}"'
    assert (f'{link} target="_blank"' in page) == inline and link in page


def test_a_removed_attachment_is_not_served(client, reporting, evidence):
    attachment = evidence["support_draft"]
    attachment.removed_at = timezone.now()
    attachment.save()
    client.force_login(reporting.support_liaison)
    assert client.get(url(attachment)).status_code == 404
