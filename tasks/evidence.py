"""Evidence uploads: checked by their content, not by what their name claims, within a quota per
report, and stored all or nothing."""

from __future__ import annotations

import functools
import hashlib
import logging
from contextvars import ContextVar
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

# File name ending → the content kinds (as filetype names them) that may carry it.
ACCEPTED = {
    "pdf": {"pdf"},
    "jpg": {"jpg"},
    "jpeg": {"jpg"},
    "png": {"png"},
    "gif": {"gif"},
    "webp": {"webp"},
    "doc": {"doc"},
    "docx": {"docx"},
    "xls": {"xls"},
    "xlsx": {"xlsx"},
    "ppt": {"ppt"},
    "pptx": {"pptx"},
}


def check_evidence(upload) -> tuple[str, str]:
    """Validate an uploaded file; return (content type, sha256). Raises ValidationError naming it."""
    name = PurePath(upload.name).name
    limit = settings.EVIDENCE_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("“%(name)s” is %(size)s MB; the limit is %(limit)s MB.")
            % {"name": name, "size": round(upload.size / 1024 / 1024, 1), "limit": round(limit / 1024 / 1024)}
        )
    extension = PurePath(name).suffix.lower().lstrip(".")
    if extension not in ACCEPTED:
        raise ValidationError(
            _("“%(name)s”: only PDF, images (JPG, PNG, GIF, WebP) and Office documents are accepted.") % {"name": name}
        )
    upload.seek(0)
    head = upload.read(8192)
    kind = filetype.guess(head)
    if kind is None or kind.extension not in ACCEPTED[extension]:
        raise ValidationError(
            _("“%(name)s” is not really a .%(extension)s file; its content does not match its name.")
            % {"name": name, "extension": extension}
        )
    digest = hashlib.sha256(head)
    for chunk in iter(lambda: upload.read(1024 * 1024), b""):
        digest.update(chunk)
    upload.seek(0)
    return kind.mime, digest.hexdigest()


# ---- storing: all or nothing ------------------------------------------------------------------

# The names of the files stored by the service call running in this context (see
# discard_stored_files_on_failure): on a refusal or a rollback they are deleted again.
_stored: ContextVar[list | None] = ContextVar("evidence_stored", default=None)


def discard_stored_files_on_failure(service):
    """Decorate a service (outside its @transaction.atomic) that stores evidence with
    store_evidence: if it raises, or its transaction fails to commit, the files it stored are
    deleted, so a refused save leaves nothing on disk (171 MB were once left behind).

    Services are the outermost transaction (views are not wrapped in one: ATOMIC_REQUESTS is
    off), so leaving the decorated call is the moment the rows are committed or rolled back.
    """

    @functools.wraps(service)
    def wrapper(*args, **kwargs):
        outer = _stored.get()
        stored = [] if outer is None else outer
        token = _stored.set(stored)
        try:
            return service(*args, **kwargs)
        except BaseException:
            if outer is None:
                _delete(stored)
            raise
        finally:
            _stored.reset(token)

    return wrapper


def _delete(names):
    storage = _storage()
    for name in names:
        try:
            storage.delete(name)
        except OSError:  # already gone, or the disk is failing: the refusal itself must still show
            logger.exception("Could not delete the evidence file %s of a refused save", name)


def _storage():
    from .models import Attachment

    return Attachment._meta.get_field("file").storage


def check_evidence_files(files, *, attached) -> list[tuple]:
    """Check every upload, then the quota of what they are added to; return
    [(upload, content type, sha256)]. Raises one ValidationError on `files` naming every bad
    file, or the limit exceeded, before anything is stored.

    `attached`: the attachments already on the report or application (a queryset).
    """
    checked, errors = [], []
    for upload in files:
        try:
            checked.append((upload, *check_evidence(upload)))
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError({"files": errors})
    if not checked:
        return checked
    existing = attached.aggregate(count=Count("pk"), size=Sum("size"))
    count, size = existing["count"], existing["size"] or 0
    added = sum(upload.size for upload, _type, _sha in checked)
    limit = settings.EVIDENCE_MAX_FILES
    if count + len(checked) > limit:
        raise ValidationError(
            {"files": _("At most %(limit)s evidence files per report or application: %(existing)s attached already, %(added)s added.")
             % {"limit": limit, "existing": count, "added": len(checked)}}
        )  # fmt: skip
    limit = settings.EVIDENCE_MAX_TOTAL_BYTES
    if size + added > limit:
        raise ValidationError(
            {"files": _("At most %(limit)s MB of evidence per report or application: %(existing)s MB attached already, %(added)s MB added.")
             % {"limit": _mb(limit), "existing": _mb(size), "added": _mb(added)}}
        )  # fmt: skip
    return checked


def _mb(size) -> str:
    return f"{size / 1024 / 1024:.1f}".removesuffix(".0")


def store_evidence(checked, *, user, now, report=None, completion_request=None) -> list:
    """Store files checked by check_evidence_files and create their attachment rows. Call it last
    in a service decorated with discard_stored_files_on_failure."""
    from .models import Attachment

    field = Attachment._meta.get_field("file")
    stored = _stored.get()
    if stored is None:
        raise RuntimeError("store_evidence needs a service decorated with discard_stored_files_on_failure")
    attachments = []
    for upload, content_type, sha256 in checked:
        attachment = Attachment(
            report=report, completion_request=completion_request, original_name=upload.name[:255],
            content_type=content_type, size=upload.size, sha256=sha256, uploaded_by=user, uploaded_at=now,
        )  # fmt: skip
        name = field.storage.save(field.generate_filename(attachment, upload.name), upload, max_length=field.max_length)
        stored.append(name)
        attachment.file = name
        attachment.save()
        attachments.append(attachment)
    return attachments
