"""The background export (build_export) and the daily cleanup (delete_expired_exports)."""

import datetime
import io

import openpyxl
import pytest
from django.utils import timezone

from exports.filters import parse_filters
from exports.models import ExportFile, ExportRecord
from exports.services import export_build, export_request, exports_cleanup
from exports.tasks import build_export, delete_expired_exports
from notifications.models import Notification
from units.models import Membership

from . import fake_kind as fakes

fake_kind, jobs = fakes.fake_kind, fakes.jobs  # the fixtures, for this module
pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(reporting, fake_kind, settings, monkeypatch, django_capture_on_commit_callbacks):
    """A large export asked for by the office, queued (its message not delivered)."""
    settings.EXPORT_ASYNC_ROWS = 2
    monkeypatch.setattr("exports.tasks.build_export.delay", lambda file_id: None)
    filters = parse_filters(reporting.office, campaign=reporting.campaign.code, unit="区财政局")
    with django_capture_on_commit_callbacks(execute=True):
        return export_request(user=reporting.office, kind="fake", filters=filters).export_file


def test_the_job_writes_the_file_marks_it_ready_and_tells_the_requester(reporting, queued, fake_kind, settings):
    settings.EXPORT_FILE_DAYS = 7
    before = timezone.now()
    assert build_export(queued.pk) is True
    queued.refresh_from_db()
    assert queued.status == "ready" and queued.rows == 3 and queued.error == ""
    assert queued.size == queued.file.size > 0
    assert before + datetime.timedelta(days=7) <= queued.expires_at <= timezone.now() + datetime.timedelta(days=7)
    with queued.file.open("rb") as handle:
        sheet = openpyxl.load_workbook(io.BytesIO(handle.read())).active
    assert [c.value for c in sheet[2]] == [1, "区财政局"]
    assert fake_kind.users == [reporting.office]  # written as the requester, with their visibility
    notification = Notification.objects.get(recipient=reporting.office, kind="export")
    assert notification.key == f"export-ready:{queued.pk}"
    assert notification.title == f"导出完成：测试导出-{reporting.campaign.code}.xlsx"
    assert notification.link == queued.get_absolute_url() == f"/exports/files/{queued.pk}/"
    assert ExportRecord.objects.get(file=queued).rows == 3


def test_a_retry_or_a_second_worker_does_nothing(reporting, queued, fake_kind):
    assert build_export(queued.pk) is True
    name = ExportFile.objects.get(pk=queued.pk).file.name
    assert build_export(queued.pk) is False  # the message delivered again
    assert len(fake_kind.users) == 1 and ExportFile.objects.get(pk=queued.pk).file.name == name
    assert Notification.objects.filter(kind="export").count() == 1
    # Claimed by another worker meanwhile: nothing is written.
    other = ExportFile.objects.create(
        requested_by=reporting.office, kind="fake", campaign=reporting.campaign, filters=queued.filters,
        filters_key="other", filename="x.xlsx", status="running", started_at=timezone.now(),
    )  # fmt: skip
    assert export_build(file_id=other.pk) is False and len(fake_kind.users) == 1


def test_a_failed_job_says_why_and_tells_the_requester(reporting, queued, fake_kind):
    fake_kind.fail = RuntimeError("数据库连接中断")
    assert build_export(queued.pk) is False
    queued.refresh_from_db()
    assert queued.status == "failed" and "数据库连接中断" in queued.error and not queued.file
    notification = Notification.objects.get(recipient=reporting.office, kind="export")
    assert notification.key == f"export-failed:{queued.pk}" and notification.title.startswith("导出失败")


def test_visibility_is_the_requesters_at_build_time(reporting, queued):
    # The requester left the office before the job ran: the export is refused, not written.
    Membership.objects.filter(user=reporting.office).delete()
    assert build_export(queued.pk) is False
    queued.refresh_from_db()
    assert queued.status == "failed" and not queued.file


def test_the_cleanup_deletes_expired_files_and_keeps_their_rows(reporting, queued):
    build_export(queued.pk)
    queued.refresh_from_db()
    storage, name = queued.file.storage, queued.file.name
    assert storage.exists(name)
    assert exports_cleanup(now=queued.expires_at - datetime.timedelta(seconds=1))["expired"] == 0
    assert exports_cleanup(now=queued.expires_at)["expired"] == 1
    queued.refresh_from_db()
    assert queued.status == "expired" and not queued.file and not storage.exists(name)
    assert exports_cleanup(now=queued.expires_at)["expired"] == 0  # a second run: nothing more


def test_the_cleanup_sends_stale_jobs_again(reporting, queued, fake_kind, jobs):
    now = timezone.now()
    # A worker died an hour and more ago while writing it.
    ExportFile.objects.filter(pk=queued.pk).update(status="running", started_at=now - datetime.timedelta(minutes=61))
    fresh = ExportFile.objects.create(
        requested_by=reporting.office, kind="fake", campaign=reporting.campaign, filters=queued.filters,
        filters_key="fresh", filename="fresh.xlsx", status="running", started_at=now - datetime.timedelta(minutes=5),
    )  # fmt: skip
    assert exports_cleanup(now=now) == {"expired": 0, "requeued": 1}
    assert jobs == [queued.pk]
    assert ExportFile.objects.get(pk=queued.pk).status == "ready"
    assert ExportFile.objects.get(pk=fresh.pk).status == "running"


def test_the_beat_task_takes_no_arguments(reporting, queued):
    build_export(queued.pk)
    ExportFile.objects.filter(pk=queued.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    assert delete_expired_exports() == {"expired": 1, "requeued": 0}


# ---- through the real broker -----------------------------------------------------------------


@pytest.fixture
def celery_on_redis(redis_url):
    """A Celery app of the test's own on Redis, with its own queue, made current (as in
    tests/supervision/test_worker.py): build_export.delay goes through the broker to the worker."""
    import uuid

    from celery import Celery
    from celery._state import get_current_app
    from celery.signals import task_postrun
    from django.db import connection

    previous = get_current_app()
    app = Celery("duban-test-exports", set_as_current=True)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(
        broker_url=redis_url, broker_transport_options={}, task_default_queue=f"duban-test-{uuid.uuid4().hex[:8]}"
    )
    app.autodiscover_tasks(["exports", "notifications"], force=True)

    def close_worker_connection(**kwargs):
        connection.close()  # the worker's thread must not keep the test database open

    task_postrun.connect(close_worker_connection, weak=False)
    yield app
    task_postrun.disconnect(close_worker_connection)
    previous.set_current()
    app.close()


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_large_export_is_written_by_a_real_worker(celery_on_redis, reporting, settings):
    import time

    from celery.contrib.testing.worker import start_worker

    settings.EXPORT_ASYNC_ROWS = 1
    filters = parse_filters(reporting.office, campaign=reporting.campaign.code)
    with start_worker(celery_on_redis, pool="solo", perform_ping_check=False, shutdown_timeout=20, loglevel="WARNING"):
        export_file = export_request(user=reporting.office, kind="ledger", filters=filters).export_file
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and ExportFile.objects.get(pk=export_file.pk).status != "ready":
            time.sleep(0.2)
    export_file.refresh_from_db()
    assert export_file.status == "ready" and export_file.rows == 2
    assert Notification.objects.filter(key=f"export-ready:{export_file.pk}", recipient=reporting.office).exists()
