"""What every job run shares: the moment, the calendar, who is told, the notices it issues and the
messages it sends, all in bulk.

A run queues its messages (`tell`) and sends them together at its end (`flush`, through
notifications.services.notify_many: a fixed number of statements however many); a message's key
names job, subject, level and recipient, and the database refuses a second one with the same key.
Notices are inserted together too (`issue_notices`: ignore_conflicts on their unique key, then
read back). So a re-run, a retry or two beats at once send and issue nothing twice.
"""

from __future__ import annotations

import datetime
import functools
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import NamedTuple

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from campaigns.models import Campaign
from common.bulk import insert_new
from common.urls import url_maker
from common.workdays import WorkCalendar
from notifications.services import Message, notify_bulk
from tasks.models import Task
from units.models import Membership, Unit

from ..models import EscalationPolicy, SupervisionNotice

# Periods due (and fixes due) longer ago than this are history, not something to escalate again.
OVERDUE_LOOKBACK = datetime.timedelta(days=28)


def _nothing_yet() -> dict[str, int]:
    return {"reminders": 0, "escalations": 0, "notices": 0, "notifications": 0}


@dataclass
class JobSummary:
    """What a run did. The counts are what this run newly sent or issued; what was due but had
    been sent by an earlier run (a re-run, a catch-up) is counted apart in `already_sent`, so a
    re-run that sends nothing says 0, not the whole backlog again."""

    job: str
    as_of: str
    reminders: int = 0
    escalations: int = 0
    notices: int = 0
    notifications: int = 0
    deliveries: int = 0
    periods_opened: int = 0
    lights_changed: int = 0  # tasks whose traffic light changed colour (refresh_lights)
    already_sent: dict[str, int] = field(default_factory=_nothing_yet)
    skipped: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


class Tally:
    """One reminder or escalation (a unit's digest, a notice with its messages): counted as sent
    now if anyone was newly told or a notice newly issued, as already sent if all had been."""

    def __init__(self, what: str):
        self.what, self.new, self.before = what, 0, 0


class Run:
    """Shared state of one job run: the moment, the calendar, the queued messages and the counters."""

    def __init__(self, job: str, now: datetime.datetime):
        self.now = now
        self.today = timezone.localdate(now)
        self.calendar = WorkCalendar(self.today - datetime.timedelta(days=60), self.today + datetime.timedelta(days=60))
        self.summary = JobSummary(job=job, as_of=now.isoformat())
        self._policies: dict[int, EscalationPolicy] = {}
        self._queued: dict[str, tuple] = {}  # key → (recipient, its message's fields, tally)
        self._tallies: list[Tally] = []

    # ---- counting and sending --------------------------------------------------------------------

    def tally(self, what: str) -> Tally:
        counted = Tally(what)
        self._tallies.append(counted)
        return counted

    def tell(self, users, subject, key: str, who: str, *, tally: Tally | None = None, message=None, **fields) -> None:
        """Queue a message to each user (key `{key}:u{pk}`); nobody to tell is reported in the
        summary, not silently dropped. `subject` is the unit (or task) the message is about;
        `who` a msgid (gettext_noop), translated only when nobody is there: a run tells thousands.

        The message is `fields`, or `message()` (a function returning them): called only if
        someone is to be told now, so a re-run that finds everything sent builds no text."""
        if not users:
            self.skip(_("%(subject)s has no %(who)s to tell") % {"subject": subject, "who": _(who)})
            return
        made = {}

        def build() -> dict:
            if not made:
                made.update(message() if message else fields)
            return made

        for user in users:
            full_key = f"{key}:u{user.pk}"
            if full_key not in self._queued:  # one person may be both liaison and head
                self._queued[full_key] = (user, build, tally)

    def flush(self) -> JobSummary:
        """Send what was queued, in bulk (notifications.services.notify_bulk), and count it."""
        queued, self._queued = self._queued, {}

        def build(key: str) -> Message:
            user, fields, _tally = queued[key]
            return Message(recipient=user, key=key, **fields())

        created = notify_bulk(list(queued), build, now=self.now)
        for key, (user, _fields, tally) in queued.items():
            if key in created:
                self.summary.notifications += 1
                if tally:
                    tally.new += 1
                if not user.email:
                    # Still in the inbox; only the email is skipped, and the operator is told.
                    self.skip(_("%(user)s has no email address") % {"user": user})
            else:
                self.summary.already_sent["notifications"] += 1
                if tally:
                    tally.before += 1
        for tally in self._tallies:
            if tally.new:
                setattr(self.summary, tally.what, getattr(self.summary, tally.what) + 1)
            elif tally.before:
                self.summary.already_sent[tally.what] += 1
        self._tallies = []
        return self.summary

    def skip(self, reason: str) -> None:
        if reason not in self.summary.skipped:
            self.summary.skipped.append(reason)

    # ---- reading once per run ------------------------------------------------------------------------

    @functools.cached_property
    def office_staff(self) -> list:
        """Supervision-office staff, read once per run."""
        return [
            m.user
            for m in Membership.objects.filter(role=Membership.Role.OFFICE, user__is_active=True).select_related("user")
        ]

    def load_policies(self, campaign_ids) -> None:
        """The escalation policies of the campaigns, in one query (defaults for those without)."""
        wanted = set(campaign_ids) - set(self._policies)
        if not wanted:
            return
        found = {p.campaign_id: p for p in EscalationPolicy.objects.filter(campaign_id__in=wanted)}
        for campaign_id in wanted:
            self._policies[campaign_id] = found.get(campaign_id) or EscalationPolicy(campaign_id=campaign_id)

    def policy(self, campaign_id: int) -> EscalationPolicy:
        self.load_policies([campaign_id])
        return self._policies[campaign_id]

    def local(self, day: datetime.date, at: datetime.time) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, at))

    def answer_by(self, campaign_id: int) -> datetime.datetime:
        days = self.policy(campaign_id).answer_within_workdays
        return self.local(self.calendar.add_workdays(self.today, days), datetime.time(18, 0))


# ---- who is told, read in one query each ---------------------------------------------------------


class People:
    """Liaisons and heads of the units, read once."""

    def __init__(self, unit_ids):
        self.liaisons, self.heads = defaultdict(list), defaultdict(list)
        memberships = Membership.objects.filter(
            unit_id__in=list(unit_ids),
            role__in=[Membership.Role.LIAISON, Membership.Role.HEAD],
            user__is_active=True,
        ).select_related("user")
        for membership in memberships.order_by("unit_id", "pk"):
            side = self.liaisons if membership.role == Membership.Role.LIAISON else self.heads
            side[membership.unit_id].append(membership.user)

    def both(self, unit_id) -> list:
        return self.heads.get(unit_id, []) + self.liaisons.get(unit_id, [])


def leaders_by_task(task_ids) -> dict[int, list]:
    """task id → the active user accounts of its responsible leaders, in one query."""
    through = Task.leaders.through
    rows = (
        through.objects.filter(task_id__in=list(task_ids), leader__user__isnull=False, leader__user__is_active=True)
        .select_related("leader__user")
        .order_by("leader__sort_order", "leader_id")
    )
    found = defaultdict(list)
    for row in rows:
        found[row.task_id].append(row.leader.user)
    return found


def units_by_id(unit_ids) -> dict[int, Unit]:
    return Unit.objects.in_bulk(list(set(unit_ids)))


class TaskRow(NamedTuple):
    """What a message says of a task (thousands are read per run: no model instances)."""

    pk: int
    number: str
    title: str

    def __str__(self):
        return f"{self.number} {self.title}"


def task_rows(task_ids) -> dict[int, TaskRow]:
    rows = Task.objects.filter(pk__in=list(set(task_ids))).values_list("pk", "number", "title")
    return {row[0]: TaskRow(*row) for row in rows}


class LazyTaskRows:
    """task_rows read at the first look-up: a re-run that finds every message sent reads none."""

    def __init__(self, task_ids):
        self._ids, self._rows = set(task_ids), None

    def __getitem__(self, pk: int) -> TaskRow:
        if self._rows is None:
            self._rows = task_rows(self._ids)
        return self._rows[pk]


def campaigns_by_id(campaign_ids) -> dict[int, Campaign]:
    return Campaign.objects.in_bulk(list(set(campaign_ids)))


def task_list(tasks) -> str:
    return "\n".join(f"{task.number} {task.title}" for task in tasks)


# ---- notices -----------------------------------------------------------------------------------------


@dataclass
class NoticeSpec:
    """A notice a job wants issued once (by `key`), and the tally it counts in. `body` may be a
    function, called only if the notice is issued now (a re-run finds thousands issued)."""

    key: str
    kind: str
    campaign_id: int
    unit: Unit
    body: str | Callable[[], str]
    tally: Tally
    period_id: int | None = None
    task: Task | None = None


def issue_notices(run: Run, specs: list[NoticeSpec]) -> list[tuple[NoticeSpec, SupervisionNotice]]:
    """Issue the notices not issued yet, in bulk; return those issued now with their rows.

    Two statements whatever the number: the keys already there, and one INSERT … ON CONFLICT
    (key) DO NOTHING RETURNING (on PostgreSQL from arrays; elsewhere bulk_create with
    ignore_conflicts and the new rows read back). A notice a parallel run inserted meanwhile is
    skipped by the database and counted as issued before; what is sent about a notice is keyed
    by it, so nobody is told twice.
    """
    if not specs:
        return []
    by_key = {spec.key: spec for spec in specs}
    existing = set(SupervisionNotice.objects.filter(key__in=list(by_key)).values_list("key", flat=True))
    fresh = [spec for key, spec in by_key.items() if key not in existing]
    rows = [
        SupervisionNotice(
            key=spec.key, kind=spec.kind, campaign_id=spec.campaign_id, unit=spec.unit, period_id=spec.period_id,
            task=spec.task, body=spec.body() if callable(spec.body) else spec.body, issued_at=run.now,
            answer_by=run.answer_by(spec.campaign_id),
        )
        for spec in fresh
    ]  # fmt: skip
    if rows and connection.vendor == "postgresql":
        created = _insert_notices(rows)
    elif rows:
        SupervisionNotice.objects.bulk_create(rows, ignore_conflicts=True)
        mine = SupervisionNotice.objects.filter(key__in=[row.key for row in rows], issued_at=run.now)
        created = dict(mine.values_list("key", "pk"))
    issued = []
    for spec, row in zip(fresh, rows, strict=True):
        if row.key in created:
            row.pk = created[row.key]
            spec.tally.new += 1
            run.summary.notices += 1
            issued.append((spec, row))
        else:
            existing.add(row.key)
    for key in existing:
        by_key[key].tally.before += 1
        run.summary.already_sent["notices"] += 1
    return issued


def _insert_notices(rows: list[SupervisionNotice]) -> dict[str, int]:
    """INSERT … SELECT FROM unnest(arrays) ON CONFLICT (key) DO NOTHING: key → id of those inserted."""
    columns = {
        "key": ("varchar", [r.key for r in rows]),
        "kind": ("varchar", [r.kind for r in rows]),
        "campaign_id": ("bigint", [r.campaign_id for r in rows]),
        "unit_id": ("bigint", [r.unit_id for r in rows]),
        "task_id": ("bigint", [r.task_id for r in rows]),
        "period_id": ("bigint", [r.period_id for r in rows]),
        "body": ("text", [r.body for r in rows]),
        "issued_at": ("timestamptz", [r.issued_at for r in rows]),
        "answer_by": ("timestamptz", [r.answer_by for r in rows]),
        "status": ("varchar", [r.status for r in rows]),
        "answer": ("text", [r.answer for r in rows]),
    }
    return insert_new(SupervisionNotice._meta.db_table, columns)


@functools.cache
def _link_maker(name: str):
    return url_maker(name)


def link_to(name: str, pk: int) -> str:
    """reverse(name, args=[pk]) for thousands of pks: the URL resolver is asked once (a notice's
    page is its pk in a fixed pattern)."""
    return _link_maker(name)(pk)


def tell_notice(run: Run, notice: SupervisionNotice, recipients, tally: Tally) -> None:
    run.tell(
        recipients, notice.unit, f"notice:{notice.pk}", N_("liaison or head"), tally=tally,
        kind="notice", unit=notice.unit, task=notice.task, body=notice.body, link=link_to("supervision:notice", notice.pk),
        title=_("Supervision notice: answer by %(date)s") % {
            "date": timezone.localtime(notice.answer_by).strftime("%Y-%m-%d %H:%M")},
    )  # fmt: skip
