"""About a million progress reports over the periods that have begun, and the ledger beside them.

The obligations are written from the same facts as the reports, by the rules of
tasks.ledger.check.expected (who owes which opened period) and tasks.ledger.states (what each
report's history makes of its obligation), so `manage.py ledger_check` finds nothing to say.
"""

from __future__ import annotations

import datetime
import random

from django.conf import settings
from django.db import connection
from django.utils import timezone

from common.workdays import WorkCalendar
from tasks.ledger import states
from tasks.ledger.models import Obligation
from tasks.models import ProgressReport

from .copy import Copier
from .people import People
from .structure import Structure

HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)
RECENT = datetime.timedelta(days=14)  # the office has not reviewed everything of the last two weeks

REPORT_FIELDS = [
    "id", "task_id", "unit_id", "period_id", "status", "progress", "problems", "next_steps", "percent_complete",
    "needs_coordination", "coordination_request", "submitted_at", "submitted_by_id", "is_late", "review_comment",
    "reviewed_at", "reviewed_by_id", "version", "created_at", "updated_at",
]  # fmt: skip
OBLIGATION_FIELDS = [
    "id", "campaign_id", "task_id", "unit_id", "period_id", "period_number", "role", "report_id", "state", "first_submitted_at",
    "first_late", "returns", "returned_at", "fix_due_at", "fix_submitted_at", "fix_late", "accepted_at",
]  # fmt: skip
RETURN_COMMENT = "请补充本周具体进展和量化数据后重新报送。"


def open_begun_periods(today: datetime.date) -> int:
    """Every period that has begun is open in the ledger (closed campaigns' too: they were open
    while the campaign ran), opened at the start of its first day."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE campaigns_reportingperiod SET opened_at = (start_date::timestamp AT TIME ZONE %s) "
            "WHERE start_date <= %s",
            [settings.TIME_ZONE, today],
        )
        return cursor.rowcount


def _between(rng, start, end):
    """A moment in [start, end) (start if the span is empty)."""
    span = (end - start).total_seconds()
    return start + datetime.timedelta(seconds=int(rng.random() * span)) if span > 1 else start


class _Writer:
    def __init__(self, structure: Structure, people: People, now, rng):
        self.now, self.rng = now, rng
        self.reports = Copier(ProgressReport, REPORT_FIELDS)
        self.obligations = Copier(Obligation, OBLIGATION_FIELDS)
        self.report_pk = self.obligation_pk = 0
        self.liaison = {unit: ids[0] for unit, ids in people.liaisons.items() if ids}
        self.reviewers = people.office_user_ids or [None]
        self.campaigns = {c.pk: c for c in structure.campaigns}
        first = min(c.start_date for c in structure.campaigns)
        self.calendar = WorkCalendar(first, timezone.localdate(now) + 60 * DAY)
        self.fix_due = {}
        self.missing = {}  # (campaign, period, unit) → reports missing, in periods older than RECENT

    def fix_deadline(self, campaign_id, returned_at):
        day = timezone.localdate(returned_at)
        key = (campaign_id, day)
        if key not in self.fix_due:
            self.fix_due[key] = states.fix_deadline(self.campaigns[campaign_id], returned_at, self.calendar)
        return self.fix_due[key]

    def before_now(self, start, hours_min, hours_max):
        """A moment some hours after `start`, kept before now."""
        moment = start + datetime.timedelta(hours=self.rng.uniform(hours_min, hours_max))
        return moment if moment < self.now else _between(self.rng, start, self.now)

    def write(self, term, campaign_id, period, percent):
        """The report (if any) and the obligation of one owed period."""
        rng, now, due = self.rng, self.now, period.due_at
        status = None  # no report
        state = states.OWED
        submitted = first = reviewed = returned = fix_due = fix_at = accepted = None
        returns = 0
        if due > now:  # the current period: drafts, a few submitted early
            roll = rng.random()
            if roll < 0.30:
                status, state = "draft", states.DRAFT
            elif roll < 0.45:
                first = submitted = _between(rng, max(now - 2 * DAY, due - 6 * DAY), now)
                status, state = "submitted", states.SUBMITTED
        else:
            roll = rng.random()
            if roll < 0.025:
                pass  # missing: nothing filed
            elif roll < 0.03:
                status, state = "draft", states.DRAFT  # drafted, never submitted: missing too
            else:
                if rng.random() < 0.12:
                    first = due + datetime.timedelta(hours=rng.uniform(1, 96))
                else:
                    first = due - datetime.timedelta(hours=rng.uniform(0.2, 60))
                if first >= now:
                    first = due - HOUR
                submitted = first
                status, state = "submitted", states.SUBMITTED
                review = rng.random()
                recent = now - due < RECENT
                if recent and review < 0.55:
                    pass  # awaiting review
                elif (recent and review < 0.92) or (not recent and review < 0.975):
                    reviewed = accepted = self.before_now(first, 2, 72)
                    status, state = "accepted", states.ACCEPTED
                else:
                    returned = self.before_now(first, 2, 48)
                    returns, fix_due = 1, self.fix_deadline(campaign_id, returned)
                    reviewed = returned
                    fate = rng.random()
                    if (recent and fate < 0.35) or (not recent and fate < 0.1):
                        status, state = "returned", states.RETURNED  # not fixed yet (or fix overdue)
                    elif recent and fate < 0.55:
                        status, state = "draft", states.RETURNED  # the fix is being drafted
                    else:
                        fix_at = submitted = self.before_now(returned, 1, 80)
                        status, state = "submitted", states.RESUBMITTED
                        if not recent or fate > 0.8:
                            reviewed = accepted = self.before_now(fix_at, 2, 48)
                            status, state = "accepted", states.ACCEPTED
        if state in states.UNFILED and now - due > RECENT:
            key = (campaign_id, period, term.unit_id)
            self.missing[key] = self.missing.get(key, 0) + 1
        report_pk = None
        if status is not None:
            self.report_pk += 1
            report_pk = self.report_pk
            created = (first or now) - datetime.timedelta(hours=rng.uniform(1, 20))
            created = max(created, due - 7 * DAY)
            if status == "draft" and first is None:
                created = min(created, now)
            updated = max(t for t in (created, submitted, reviewed) if t is not None)
            self.reports.add((
                report_pk, term.task_id, term.unit_id, period.pk, status,
                f"第{period.number}期：按计划推进，完成阶段性工作。", "", "持续推进", percent,
                False, "", submitted, self.liaison.get(term.unit_id) if submitted else None,
                bool(first and first > due), RETURN_COMMENT if returns else "", reviewed,
                self.reviewers[report_pk % len(self.reviewers)] if reviewed else None, 1, created, updated,
            ))  # fmt: skip
        self.obligation_pk += 1
        self.obligations.add((
            self.obligation_pk, campaign_id, term.task_id, term.unit_id, period.pk, period.number, term.role,
            report_pk, state,
            first, (first > due) if first else None, returns, returned, fix_due, fix_at,
            (fix_at > fix_due) if fix_at else None, accepted,
        ))  # fmt: skip

    def flush(self):
        self.reports.flush()
        self.obligations.flush()


def build_reports(structure: Structure, people: People, *, now, rng: random.Random) -> dict:
    """Writes the reports and obligations; returns the old periods' missing reports by
    (campaign, period, unit), for the notices."""
    today = timezone.localdate(now)
    writer = _Writer(structure, people, now, rng)
    opened = {cid: [p for p in periods if p.start_date <= today] for cid, periods in structure.periods.items()}
    for term in structure.terms:
        campaign_id, closed_at = structure.tasks[term.task_id]
        periods = structure.periods[campaign_id]
        for period in opened[campaign_id]:
            # tasks.ledger.check._owes: from the term's first period, due before it ended and
            # before the task was closed.
            if period.number < term.first_period_number:
                continue
            if term.ended_at is not None and period.due_at > term.ended_at:
                continue
            if closed_at is not None and period.due_at > closed_at:
                continue
            writer.write(term, campaign_id, period, min(100, period.number * 100 // len(periods)))
    writer.flush()
    return writer.missing
