"""The efficiency campaign's earlier weeks in the demo: a report from each unit for every period
before the loader's last few (demo.loader.REPORT_WEEKS), so that on-time rates, lights, trends and
scores show months of steady work with a few late and missing reports, not months of nothing.

Kept apart from demo.loader.load_demo, as demo.outputs is: the tests start from the loader's
weeks. `manage.py load_demo` (what `make run` runs) loads it between the loader and the outputs.
Idempotent: the unique task × unit × period makes a second run add nothing and change nothing.
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from campaigns.models import Campaign, ReportingPeriod
from campaigns.periods import local_today
from lights.history import backfill
from lights.models import TaskLightWeek
from lights.weeks import recount
from tasks.ledger import sync as ledger
from tasks.ledger.check import Scope
from tasks.models import ProgressReport, Task, TaskAssignment

from .loader import NEXT_STEPS, PROBLEMS, PROGRESS, REPORT_WEEKS, on_schedule
from .outputs import CAMPAIGN

MISSING, LATE = 0.02, 0.06  # of the reports owed in those weeks


@transaction.atomic
def load_history(*, now: datetime.datetime | None = None) -> int:
    """File and accept the earlier weeks' reports; returns how many were created."""
    now = now or timezone.now()
    campaign = Campaign.objects.get(code=CAMPAIGN)
    begun = ReportingPeriod.objects.filter(campaign=campaign, start_date__lte=local_today(now)).order_by("number")
    recent = set(begun.reverse().values_list("pk", flat=True)[:REPORT_WEEKS])
    earlier = [period for period in begun if period.pk not in recent]
    if not earlier:
        return 0
    assignments = list(
        TaskAssignment.objects.filter(task__campaign=campaign, task__status=Task.Status.OPEN)
        .select_related("task", "unit")
        .order_by("task__sort_key", "sort_order")
    )
    rng = random.Random(2025)  # the same weeks every time
    reports = []
    for period in earlier:
        for assignment in assignments:
            roll = rng.random()
            if roll < MISSING:
                continue
            late = roll > 1 - LATE
            submitted_at = period.due_at + datetime.timedelta(
                hours=rng.randint(2, 50) if late else -rng.randint(2, 30)
            )  # fmt: skip
            reports.append(
                ProgressReport(
                    task=assignment.task, unit=assignment.unit, period=period, status=ProgressReport.Status.ACCEPTED,
                    progress=rng.choice(PROGRESS).format(n=rng.randint(2, 9)), problems=rng.choice(PROBLEMS),
                    next_steps=rng.choice(NEXT_STEPS),
                    percent_complete=on_schedule(assignment.task, campaign, period, rng),
                    submitted_at=submitted_at, is_late=late,
                )
            )  # fmt: skip
    before = ProgressReport.objects.filter(period__campaign=campaign).count()
    ProgressReport.objects.bulk_create(reports, ignore_conflicts=True)
    created = ProgressReport.objects.filter(period__campaign=campaign).count() - before
    if created:
        # Written without the services, as the loader's: the ledger is rebuilt from them, and the
        # weeks' lights (judged by the loader when these reports were missing) judged again.
        ledger.restate(Scope(campaign_ids=frozenset({campaign.pk})))
        periods = [period.pk for period in earlier]
        TaskLightWeek.objects.filter(period_id__in=periods).delete()
        recount(periods)
        backfill([campaign.pk], now=now)
    return created
