"""Celery task: send one delivery. Idempotent (deliveries are claimed by compare-and-set), so it is
acknowledged late and re-queued if a worker dies mid-send."""

from celery import shared_task

from .services import delivery_send


# The task was first registered by the supervision app under this name. Messages already queued
# under it (a broker holding deliveries across the upgrade) would be lost under a new name
# (a worker drops a message naming an unregistered task), so the old name stays.
@shared_task(
    name="supervision.tasks.deliver_notification", acks_late=True, reject_on_worker_lost=True, ignore_result=True
)
def deliver_notification(delivery_id: int) -> str:
    return delivery_send(delivery_id)
