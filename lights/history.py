"""The weekly history of the lights filled in for weeks gone by (`backfill`), e.g. for a campaign
imported halfway, or the city-scale data of seed_scale, whose weeks nobody refreshed live.

Approximate, and said so: each past period's light is judged as of the end of its last day from
what the ledger still keeps (tasks.ledger.read_lights with past=True): a report counts as missing
until its first submission and late if that came after its due moment, but of the returns only
the last one is kept, the lead units' percent is that of their latest report filed by then as it
reads now, a deadline is the task's current one (an extension is not undone), and the office's
attention marks are left out (they are kept only as they are now). Rows recorded live by
lights.services.refresh are never overwritten: a week already in the history keeps its light.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from campaigns.models import ReportingPeriod
from campaigns.periods import local_today

from .models import TaskLightWeek
from .services import BATCH, judge_tasks, tasks_to_judge
from .weeks import recount


def _end_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59, 59)))


def backfill(campaign_ids: Iterable[int], now: datetime.datetime | None = None) -> int:
    """Fill TaskLightWeek for every period of the campaigns that ended before today (as of `now`),
    one judgement of all their tasks per distinct period end (campaigns whose weeks end the same
    day are judged together). Returns how many rows were added. Safe to run again: it adds only
    the weeks that are missing, each end date in its own transaction. The ledger is read as it
    stands: a period never opened (tasks.ledger.read.ensure_open) has no obligations to judge."""
    now = now or timezone.now()
    campaign_ids = sorted(set(campaign_ids))
    ends: dict[datetime.date, dict[int, int]] = defaultdict(dict)  # end date → campaign → period
    for pk, campaign_id, end_date in ReportingPeriod.objects.filter(
        campaign_id__in=campaign_ids, end_date__lt=local_today(now)
    ).values_list("pk", "campaign_id", "end_date"):
        ends[end_date][campaign_id] = pk
    rows_by_campaign = defaultdict(list)
    for row in tasks_to_judge(campaign_ids=campaign_ids):
        rows_by_campaign[row[1]].append(row)
    added = 0
    for end_date in sorted(ends):
        periods = ends[end_date]
        rows = [row for campaign_id in periods for row in rows_by_campaign.get(campaign_id, ())]
        if not rows:
            continue
        with transaction.atomic():
            judged, _current = judge_tasks(rows, _end_of(end_date), past=True, whole_campaigns=True)
            weeks = [
                TaskLightWeek(task_id=task.pk, period_id=periods[task.campaign_id], campaign_id=task.campaign_id,
                              light=task.light, reasons=task.reasons)
                for task in judged
            ]  # fmt: skip
            before = TaskLightWeek.objects.filter(period_id__in=list(periods.values())).count()
            TaskLightWeek.objects.bulk_create(weeks, batch_size=BATCH, ignore_conflicts=True)
            added += TaskLightWeek.objects.filter(period_id__in=list(periods.values())).count() - before
            recount(periods.values())
    return added
