"""The assessment's beat job: every active campaign's scores, recomputed (daily and Friday evening)."""

from celery import shared_task

from . import services


@shared_task(name="assessment.tasks.compute_scores")
def compute_scores() -> dict:
    """Idempotent: a run with nothing new writes nothing. Returns rows written per campaign."""
    return {code: outcome.written for code, outcome in services.compute_active().items()}
