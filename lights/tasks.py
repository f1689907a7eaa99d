"""Celery task: the lights of tasks that just changed, recomputed after the change has committed.

A report submitted, returned or accepted, a task closed or its deadline moved may change the
task's light. Recomputing it inside the service's transaction cost a submission seven more
statements (26 instead of 19); the page that made the change does not show the light, so it is
recomputed just after, by a worker. The hourly refresh_lights job catches up on anything a lost
message missed. Idempotent: refresh writes only what differs.
"""

from __future__ import annotations

import datetime

from celery import shared_task

from . import services


@shared_task(acks_late=True, reject_on_worker_lost=True)
def refresh_task_lights(task_ids: list[int], now: str | None = None) -> int:
    moment = datetime.datetime.fromisoformat(now) if now else None
    return services.refresh(task_ids=task_ids, now=moment)
