"""A report's state as the pages name it: missing (no report), or its status."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ..models import ProgressReport

MISSING = "missing"
DRAFT = ProgressReport.Status.DRAFT
SUBMITTED = ProgressReport.Status.SUBMITTED
RETURNED = ProgressReport.Status.RETURNED
ACCEPTED = ProgressReport.Status.ACCEPTED
STATE_LABELS = {MISSING: _("Missing"), **dict(ProgressReport.Status.choices)}


def state_of(report: ProgressReport | None) -> str:
    return report.status if report is not None else MISSING
