"""Reads of the office's review pages: which campaigns have reports waiting, and the queue.

Reports come through accounts.access.visible_to, drafts never (a unit's drafts are its
own business). Each reader runs a fixed number of queries, whatever the number of rows.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts import access
from campaigns.models import Campaign, ReportingPeriod, Section
from campaigns.periods import begun, review_default
from units.models import Unit

from ..models import ProgressReport, TaskAssignment

DRAFT = ProgressReport.Status.DRAFT
SUBMITTED = ProgressReport.Status.SUBMITTED
REVIEW_STATES = [SUBMITTED, ProgressReport.Status.RETURNED, ProgressReport.Status.ACCEPTED]


@dataclass
class ReviewQueue:
    campaign: Campaign
    # Periods that have begun, newest first, each with `waiting`: its reports awaiting review.
    periods: list[ReportingPeriod]
    period: ReportingPeriod | None
    units: list[Unit]
    sections: list[Section]
    reports: object  # a queryset, paginated by the view
    # Reports of the period per state, under the unit and section filters (not the state one).
    counts: dict[str, int]


def review_queue(
    user, campaign_code: str, *, period_number: int | None = None, unit_id: int | None = None,
    section_id: int | None = None, state: str = SUBMITTED, now: datetime.datetime | None = None,
) -> ReviewQueue:  # fmt: skip
    """The non-draft reports of a campaign's period for the office to review, filtered by unit,
    section and state ("" for every state). Periods not begun yet are not offered (no report can
    be filed for them); asking for one, or for an unknown number, is a 404."""
    campaign = get_object_or_404(access.visible_to(user, Campaign), code=campaign_code)
    in_campaign = access.visible_to(user, ProgressReport).filter(task__campaign=campaign).exclude(status=DRAFT)
    periods = list(begun(campaign.periods.all(), now).order_by("-number"))
    per_period = {
        row["period_id"]: row
        for row in in_campaign.order_by()
        .values("period_id")
        .annotate(waiting=Count("pk", filter=Q(status=SUBMITTED)), reports=Count("pk"))
    }
    for period in periods:
        period.waiting = per_period.get(period.pk, {}).get("waiting", 0)
    if period_number is None:
        period = review_default(periods, {period.pk: period.waiting for period in periods}, set(per_period))
    else:
        period = next((p for p in periods if p.number == period_number), None)
        if period is None:
            raise Http404
    filtered = in_campaign.filter(period=period)
    if unit_id:
        filtered = filtered.filter(unit_id=unit_id)
    if section_id:
        filtered = filtered.filter(task__section_id=section_id)
    counts = {row["status"]: row["n"] for row in filtered.order_by().values("status").annotate(n=Count("pk"))}
    reports = filtered.filter(status=state) if state else filtered
    reports = (
        reports.select_related("task__campaign", "task__section", "unit", "period", "submitted_by", "reviewed_by")
        .prefetch_related("attachments", "indicator_values__indicator")
        .order_by("task__sort_key", "unit__sort_order", "unit__name", "pk")
    )
    units = list(
        Unit.objects.filter(pk__in=TaskAssignment.objects.filter(task__campaign=campaign).values("unit_id")).order_by(
            "sort_order", "name"
        )
    )
    return ReviewQueue(
        campaign=campaign,
        periods=periods,
        period=period,
        units=units,
        sections=list(campaign.sections.all()),
        reports=reports,
        counts=counts,
    )


def review_campaigns(user):
    """Active campaigns with the number of reports waiting for review (one query)."""
    waiting = Q(tasks__reports__status=SUBMITTED)
    return (
        access.visible_to(user, Campaign)
        .filter(status=Campaign.Status.ACTIVE)
        .annotate(waiting=Count("tasks__reports", filter=waiting))
        .order_by("-start_date", "code")
    )
