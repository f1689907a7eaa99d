"""Supervision's lines on a task's timeline: the office urging units, and notices issued and answered.

Registered with tasks.selectors.timeline in SupervisionConfig.ready(), so that tasks, below
supervision, never reads supervision's models.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts import access
from tasks.selectors.timeline import PAGE_SIZE, TimelineEvent, window

from .models import SupervisionNotice, Urge

ACTIONS = {
    "urge": _("Urged by the supervision office"),
    "notice:issued": _("Supervision notice issued"),
    "notice:answered": _("Supervision notice answered"),
}


def supervision_events(user, task, *, before=None, limit=PAGE_SIZE):
    """The office urging units on this task, and supervision notices about it the user may see:
    a page of them (tasks.selectors.timeline.window), three queries, each limited in SQL."""
    urges, urges_end = window(
        access.visible_to(user, Urge).filter(task=task).select_related("urged_by", "unit"), "urged_at", before, limit
    )
    notices = access.visible_to(user, SupervisionNotice).filter(task=task).select_related("unit", "answered_by")
    issued, issued_end = window(notices, "issued_at", before, limit)
    answered, answered_end = window(notices.filter(answered_at__isnull=False), "answered_at", before, limit)
    events = [
        TimelineEvent(urge.urged_at, "urge", urge.urged_by, subject=urge.unit.display_name, text=urge.note)
        for urge in reversed(urges)
    ]
    events += [
        TimelineEvent(notice.issued_at, "notice:issued", subject=notice.unit.display_name, text=notice.body)
        for notice in reversed(issued)
    ]
    events += [
        TimelineEvent(
            notice.answered_at, "notice:answered", notice.answered_by, subject=notice.unit.display_name,
            text=notice.answer,
        )
        for notice in reversed(answered)
    ]  # fmt: skip
    horizons = [end for end in (urges_end, issued_end, answered_end) if end is not None]
    return events, max(horizons) if horizons else None
