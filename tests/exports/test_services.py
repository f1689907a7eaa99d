"""export_request and export_to_path: small exports written at once, large ones queued once, every
export recorded, nothing half-written left behind."""

import os
import tempfile

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied

from exports.filters import parse_filters
from exports.models import ExportFile, ExportRecord
from exports.services import export_request, export_to_path

from . import fake_kind as fakes

fake_kind, jobs = fakes.fake_kind, fakes.jobs  # the fixtures, for this module
pytestmark = pytest.mark.django_db


def filters_for(user, campaign, **kwargs):
    return parse_filters(user, campaign=campaign.code, **kwargs)


def test_a_small_export_is_written_at_once_and_recorded(reporting, fake_kind):
    r = reporting
    outcome = export_request(user=r.office, kind="fake", filters=filters_for(r.office, r.campaign, unit="区财政局"))
    try:
        assert not outcome.is_async and outcome.rows == 3
        assert outcome.filename == f"测试导出-{r.campaign.code}.xlsx"
        sheet = openpyxl.load_workbook(outcome.file_path).active
        assert [c.value for c in sheet[2]] == [1, "区财政局"]
    finally:
        os.unlink(outcome.file_path)
    record = ExportRecord.objects.get()
    assert (record.user, record.kind, record.campaign, record.rows, record.mode, record.file) == (
        r.office, "fake", r.campaign, 3, "sync", None,
    )  # fmt: skip
    assert record.filters["unit"] == r.support.pk and "区财政局" in record.description
    assert not ExportFile.objects.exists()


def test_a_large_export_is_queued_and_sent_after_the_commit(
    reporting, fake_kind, settings, monkeypatch, django_capture_on_commit_callbacks
):
    r = reporting
    settings.EXPORT_ASYNC_ROWS = 2
    sent = []
    monkeypatch.setattr("exports.tasks.build_export.delay", sent.append)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        outcome = export_request(user=r.leader, kind="fake", filters=filters_for(r.leader, r.campaign))
        assert sent == []  # nothing reaches the broker before the commit
    for callback in callbacks:
        callback()
    export_file = outcome.export_file
    assert outcome.is_async and outcome.rows == 3 and sent == [export_file.pk]
    assert (export_file.status, export_file.requested_by, export_file.filename) == (
        "queued", r.leader, f"测试导出-{r.campaign.code}.xlsx",
    )  # fmt: skip
    record = ExportRecord.objects.get()
    assert (record.mode, record.file, record.user, record.rows) == ("async", export_file, r.leader, 3)


def test_a_double_click_queues_one_job(reporting, fake_kind, settings, monkeypatch, django_capture_on_commit_callbacks):
    r = reporting
    settings.EXPORT_ASYNC_ROWS = 2
    sent = []
    monkeypatch.setattr("exports.tasks.build_export.delay", sent.append)
    with django_capture_on_commit_callbacks(execute=True):
        first = export_request(user=r.office, kind="fake", filters=filters_for(r.office, r.campaign))
    with django_capture_on_commit_callbacks(execute=True):
        second = export_request(user=r.office, kind="fake", filters=filters_for(r.office, r.campaign))
    assert first.export_file == second.export_file
    assert ExportFile.objects.count() == 1 and ExportRecord.objects.count() == 1 and len(sent) == 1
    # Other filters are another export.
    with django_capture_on_commit_callbacks(execute=True):
        other = export_request(user=r.office, kind="fake", filters=filters_for(r.office, r.campaign, unit="区审计局"))
    assert other.export_file != first.export_file and len(sent) == 2


def test_once_the_job_is_done_the_same_request_is_a_new_file(
    reporting, fake_kind, jobs, settings, django_capture_on_commit_callbacks
):
    r = reporting
    settings.EXPORT_ASYNC_ROWS = 2
    with django_capture_on_commit_callbacks(execute=True):
        first = export_request(user=r.office, kind="fake", filters=filters_for(r.office, r.campaign))
    with django_capture_on_commit_callbacks(execute=True):
        second = export_request(user=r.office, kind="fake", filters=filters_for(r.office, r.campaign))
    assert first.export_file != second.export_file
    assert list(ExportFile.objects.values_list("status", flat=True)) == ["ready", "ready"]


def test_whoever_may_not_export_is_refused_and_nothing_is_recorded(reporting, fake_kind):
    r = reporting
    with pytest.raises(PermissionDenied):
        export_request(user=r.lead_liaison, kind="fake", filters=filters_for(r.office, r.campaign))
    assert not ExportRecord.objects.exists()


def test_a_failed_write_leaves_no_file_and_no_record(reporting, fake_kind, monkeypatch, tmp_path):
    r = reporting
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    fake_kind.fail = RuntimeError("disk full")
    with pytest.raises(RuntimeError):
        export_request(user=r.office, kind="fake", filters=filters_for(r.office, r.campaign))
    assert list(tmp_path.iterdir()) == [] and not ExportRecord.objects.exists()


def test_the_command_writes_to_its_path_and_is_recorded(reporting, fake_kind, tmp_path):
    r = reporting
    target = tmp_path / "台账.xlsx"
    rows = export_to_path(user=None, kind="fake", filters=filters_for(None, r.campaign), path=target)
    assert rows == 3 and openpyxl.load_workbook(target).active.max_row == 4
    record = ExportRecord.objects.get()
    assert (record.user, record.mode, record.rows, record.campaign) == (None, "command", 3, r.campaign)
    export_to_path(user=r.office, kind="fake", filters=filters_for(r.office, r.campaign), path=target)
    assert ExportRecord.objects.filter(user=r.office, mode="command").count() == 1


def test_a_failed_command_leaves_the_old_file_and_no_half_written_one(reporting, fake_kind, tmp_path):
    r = reporting
    target = tmp_path / "台账.xlsx"
    target.write_bytes(b"yesterday's ledger")
    fake_kind.fail = RuntimeError("database went away")
    with pytest.raises(RuntimeError):
        export_to_path(user=None, kind="fake", filters=filters_for(None, r.campaign), path=target)
    assert [p.name for p in tmp_path.iterdir()] == ["台账.xlsx"] and target.read_bytes() == b"yesterday's ledger"
    assert not ExportRecord.objects.exists()
