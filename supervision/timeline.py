"""Supervision's lines on a task's timeline: the office urging units, and notices issued and answered.

Registered with tasks.selectors.timeline in SupervisionConfig.ready(), so that tasks, below
supervision, never reads supervision's models.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts import access
from tasks.selectors.timeline import TimelineEvent

from .models import SupervisionNotice, Urge

ACTIONS = {
    "urge": _("Urged by the supervision office"),
    "notice:issued": _("Supervision notice issued"),
    "notice:answered": _("Supervision notice answered"),
}


def supervision_events(user, task) -> list[TimelineEvent]:
    """The office urging units on this task, and supervision notices about it the user may see."""
    events = [
        TimelineEvent(urge.urged_at, "urge", urge.urged_by, subject=urge.unit.display_name, text=urge.note)
        for urge in access.visible_to(user, Urge).filter(task=task).select_related("urged_by", "unit")
    ]
    for notice in access.visible_to(user, SupervisionNotice).filter(task=task).select_related("unit", "answered_by"):
        events.append(
            TimelineEvent(notice.issued_at, "notice:issued", subject=notice.unit.display_name, text=notice.body)
        )
        if notice.answered_at:
            events.append(
                TimelineEvent(
                    notice.answered_at,
                    "notice:answered",
                    notice.answered_by,
                    subject=notice.unit.display_name,
                    text=notice.answer,
                )
            )
    return events
