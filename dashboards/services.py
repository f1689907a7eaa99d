"""The home pages' writes: following a task (关注) and recording a visit."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from tasks.models import Task

from .models import Follow, LastVisit

# Requests closer together than this are one visit: reloading the home page, or coming back to it
# from a task, keeps "since your last visit" counting from the visit before.
VISIT_GAP = datetime.timedelta(minutes=30)


@transaction.atomic
def follow_set(*, user, task: Task, follow: bool) -> bool:
    """Follow (关注) or unfollow the task for the user. Idempotent: following twice or two
    parallel posts leave one row (the unique constraint, ON CONFLICT DO NOTHING), unfollowing
    what is not followed is a no-op. Returns whether the user now follows the task. The caller
    checks that the user may see the task."""
    if follow:
        Follow.objects.bulk_create([Follow(user=user, task=task)], ignore_conflicts=True)
    else:
        Follow.objects.filter(user=user, task=task).delete()
    return follow


def visit_record(*, user, now: datetime.datetime | None = None) -> datetime.datetime | None:
    """Record a visit to the home page at `now` and return when the visit before it began (None
    on a first visit). A request within VISIT_GAP of the current visit's start belongs to it and
    writes nothing; a later one starts a new visit, the old start becoming `previous_seen_at`.
    At most two statements; the new visit is started by a compare-and-set on the old start, so
    two requests at once start it once."""
    now = now or timezone.now()
    visit = LastVisit.objects.filter(user=user).values_list("seen_at", "previous_seen_at").first()
    if visit is None:
        LastVisit.objects.bulk_create([LastVisit(user=user, seen_at=now)], ignore_conflicts=True)
        return None
    seen_at, previous = visit
    if now - seen_at < VISIT_GAP:
        return previous
    LastVisit.objects.filter(user=user, seen_at=seen_at).update(previous_seen_at=seen_at, seen_at=now)
    return seen_at
