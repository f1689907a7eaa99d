"""The Monday job: a draft of last week's bulletin for every active campaign.

Each campaign's last due period is drafted once (bulletin_draft with auto=True finds the draft
already there; a unique constraint backs it), so a re-run, or two beats, draft nothing twice.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from campaigns.models import Campaign, ReportingPeriod
from campaigns.periods import last_due_period_ids

from . import services
from .models import Bulletin

log = logging.getLogger(__name__)


def draft_weekly(now=None) -> int:
    """Draft what is not drafted yet; return how many drafts were written."""
    now = now or timezone.now()
    active = Campaign.objects.filter(status=Campaign.Status.ACTIVE).values_list("pk", flat=True)
    periods = ReportingPeriod.objects.filter(pk__in=last_due_period_ids(now, active)).select_related("campaign")
    done = set(
        Bulletin.objects.filter(auto=True, period_from__in=periods, period_to__in=periods).values_list(
            "period_from_id", "period_to_id"
        )
    )
    written = 0
    for period in periods:
        if (period.pk, period.pk) in done:
            continue
        services.bulletin_draft(campaign=period.campaign, period_from=period, period_to=period, auto=True, now=now)
        written += 1
    log.info("weekly bulletins: %s drafted", written)
    return written


@shared_task(acks_late=True, reject_on_worker_lost=True)
def draft_weekly_bulletins() -> int:
    """Beat: Monday 07:00 (supervision.schedules). Idempotent, so acknowledged late."""
    return draft_weekly()
