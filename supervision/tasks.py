"""Celery task: a thin wrapper that takes a job's name, calls it, and owns the retry policy.

It is idempotent (job output is keyed), so it is acknowledged late and re-queued if a worker dies
mid-run. Sending deliveries is notifications.tasks.deliver_notifications.
"""

import datetime

from celery import shared_task

from . import jobs


@shared_task(acks_late=True, reject_on_worker_lost=True)
def run_job(name: str, now: str | None = None) -> dict:
    """Run a supervision job (beat schedules call this with the job's name)."""
    moment = datetime.datetime.fromisoformat(now) if now else None
    return jobs.run_job(name, moment).as_dict()
