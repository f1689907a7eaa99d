"""Reads of supervision notices for the pages, through accounts.access (the one scoping rule)."""

from django.db.models import QuerySet

from accounts import access
from campaigns.models import Campaign

from .models import SupervisionNotice


def notices(user, *, campaign_code: str = "", status: str = "") -> QuerySet:
    """The notices the user sees, newest first (along notice_issued_idx / notice_unit_issued_idx,
    with a tie-break), each with its unit, task, campaign and period (a unit gets the same kind of
    notice from several campaigns); of one campaign (by code: any other gives none) and in one
    state (SupervisionNotice.Status) when given."""
    rows = (
        access.visible_to(user, SupervisionNotice)
        .select_related("unit", "task", "campaign", "period")
        .order_by("-issued_at", "-id")
    )
    if campaign_code:
        rows = rows.filter(campaign__code=campaign_code)
    if status in SupervisionNotice.Status.values:
        rows = rows.filter(status=status)
    return rows


def filter_campaigns(user) -> QuerySet:
    """The campaigns the notices list offers to filter by: those the user sees, newest first."""
    return access.visible_to(user, Campaign).order_by("-start_date", "code").only("code", "title")
