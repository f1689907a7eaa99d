"""Notices left unanswered, the outbox, and the opening of reporting periods."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.utils.translation import gettext as _

from notifications.services import delivery_send, due_delivery_ids
from tasks.ledger.sync import open_periods as ledger_open_periods
from tasks.models import TaskAssignment

from ..models import SupervisionNotice
from .base import JobSummary, Run, leaders_by_task


def notice_followup(now: datetime.datetime) -> JobSummary:
    """A notice unanswered past its answer-by moment: the responsible leaders and the office are
    told, once. The notice remembers it (followed_up_at), so each run reads only the notices that
    fell due since the last one, not every unanswered notice ever issued."""
    run = Run("notice_followup", now)
    if not run.calendar.is_workday(run.today):
        run.skip(_("not a working day"))
        return run.summary
    notices = list(
        SupervisionNotice.objects.filter(status=SupervisionNotice.Status.OPEN, followed_up_at__isnull=True)
        .filter(answer_by__lt=now)
        .select_related("unit", "task", "campaign")
        .order_by("answer_by", "pk")
    )
    if not notices:
        return run.summary
    # A notice about missing reports concerns the unit's tasks in its campaign: all in one query.
    unit_tasks = defaultdict(list)
    report_notices = [notice for notice in notices if notice.task_id is None]
    if report_notices:
        assignments = TaskAssignment.objects.filter(
            unit_id__in={n.unit_id for n in report_notices},
            task__campaign_id__in={n.campaign_id for n in report_notices},
        ).values_list("task__campaign_id", "unit_id", "task_id")
        for campaign_id, unit_id, task_id in assignments:
            unit_tasks[(campaign_id, unit_id)].append(task_id)
    leaders = leaders_by_task(
        {notice.task_id for notice in notices if notice.task_id} | {pk for ids in unit_tasks.values() for pk in ids}
    )
    for notice in notices:
        task_ids = [notice.task_id] if notice.task_id else unit_tasks[(notice.campaign_id, notice.unit_id)]
        told, seen = [], set()
        for task_id in task_ids:
            for leader in leaders.get(task_id, []):
                if leader.pk not in seen:
                    seen.add(leader.pk)
                    told.append(leader)
        message = {
            "kind": "notice_unanswered", "task": notice.task, "unit": notice.unit, "link": notice.get_absolute_url(),
            "title": _("Unanswered supervision notice: %(unit)s") % {"unit": notice.unit}, "body": notice.body,
        }  # fmt: skip
        tally = run.tally("escalations")
        run.tell(told, notice.unit, f"notice-late:{notice.pk}:leader", _("responsible leader"), tally=tally, **message)
        run.tell(
            run.office_staff, notice.unit, f"notice-late:{notice.pk}:office", _("office staff"), tally=tally, **message
        )
    # Remembered in the run's transaction: if sending fails, the notices are followed up next time.
    SupervisionNotice.objects.filter(pk__in=[notice.pk for notice in notices], followed_up_at__isnull=True).update(
        followed_up_at=now
    )
    return run.flush()


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
