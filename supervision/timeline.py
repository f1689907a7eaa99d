"""Supervision's lines on a task's timeline: the office urging units, and notices issued and answered.

Registered with tasks.selectors.timeline in SupervisionConfig.ready(), so that tasks, below
supervision, never reads supervision's models.
"""

from __future__ import annotations

from django.db.models import Case, F, When
from django.db.models.functions import Coalesce
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
    a page of them (tasks.selectors.timeline.window), two queries, each limited in SQL."""
    urges, urges_end = window(
        access.visible_to(user, Urge).filter(task=task).select_related("urged_by", "unit"), "urged_at", before, limit
    )
    notices, notices_end = _notices_window(access.visible_to(user, SupervisionNotice).filter(task=task), before, limit)
    events = [
        TimelineEvent(urge.urged_at, "urge", urge.urged_by, subject=urge.unit.display_name, text=urge.note)
        for urge in reversed(urges)
    ]
    issued = sorted((n for n in notices if before is None or n.issued_at < before), key=lambda n: (n.issued_at, n.pk))
    events += [
        TimelineEvent(notice.issued_at, "notice:issued", subject=notice.unit.display_name, text=notice.body)
        for notice in issued
    ]
    answered = sorted(
        (n for n in notices if n.answered_at is not None and (before is None or n.answered_at < before)),
        key=lambda n: (n.answered_at, n.pk),
    )
    events += [
        TimelineEvent(
            notice.answered_at, "notice:answered", notice.answered_by, subject=notice.unit.display_name,
            text=notice.answer,
        )
        for notice in answered
    ]  # fmt: skip
    horizons = [end for end in (urges_end, notices_end) if end is not None]
    return events, max(horizons) if horizons else None


def _notices_window(notices, before, limit):
    """The `limit` notices whose latest event (answered, else issued) before `before` is newest,
    one query (issue and answer were two windows, two statements), and the horizon as `window`
    gives it: every notice left out has no event after it, so no event after it is missed."""
    if before is not None:
        notices = notices.filter(issued_at__lt=before)
        latest = Case(When(answered_at__lt=before, then=F("answered_at")), default=F("issued_at"))
    else:
        latest = Coalesce("answered_at", "issued_at")
    notices = notices.select_related("unit", "answered_by").annotate(latest_at=latest)
    fetched = list(notices.order_by("-latest_at", "-pk")[:limit])
    if len(fetched) < limit:
        return fetched, None
    horizon = fetched[-1].latest_at
    if fetched[0].latest_at == horizon:  # a whole page at one instant: all of it, as `window` does
        fetched = list(notices.filter(latest_at=horizon).order_by("-pk"))
    return fetched, horizon
