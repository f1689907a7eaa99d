"""Celery tasks: send deliveries. Idempotent (each delivery is claimed by compare-and-set), so
they are acknowledged late and re-queued if a worker dies mid-send: a delivery sent already is
skipped the second time."""

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


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def deliver_notifications(delivery_ids: list[int]) -> dict[str, int]:
    """Send deliveries one after the other (notifications.services.enqueue_deliveries hands them
    over a hundred at a time); returns how many ended sent, retry, failed or skipped."""
    outcomes: dict[str, int] = {}
    for delivery_id in delivery_ids:
        outcome = delivery_send(delivery_id)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes
