"""Writes of the lights: recomputing them (`refresh`), the office's rules and attention marks.

`refresh` is set-based: one pass reads the tasks, their campaigns' rules and current periods,
the ledger's findings (tasks.ledger.read_lights) and the working-day calendar, judges every task
in Python (lights.rules) and writes the lights in bulk upserts, ordered by task so that two
refreshes at once (two machines, the beat job and a report submitted) lock rows in the same
order and wait for each other rather than deadlock. Its result depends only on the data and the
moment, so running it twice, or twice at once, stores the same lights: it is idempotent.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from typing import NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import access
from campaigns.models import Campaign
from campaigns.periods import local_today
from common.workdays import WorkCalendar
from tasks.ledger.read import ensure_open
from tasks.ledger.read_lights import light_inputs
from tasks.models import Task

from . import rules
from . import weeks as period_lights
from .models import Attention, LightRule, TaskLight, TaskLightWeek

logger = logging.getLogger(__name__)

BATCH = 1000
# Streaks of missing reports are looked for this many periods beyond the red threshold, so a
# light can say "5 periods in a row" rather than only "at least 2".
STREAK_EXTRA = 4

_TASK_FIELDS = (
    "pk", "campaign_id", "campaign__start_date", "status", "closed_at", "deadline", "attention__pk",
    "attention__note", "campaign__light_rule__red_missing_periods", "campaign__light_rule__yellow_within_workdays",
    "campaign__light_rule__yellow_behind_points", "stored_light__light", "stored_light__since",
    "stored_light__reasons",
)  # fmt: skip


def tasks_to_judge(task_ids=None, campaign_ids=None):
    tasks = Task.objects.all()
    if task_ids is not None:
        tasks = tasks.filter(pk__in=sorted(set(task_ids)))
    if campaign_ids is not None:
        tasks = tasks.filter(campaign_id__in=sorted(set(campaign_ids)))
    if task_ids is None and campaign_ids is None:
        tasks = tasks.filter(campaign__status=Campaign.Status.ACTIVE)
    return tasks.order_by("pk").values_list(*_TASK_FIELDS)


def _calendar(rows, today: datetime.date) -> WorkCalendar:
    """One working-day calendar over today and every deadline (one query for the office's
    adjustments, whatever the number of tasks: the same statements for 3 tasks as for 3,000)."""
    deadlines = [row[5] for row in rows if row[5] is not None]
    return WorkCalendar(min([today, *deadlines]), max([today, *deadlines]))


def _thresholds(red, within, behind) -> rules.Thresholds:
    if red is None:  # no rule row for the campaign: the defaults
        return rules.DEFAULT
    return rules.Thresholds(red, within, behind)


class Judged(NamedTuple):
    pk: int
    campaign_id: int
    light: str
    reasons: list
    old_light: str | None
    old_since: datetime.datetime | None
    old_reasons: list | None = None


def judge_tasks(
    rows: list, now: datetime.datetime, *, past: bool = False, whole_campaigns: bool = False
) -> tuple[list[Judged], dict[int, int]]:
    """Each task of `rows` (tasks_to_judge's) judged as of `now`, and each campaign's current period then.
    `past`: as of a moment gone by (lights.history): a task closed off later was open then, and
    the office's attention marks, kept only as they are now, are left out. `whole_campaigns`: the
    rows are every task of their campaigns (the ledger is then read by campaign, not by a list of
    thousands of task ids)."""
    today = local_today(now)
    thresholds = {row[0]: _thresholds(*row[8:11]) for row in rows}
    depth = max(rule.red_missing_periods for rule in thresholds.values()) + STREAK_EXTRA
    inputs = light_inputs(
        campaign_ids={row[1] for row in rows},
        task_ids=None if whole_campaigns else [row[0] for row in rows],
        now=now,
        depth=depth,
        past=past,
    )
    calendar = _calendar(rows, today)
    judged = []
    for (
        pk,
        campaign_id,
        start,
        status,
        closed_at,
        deadline,
        attention_pk,
        note,
        *_rule,
        old_light,
        old_since,
        old_reasons,
    ) in rows:
        if past:
            status = "closed" if closed_at is not None and closed_at <= now else "open"
            attention_pk = None
        facts = rules.TaskFacts(pk, start, status, deadline, closed_at, attention_pk is not None, note or "")
        findings = rules.Findings(
            streaks=inputs.streaks.get(pk, []),
            last_period=inputs.last_period.get(pk, []),
            fix_overdue=inputs.fix_overdue.get(pk, []),
            lead_percent=inputs.lead_percent.get(pk),
        )
        light, reasons = rules.judge(facts, findings, thresholds[pk], today=today, calendar=calendar)
        judged.append(Judged(pk, campaign_id, light, reasons, old_light, old_since, old_reasons))
    return judged, inputs.current


# No savepoint: inside a service's transaction (tasks.changes) it would cost two statements on
# every report submitted, and a failure here fails that transaction anyway.
@transaction.atomic(savepoint=False)
def refresh(
    *,
    task_ids: Iterable[int] | None = None,
    campaign_ids: Iterable[int] | None = None,
    now: datetime.datetime | None = None,
    open_first: bool = False,
) -> int:
    """Recompute the lights of the tasks (`task_ids`, or every task of `campaign_ids`; with
    neither, every task of the active campaigns) as of `now`; store each task's light (keeping
    `since` while the colour stays) and its light for the campaign's current period. Returns how
    many tasks changed colour. A fixed number of queries however many tasks (one more per
    thousand rows written).

    `open_first`: open the periods begun by `now` first (tasks.ledger.read.ensure_open), as the
    pages and jobs do, for a caller that has not (the office's pages). Opening locks the periods
    and their campaigns: taken before the lights' rows, in every transaction, so that a refresh
    and a report submitted at the same moment (which opens them first too) wait for each other
    instead of deadlocking. The services' own refresh (tasks.changes) has opened them already."""
    now = now or timezone.now()
    if open_first:
        ensure_open(None if campaign_ids is None else list(campaign_ids), now)
    rows = list(tasks_to_judge(task_ids, campaign_ids))
    if not rows:
        return 0
    judged, current = judge_tasks(rows, now, whole_campaigns=task_ids is None)
    # This period's week rows as stored: a week whose light and reasons are the same is not
    # written again (an hourly re-run, where little changes, writes a few rows, not thousands).
    stored_weeks = {
        task: (light, reasons)
        for task, light, reasons in TaskLightWeek.objects.filter(
            period_id__in=set(current.values()), task_id__in=[task.pk for task in judged]
        ).values_list("task_id", "light", "reasons")
    } if current else {}  # fmt: skip
    lights, unchanged, weeks, changed = [], [], [], 0
    for task in judged:
        same = task.old_light == task.light
        changed += not same
        if same and task.old_reasons == task.reasons:
            unchanged.append(task.pk)
        else:
            lights.append(
                TaskLight(task_id=task.pk, campaign_id=task.campaign_id, light=task.light, reasons=task.reasons,
                          since=task.old_since if same else now, computed_at=now)
            )  # fmt: skip
        period_id = current.get(task.campaign_id)
        if period_id is not None and stored_weeks.get(task.pk) != (task.light, task.reasons):
            weeks.append(
                TaskLightWeek(task_id=task.pk, period_id=period_id, campaign_id=task.campaign_id, light=task.light,
                              reasons=task.reasons)
            )  # fmt: skip
    TaskLight.objects.bulk_create(
        lights, batch_size=BATCH, update_conflicts=True, unique_fields=["task"],
        update_fields=["campaign", "light", "reasons", "since", "computed_at"],
    )  # fmt: skip
    if unchanged:  # the same light, judged again now
        TaskLight.objects.filter(task_id__in=unchanged).update(computed_at=now)
    if weeks:
        TaskLightWeek.objects.bulk_create(
            weeks, batch_size=BATCH, update_conflicts=True, unique_fields=["task", "period"],
            update_fields=["campaign", "light", "reasons"],
        )  # fmt: skip
        period_lights.recount({week.period_id for week in weeks})
    return changed


def refresh_on_change(*, task_ids, now=None) -> None:
    """The handler tasks.changes calls when tasks changed (registered in LightsConfig.ready()):
    their lights are recomputed by a worker once the change has committed (lights.tasks)."""
    ids, moment = sorted(task_ids), now.isoformat() if now else None
    transaction.on_commit(lambda: _send_refresh(ids, moment))


def _send_refresh(task_ids: list[int], now: str | None) -> None:
    from .tasks import refresh_task_lights  # the Celery task calls this module

    try:
        refresh_task_lights.delay(task_ids, now)
    except Exception:  # the broker is down: the hourly refresh_lights job will catch up
        logger.warning("lights of tasks %s not queued for a refresh", task_ids, exc_info=True)


# ---- the office's rules and marks ----------------------------------------------------------------


@transaction.atomic
def rule_save(*, user, campaign: Campaign, red_missing_periods: int, yellow_within_workdays: int,
              yellow_behind_points: int, now: datetime.datetime | None = None) -> LightRule:  # fmt: skip
    """The office sets a campaign's thresholds; the campaign's lights are recomputed at once."""
    if not access.can(user, "manage"):
        raise PermissionDenied
    rule = LightRule.objects.select_for_update().filter(campaign=campaign).first() or LightRule(campaign=campaign)
    rule.red_missing_periods = red_missing_periods
    rule.yellow_within_workdays = yellow_within_workdays
    rule.yellow_behind_points = yellow_behind_points
    rule.updated_by = user
    rule.full_clean()
    try:
        with transaction.atomic():
            rule.save()
    except IntegrityError:  # created by another request meanwhile: theirs is replaced by these values
        rule = LightRule.objects.select_for_update().get(campaign=campaign)
        LightRule.objects.filter(pk=rule.pk).update(
            red_missing_periods=red_missing_periods, yellow_within_workdays=yellow_within_workdays,
            yellow_behind_points=yellow_behind_points, updated_by=user,
        )  # fmt: skip
    refresh(campaign_ids=[campaign.pk], now=now, open_first=True)
    return rule


@transaction.atomic
def attention_mark(*, user, task: Task, note: str = "", now: datetime.datetime | None = None) -> Attention:
    """The office marks the task for leader attention (需领导关注): it turns at least yellow. Marking
    a marked task again keeps the first mark (a double click marks once) and updates its note."""
    if not access.can(user, "mark_attention"):
        raise PermissionDenied
    now = now or timezone.now()
    note = note.strip()
    limit = Attention._meta.get_field("note").max_length
    if len(note) > limit:
        raise ValidationError({"note": _("At most %(limit)s characters; this text has %(length)s.") % {
            "limit": limit, "length": len(note)}})  # fmt: skip
    try:
        with transaction.atomic():
            mark, created = Attention.objects.get_or_create(
                task=task, defaults={"marked_by": user, "marked_at": now, "note": note}
            )
    except IntegrityError:  # two clicks at once: the other one's mark stands
        mark, created = Attention.objects.get(task=task), False
    if not created and note and mark.note != note:
        mark.note = note
        mark.save(update_fields=["note"])
    refresh(campaign_ids=[task.campaign_id], task_ids=[task.pk], now=now, open_first=True)
    return mark


@transaction.atomic
def attention_clear(*, user, task: Task, now: datetime.datetime | None = None) -> bool:
    """The office takes the mark off (nothing happens if there is none); returns whether one went."""
    if not access.can(user, "mark_attention"):
        raise PermissionDenied
    deleted, _per_model = Attention.objects.filter(task=task).delete()
    refresh(campaign_ids=[task.campaign_id], task_ids=[task.pk], now=now, open_first=True)
    return bool(deleted)
