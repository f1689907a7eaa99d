"""Notices left unanswered, the outbox, and the opening of reporting periods."""

from __future__ import annotations

import datetime
import functools
from collections import defaultdict

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from notifications.services import delivery_send, due_delivery_ids
from tasks.ledger.sync import open_periods as ledger_open_periods
from tasks.models import TaskAssignment

from ..models import SupervisionNotice
from .base import JobSummary, Run, leaders_by_task, link_to


def notice_followup(now: datetime.datetime) -> JobSummary:
    """A notice unanswered past its answer-by moment: the responsible leaders are told of it, and
    the office gets one digest of all such notices per run. Once: each notice remembers it
    (followed_up_at), so a run reads only the notices that fell due since the last one, not every
    unanswered notice ever issued.

    The notices are claimed first (locked, skipping those a parallel run holds), so two runs at
    once follow up disjoint sets and nobody is told of a notice twice. The office's digest (one
    message per person, not one per notice: a week can leave thousands unanswered) is keyed by
    the notices it lists."""
    run = Run("notice_followup", now)
    if not run.calendar.is_workday(run.today):
        run.skip(_("not a working day"))
        return run.summary
    due = SupervisionNotice.objects.filter(
        status=SupervisionNotice.Status.OPEN, followed_up_at__isnull=True, answer_by__lt=now
    )
    ids = list(due.select_for_update(skip_locked=True).order_by("pk").values_list("pk", flat=True))
    if not ids:
        return run.summary
    # Remembered in the run's transaction: if sending fails, the notices are followed up next time.
    SupervisionNotice.objects.filter(pk__in=ids).update(followed_up_at=now)
    notices = list(
        SupervisionNotice.objects.filter(pk__in=ids).select_related("unit", "task").order_by("answer_by", "pk")
    )
    run.summary.escalations += len(notices)
    leaders = _leaders_of(notices)
    for notice in notices:
        run.tell(
            leaders[notice.pk], notice.unit, f"notice-late:{notice.pk}:leader", N_("responsible leader"),
            message=functools.partial(_unanswered, notice),
        )  # fmt: skip
    run.tell(
        run.office_staff, _("the office"), f"notice-late:office:{ids[0]}-{ids[-1]}-{len(ids)}", N_("office staff"),
        message=functools.partial(_office_digest, notices),
    )  # fmt: skip
    return run.flush()


def _leaders_of(notices) -> dict[int, list]:
    """notice id → the responsible leaders to tell: of its task, or (a notice about missing
    reports) of the unit's tasks in its campaign; in two queries."""
    unit_tasks = defaultdict(list)
    report_notices = [notice for notice in notices if notice.task_id is None]
    if report_notices:
        assignments = TaskAssignment.objects.filter(
            unit_id__in={n.unit_id for n in report_notices},
            task__campaign_id__in={n.campaign_id for n in report_notices},
        ).values_list("task__campaign_id", "unit_id", "task_id")
        for campaign_id, unit_id, task_id in assignments:
            unit_tasks[(campaign_id, unit_id)].append(task_id)
    by_task = leaders_by_task(
        {notice.task_id for notice in notices if notice.task_id} | {pk for ids in unit_tasks.values() for pk in ids}
    )
    found = {}
    for notice in notices:
        task_ids = [notice.task_id] if notice.task_id else unit_tasks[(notice.campaign_id, notice.unit_id)]
        people = {}
        for task_id in task_ids:
            for leader in by_task.get(task_id, []):
                people.setdefault(leader.pk, leader)
        found[notice.pk] = list(people.values())
    return found


def _unanswered(notice: SupervisionNotice) -> dict:
    return {
        "kind": "notice_unanswered", "task": notice.task, "unit": notice.unit,
        "link": link_to("supervision:notice", notice.pk), "body": notice.body,
        "title": _("Unanswered supervision notice: %(unit)s") % {"unit": notice.unit},
    }  # fmt: skip


def _office_digest(notices) -> dict:
    lines = [
        f"{notice.unit} · {notice.get_kind_display()} · {timezone.localtime(notice.answer_by):%Y-%m-%d %H:%M}"
        + (f" · {notice.task.number}" if notice.task else "")
        for notice in notices
    ]
    return {
        "kind": "notice_unanswered", "link": reverse("supervision:notices"), "body": "\n".join(lines),
        "title": _("%(count)s supervision notice(s) unanswered past their answer-by time") % {"count": len(notices)},
    }  # fmt: skip


def deliver_outbox(now: datetime.datetime) -> JobSummary:
    """Send what is queued and due (first tries after a broker outage, retries, dead claims)."""
    run = Run("deliver_outbox", now)
    for delivery_id in due_delivery_ids(now):
        if delivery_send(delivery_id, now=now) == "sent":
            run.summary.deliveries += 1
    return run.summary


def open_periods(now: datetime.datetime) -> JobSummary:
    """Open the reporting periods that have begun (tasks.ledger.sync.open_periods): every unit on a
    task then owes its report. Pages and the other jobs open them too if this has not run yet."""
    run = Run("open_periods", now)
    run.summary.periods_opened = ledger_open_periods(now)
    return run.summary
