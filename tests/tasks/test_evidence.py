"""Evidence through the services: all or nothing on disk, a quota per report, removal by the unit."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tasks.models import Attachment
from tasks.services import attachment_remove, completion_request_create, report_review, report_save

from ..conftest import at

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


@pytest.fixture
def disk(settings, tmp_path):
    """Evidence stored in a real folder, so that a test can count what was left on disk."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }

    def files():
        return sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())

    return files


def save(world, *, files=(), version=None, submit=False, user=None):
    return report_save(
        user=user or world.lead_liaison, task=world.task, unit=world.lead, period=world.period,
        progress="完成项目评审3个。", percent_complete=40, files=files, expected_version=version, submit=submit,
        now=at(2026, 3, 26, 10),
    )  # fmt: skip


def pdf(name="材料.pdf", size=0):
    return SimpleUploadedFile(name, PDF + b"0" * size)


def test_a_refused_multi_file_save_leaves_nothing_on_disk(world, disk):
    # Two good files, then one that is not what its name says: before, the two stayed on disk.
    files = [pdf("一.pdf", 4096), SimpleUploadedFile("二.png", PNG), SimpleUploadedFile("三.pdf", b"MZ not a pdf")]
    with pytest.raises(ValidationError) as caught:
        save(world, files=files)
    assert "三.pdf" in " ".join(caught.value.message_dict["files"])
    assert disk() == [] and not Attachment.all_objects.exists()


def test_files_stored_before_a_later_failure_are_deleted_again(world, disk, monkeypatch):
    calls = []
    original = Attachment.save

    def failing_save(self, *args, **kwargs):
        calls.append(self.original_name)
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Attachment, "save", failing_save)
    with pytest.raises(RuntimeError):
        save(world, files=[pdf("一.pdf"), pdf("二.pdf")])
    assert disk() == []  # both files had been written; the failure removed them


def test_a_good_save_keeps_its_files(world, disk):
    report = save(world, files=[pdf("一.pdf"), SimpleUploadedFile("二.png", PNG)])
    assert len(disk()) == 2 and report.attachments.count() == 2


def test_the_quota_of_files_per_report_counts_what_is_attached_already(world, settings, disk):
    settings.EVIDENCE_MAX_FILES = 3
    save(world, files=[pdf("一.pdf"), pdf("二.pdf")])
    with pytest.raises(ValidationError) as caught:
        save(world, version=1, files=[pdf("三.pdf"), pdf("四.pdf")])
    message = " ".join(caught.value.message_dict["files"])
    assert "3" in message and "2" in message  # the limit, and what is attached already
    assert len(disk()) == 2 and Attachment.objects.count() == 2
    save(world, version=1, files=[pdf("三.pdf")])  # up to the limit is fine
    assert Attachment.objects.count() == 3


def test_the_quota_of_total_size_per_report(world, settings, disk):
    settings.EVIDENCE_MAX_TOTAL_BYTES = 3 * 1024 * 1024
    save(world, files=[pdf("一.pdf", 2 * 1024 * 1024)])
    with pytest.raises(ValidationError) as caught:
        save(world, version=1, files=[pdf("二.pdf", 1024 * 1024 + 100)])
    assert "3 MB" in " ".join(caught.value.message_dict["files"])
    assert len(disk()) == 1


def test_the_quota_applies_to_a_completion_application(world, settings, disk):
    settings.EVIDENCE_MAX_TOTAL_BYTES = 1024 * 1024
    with pytest.raises(ValidationError):
        completion_request_create(
            user=world.lead_liaison, task=world.task, unit=world.lead, summary="已完成",
            files=[pdf("一.pdf", 600 * 1024), pdf("二.pdf", 600 * 1024)],
        )  # fmt: skip
    assert disk() == [] and not world.task.completion_requests.exists()


# ---- removal ------------------------------------------------------------------------------------


def test_the_unit_removes_evidence_from_its_draft_and_the_unseen_file_goes(
    world, disk, django_capture_on_commit_callbacks, settings
):
    settings.EVIDENCE_MAX_FILES = 2
    report = save(world, files=[pdf("错传的.pdf"), pdf("留下的.pdf")])
    wrong = report.attachments.get(original_name="错传的.pdf")
    with django_capture_on_commit_callbacks(execute=True):
        attachment_remove(user=world.lead_head, attachment_id=wrong.pk, now=at(2026, 3, 26, 11))
    assert [a.original_name for a in report.attachments.all()] == ["留下的.pdf"]
    removed = Attachment.all_objects.get(pk=wrong.pk)  # the history keeps the row: who and when
    assert removed.removed_by == world.lead_head and removed.removed_at is not None
    assert len(disk()) == 1  # nobody outside the unit ever saw it: the file is gone
    # A removed file frees its place in the quota (of 2 files here).
    assert save(world, version=1, files=[pdf("正确的.pdf")]).attachments.count() == 2


def test_evidence_of_a_returned_report_is_removed_but_its_file_kept(world, disk, django_capture_on_commit_callbacks):
    report = save(world, files=[pdf("旧照片.pdf")], submit=True)
    report_review(user=world.office, report_id=report.pk, accept=False, comment="照片不清晰")
    with django_capture_on_commit_callbacks(execute=True):
        attachment_remove(user=world.lead_liaison, attachment_id=report.attachments.get().pk)
    assert not report.attachments.exists()
    assert len(disk()) == 1  # the office reviewed it: kept for the history


def test_nobody_else_removes_evidence_and_not_after_submit(world, disk):
    report = save(world, files=[pdf()])
    attachment = report.attachments.get()
    for user in (world.support_liaison, world.other_liaison, world.office, world.leader, world.outsider):
        with pytest.raises(PermissionDenied):
            attachment_remove(user=user, attachment_id=attachment.pk)
    save(world, version=1, submit=True)
    with pytest.raises(ValidationError):
        attachment_remove(user=world.lead_liaison, attachment_id=attachment.pk)
    assert report.attachments.count() == 1 and len(disk()) == 1
    with pytest.raises(ValidationError):
        attachment_remove(user=world.lead_liaison, attachment_id=999999)


def test_removed_evidence_stays_listed_for_administrators(world, client):
    from django.urls import reverse

    from tests.factories import UserFactory

    report = save(world, files=[pdf("撤回的.pdf")])
    attachment_remove(user=world.lead_liaison, attachment_id=report.attachments.get().pk)
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    page = client.get(reverse("admin:tasks_attachment_changelist")).content.decode()
    assert "撤回的.pdf" in page
    assert (
        client.get(
            reverse("admin:tasks_attachment_change", args=[report.attachments(manager="all_objects").get().pk])
        ).status_code
        == 200
    )


def test_the_evidence_help_is_in_the_readers_language():
    from django.utils import translation

    from tasks.forms import ReportForm

    with translation.override("en"):
        english = str(ReportForm(indicators=[]).fields["files"].help_text)
    with translation.override("zh-hans"):
        chinese = str(ReportForm(indicators=[]).fields["files"].help_text)
    assert english.startswith("PDF, images") and "20 MB each" in english
    assert chinese.startswith("PDF、图片") and english != chinese
