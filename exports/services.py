"""Exports: what writes an export, records it, and runs the large ones as a background job.

- `export_request`: an export asked for in the browser. Small ones are written at once to a
  temporary file that the view streams; above `EXPORT_ASYNC_ROWS` rows an `ExportFile` is queued
  and `exports.tasks.build_export` writes it after the commit. Either way one `ExportRecord`.
- `export_to_path`: `manage.py export`, written to a path and recorded.
- `export_build`: the job's work; `exports_cleanup`: the daily job's (expiry, stale jobs).

The kinds (exports.kinds) read through accounts.access and the ledger readers with the user
who asked, so an export never shows more than that user's pages do.
"""

import hashlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import access
from notifications.services import notify

from .filters import Filters
from .models import ExportFile, ExportRecord

logger = logging.getLogger(__name__)


def get_kind(name: str):
    """exports.kinds.get_kind, imported when first needed: the kinds import the readers of every
    app below, which the URL configuration need not load to import this module."""
    from .kinds import get_kind as lookup

    return lookup(name)


# A job claimed this long ago and not finished had its worker die: the cleanup re-queues it. A
# queued one this old lost its message (broker down, restarted): the cleanup sends it again.
STALE_AFTER = timedelta(hours=1)


@dataclass(frozen=True)
class ExportOutcome:
    """What export_request did: a file written now (`file_path`, to stream and then delete) or a
    background job (`export_file`, queued or already pending)."""

    rows: int
    file_path: str | None = None
    filename: str | None = None
    export_file: ExportFile | None = None

    @property
    def is_async(self) -> bool:
        return self.export_file is not None


def filters_key(kind: str, filters: Filters) -> str:
    """The same kind and filters give the same key (the pending job's identity)."""
    text = json.dumps({"kind": kind, **filters.as_ids()}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def describe(export_kind, filters: Filters) -> str:
    """The filters in words, for the audit log and the user's list of files (the kind's words)."""
    parts = [str(filters.campaign)]
    if filters.period is not None:
        parts.append(export_kind.describe_period(filters.period, filters.period_to))
    parts += export_kind.describe_filters(filters)
    return " · ".join(parts)[:300]


def _check_allowed(user, filters: Filters) -> None:
    if not access.can(user, "export", filters.campaign):
        raise PermissionDenied


def _record(*, user, kind: str, filters: Filters, rows: int, mode: str, file=None, now=None) -> ExportRecord:
    """One line of the audit log. The command's system user (unsaved, the office) is recorded as nobody."""
    return ExportRecord.objects.create(
        user=user if getattr(user, "pk", None) else None,
        kind=kind,
        campaign=filters.campaign,
        filters=filters.as_ids(),
        description=describe(get_kind(kind), filters),
        rows=rows,
        mode=mode,
        file=file,
        created_at=now or timezone.now(),
    )


def _write_temp(kind, user, filters: Filters, directory=None) -> tuple[str, int]:
    """Write the export to a new temporary file; return its path and the rows written. A failure
    leaves no file behind (never a half-written one)."""
    handle, path = tempfile.mkstemp(suffix=".xlsx", prefix="export-", dir=directory)
    os.close(handle)
    try:
        rows = kind.write(user, filters, path)
    except BaseException:
        os.unlink(path)
        raise
    return path, rows


def export_request(*, user, kind: str, filters: Filters, mode: str = "web", now=None) -> ExportOutcome:
    """Export `kind` with `filters` for `user`: at once when it has at most EXPORT_ASYNC_ROWS rows,
    else as a background job. A second identical request while the job is pending (a double
    click, a retry) returns the same ExportFile and records nothing more. `mode` names the caller
    ("web"); the record says how it was served (at once or by a job)."""
    now = now or timezone.now()
    _check_allowed(user, filters)
    export_kind = get_kind(kind)
    count = export_kind.count(user, filters)
    if count <= settings.EXPORT_ASYNC_ROWS:
        path, rows = _write_temp(export_kind, user, filters)
        try:
            _record(user=user, kind=kind, filters=filters, rows=rows, mode=ExportRecord.Mode.SYNC, now=now)
        except BaseException:
            os.unlink(path)
            raise
        return ExportOutcome(rows=rows, file_path=path, filename=export_kind.filename(filters))
    return ExportOutcome(rows=count, export_file=_queue(user=user, kind=kind, filters=filters, rows=count, now=now))


@transaction.atomic
def _queue(*, user, kind: str, filters: Filters, rows: int, now) -> ExportFile:
    key = filters_key(kind, filters)
    export_kind = get_kind(kind)
    pending = ExportFile.objects.filter(requested_by=user, kind=kind, filters_key=key, status__in=ExportFile.PENDING)
    existing = pending.first()
    if existing is not None:
        return existing
    try:
        # The partial unique constraint makes two requests at once one job: the loser finds the winner's.
        with transaction.atomic():
            export_file = ExportFile.objects.create(
                requested_by=user, kind=kind, campaign=filters.campaign, filters=filters.as_ids(), filters_key=key,
                description=describe(export_kind, filters), filename=export_kind.filename(filters), rows=rows, created_at=now,
            )  # fmt: skip
    except IntegrityError:
        return pending.get()
    _record(user=user, kind=kind, filters=filters, rows=rows, mode=ExportRecord.Mode.ASYNC, file=export_file, now=now)
    transaction.on_commit(lambda: enqueue_build(export_file.pk))
    return export_file


def enqueue_build(file_id: int) -> None:
    """Hand the job to a worker; with the broker down, the cleanup job sends it again later."""
    from .tasks import build_export

    try:
        build_export.delay(file_id)
    except Exception:  # kombu raises various errors when the broker is unreachable
        logger.warning("Broker unavailable: export file %s stays queued for the cleanup job.", file_id, exc_info=True)


def export_to_path(*, user, kind: str, filters: Filters, path, mode: str = "command") -> int:
    """Write the export to `path` (manage.py export) and record it; return the rows written.

    `user` None is the office acting from the shell (recorded with no user). The file is written
    next to `path` and moved into place only when complete."""
    if getattr(user, "pk", None):
        _check_allowed(user, filters)
    export_kind = get_kind(kind)
    directory = os.path.dirname(os.path.abspath(path))
    temp, rows = _write_temp(export_kind, user, filters, directory=directory)
    try:
        os.replace(temp, path)
    except BaseException:
        os.unlink(temp)
        raise
    _record(user=user, kind=kind, filters=filters, rows=rows, mode=ExportRecord.Mode.COMMAND)
    return rows


# ---- the background job --------------------------------------------------------------------


def export_build(*, file_id: int, now=None) -> bool:
    """Write one queued ExportFile; True if this call wrote it.

    The job claims the file with a compare-and-set (queued → running): a retry, a redelivered
    message or a second worker finds it claimed and does nothing. It writes with the requester's
    visibility as it is now, stores the file, marks it ready and tells the requester in the inbox.
    """
    now = now or timezone.now()
    # Another worker (or an earlier delivery of this message) got there first when this is 0.
    if not ExportFile.objects.filter(pk=file_id, status=ExportFile.Status.QUEUED).update(
        status=ExportFile.Status.RUNNING, started_at=now
    ):
        return False
    export_file = ExportFile.objects.select_related("requested_by", "campaign").get(pk=file_id)
    user = export_file.requested_by
    try:
        filters = Filters.from_ids(export_file.filters)
        _check_allowed(user, filters)
        export_kind = get_kind(export_file.kind)
        path, rows = _write_temp(export_kind, user, filters)
        try:
            with open(path, "rb") as handle:
                export_file.file.save(export_file.filename, File(handle), save=False)
            size = os.path.getsize(path)
        finally:
            os.unlink(path)
    except Exception as error:
        logger.exception("Export file %s failed", file_id)
        _fail(export_file, error, now=timezone.now())
        return False
    return _finish(export_file, rows=rows, size=size, now=timezone.now())


@transaction.atomic
def _finish(export_file: ExportFile, *, rows: int, size: int, now) -> bool:
    # Still ours: the cleanup may have re-queued it (a worker taken for dead) and another run finished it.
    done = ExportFile.objects.filter(pk=export_file.pk, status=ExportFile.Status.RUNNING).update(
        status=ExportFile.Status.READY, file=export_file.file.name, rows=rows, size=size, finished_at=now,
        expires_at=now + timedelta(days=settings.EXPORT_FILE_DAYS), error="",
    )  # fmt: skip
    if not done:
        name = export_file.file.name
        transaction.on_commit(lambda: export_file.file.storage.delete(name))
        return False
    ExportRecord.objects.filter(file=export_file).update(rows=rows)
    notify(
        recipient=export_file.requested_by,
        key=f"export-ready:{export_file.pk}",
        kind="export",
        title=_("Export ready: %(filename)s") % {"filename": export_file.filename},
        body=_("%(rows)s rows. The file can be downloaded until %(expires)s.")
        % {
            "rows": rows,
            "expires": timezone.localtime(now + timedelta(days=settings.EXPORT_FILE_DAYS)).strftime("%Y-%m-%d %H:%M"),
        },
        link=export_file.get_absolute_url(),
        now=now,
    )
    return True


@transaction.atomic
def _fail(export_file: ExportFile, error: Exception, *, now) -> None:
    message = str(error) or error.__class__.__name__
    if isinstance(error, PermissionDenied):
        message = _("You may no longer export this campaign.")
    if export_file.file.name:
        name = export_file.file.name
        transaction.on_commit(lambda: export_file.file.storage.delete(name))
    if not ExportFile.objects.filter(pk=export_file.pk, status=ExportFile.Status.RUNNING).update(
        status=ExportFile.Status.FAILED, error=message[:2000], finished_at=now, file=""
    ):
        return
    notify(
        recipient=export_file.requested_by,
        key=f"export-failed:{export_file.pk}",
        kind="export",
        title=_("Export failed: %(filename)s") % {"filename": export_file.filename},
        body=message,
        link=reverse("exports:index"),
        now=now,
    )


# ---- the daily cleanup ---------------------------------------------------------------------


def exports_cleanup(*, now=None) -> dict:
    """Delete the stored files past their expiry (the rows stay, marked expired, so a link to one
    says it has expired) and send stale jobs again. Returns what it did, by kind."""
    now = now or timezone.now()
    expired = 0
    for file_id, name in ExportFile.objects.filter(status=ExportFile.Status.READY, expires_at__lte=now).values_list(
        "pk", "file"
    ):
        # Marked first, then deleted: a crash in between leaves an orphan file, never a "ready"
        # row whose file is gone.
        if ExportFile.objects.filter(pk=file_id, status=ExportFile.Status.READY).update(
            status=ExportFile.Status.EXPIRED, file=""
        ):
            if name:
                ExportFile._meta.get_field("file").storage.delete(name)
            expired += 1
    stale = now - STALE_AFTER
    requeued = set()
    for file_id in ExportFile.objects.filter(status=ExportFile.Status.RUNNING, started_at__lt=stale).values_list(
        "pk", flat=True
    ):
        if ExportFile.objects.filter(pk=file_id, status=ExportFile.Status.RUNNING, started_at__lt=stale).update(
            status=ExportFile.Status.QUEUED, started_at=None
        ):
            requeued.add(file_id)
    # Queued long ago and never claimed: the message was lost. A second message is harmless (the claim).
    for file_id in ExportFile.objects.filter(status=ExportFile.Status.QUEUED, created_at__lt=stale).values_list(
        "pk", flat=True
    ):
        requeued.add(file_id)
    for file_id in sorted(requeued):
        enqueue_build(file_id)
    return {"expired": expired, "requeued": len(requeued)}
