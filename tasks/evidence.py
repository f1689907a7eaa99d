"""Checking evidence uploads by their content, not by what their name claims."""

from __future__ import annotations

import hashlib
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

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
            _("“%(name)s”: only PDF, images (JPG, PNG, GIF, WebP) and Office documents are accepted.")
            % {"name": name}
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
