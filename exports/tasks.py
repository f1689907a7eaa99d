"""Celery tasks of the exports: thin wrappers over exports.services, taking ids only.

Both are idempotent (the build claims its file with a compare-and-set; the cleanup marks before
it deletes), so they are acknowledged late and run again if a worker dies mid-run.
"""

from celery import shared_task

from . import services


@shared_task(acks_late=True, reject_on_worker_lost=True)
def build_export(file_id: int) -> bool:
    """Write one queued export file and tell its requester (exports.services.export_build)."""
    return services.export_build(file_id=file_id)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def delete_expired_exports() -> dict:
    """Daily (supervision.schedules): delete expired files, send stale jobs again."""
    return services.exports_cleanup()
