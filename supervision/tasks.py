"""Celery tasks: thin wrappers that take ids or names, call one service, and own the retry policy.

Both are idempotent (deliveries are claimed by compare-and-set; job output is keyed), so they are
acknowledged late and re-queued if a worker dies mid-run.
"""

import datetime

from celery import shared_task

from . import jobs
from .notifications import delivery_send


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def deliver_notification(delivery_id: int) -> str:
    return delivery_send(delivery_id)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def run_job(name: str, now: str | None = None) -> dict:
    """Run a supervision job (beat schedules call this with the job's name)."""
    moment = datetime.datetime.fromisoformat(now) if now else None
    return jobs.run_job(name, moment).as_dict()
