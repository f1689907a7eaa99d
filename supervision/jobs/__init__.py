"""The supervision jobs. Each takes the moment it acts as of, does its work and says what it did.

Every message a job sends is a notification with a key naming job, subject, level and recipient
(see supervision.jobs.base); the database refuses a second one with the same key, so running a
job twice, a retry, or two beat processes at once send nothing twice. Notices have keys of their
own for the same reason. Messages and notices are written in bulk: a run's statements grow with
what it sends, not with the backlog.

What is owed, missing and fix-overdue is read from the reporting ledger (tasks.ledger.due); every
job but the outbox first opens the periods that have begun (tasks.ledger.read.ensure_open), in
case the open_periods job has not run yet.

A job that falls on a non-working day (statutory holiday, weekend without make-up work) acts
on the next working day: it does nothing now and its next run catches up.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from tasks.ledger.read import ensure_open

from .base import OVERDUE_LOOKBACK, JobSummary, Run
from .deadlines import deadline_warnings
from .lights import refresh_lights
from .notices import deliver_outbox, notice_followup, open_periods
from .reports import FINAL_REMINDER_AT, FIRST_REMINDER_AT, overdue_sweep, report_reminders

__all__ = [
    "FINAL_REMINDER_AT", "FIRST_REMINDER_AT", "JOBS", "OVERDUE_LOOKBACK", "JobSummary", "Run", "run_job",
]  # fmt: skip

JOBS = {
    "open_periods": open_periods,
    "report_reminders": report_reminders,
    "overdue_sweep": overdue_sweep,
    "deadline_warnings": deadline_warnings,
    "notice_followup": notice_followup,
    "refresh_lights": refresh_lights,
    "deliver_outbox": deliver_outbox,
}
# Jobs that read the ledger: they open what has begun first.
_READ_THE_LEDGER = {"report_reminders", "overdue_sweep", "deadline_warnings", "notice_followup", "refresh_lights"}


def run_job(name: str, now: datetime.datetime | None = None) -> JobSummary:
    """Run one job as of `now`, in one transaction (the outbox job commits per delivery)."""
    if name not in JOBS:
        raise KeyError(name)
    now = now or timezone.now()
    if name == "deliver_outbox":
        return JOBS[name](now)
    with transaction.atomic():
        if name in _READ_THE_LEDGER:
            ensure_open(now=now)
        return JOBS[name](now)
