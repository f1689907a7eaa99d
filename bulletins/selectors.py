"""Reads for the bulletin pages: which bulletins a user may see (accounts.access), and the rows of
the attachment table (附件：工作台账), which are the ledger export's rows (exports.kinds.ledger)."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts import access

from .models import Bulletin

ATTACHMENT_COLUMNS = ("number", "title", "lead_units", "deadline", "status", "progress")


def visible(user) -> QuerySet:
    return access.visible_to(user, Bulletin).select_related("campaign", "period_from", "period_to")


def bulletin_for(user, pk: int) -> Bulletin:
    """The bulletin if the user may see it, else 404 (a unit does not learn that a draft exists)."""
    return get_object_or_404(visible(user), pk=pk)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value)
    return str(value)


def attachment_rows(user, bulletin: Bulletin, *, now=None) -> list[dict]:
    """The attachment's rows: the published bulletin's own copy, else the ledger as it stands for
    the bulletin's last period (序号, 任务名称, 牵头单位, 完成时限, 状态, 最新进展)."""
    if not bulletin.is_draft and bulletin.attachment:
        return bulletin.attachment
    # Imported here: the ledger kind belongs to the exports app, which reads the whole ledger.
    from exports.filters import Filters
    from exports.kinds.ledger import ledger_rows

    filters = Filters(campaign=bulletin.campaign, period=bulletin.period_to)
    return [
        {
            "number": _text(row.number),
            "title": _text(row.title),
            "lead_units": _text(row.lead_units),
            "deadline": _text(row.deadline),
            "status": _text(row.status_label),
            "progress": _text(row.latest_progress),
        }
        for row in ledger_rows(user, filters)
    ]


def default_range(campaign, now=None):
    """The range a new bulletin covers unless told otherwise: the last due period (last week)."""
    from campaigns.periods import last_due

    periods = list(campaign.periods.order_by("number"))
    period = last_due(periods, now or timezone.now()) or (periods[0] if periods else None)
    return period, period
