"""Reads of the office's review pages: which campaigns have reports awaiting review, and the queue.

Both read the ledger (tasks.ledger.read_pages): what awaits review is the obligations submitted
or resubmitted (states.AWAITING_REVIEW), counted through the partial index that holds only those,
never by reading every report. The queue lists a period's filed obligations with their reports;
a report the user may not see (a returned report whose fix the unit is drafting: its own draft)
is listed without its content (accounts.access.visible_to decides). Each reader runs a fixed
number of queries, whatever the number of rows.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts import access
from campaigns.models import Campaign, ReportingPeriod, Section
from campaigns.periods import begun, review_default
from units.models import Unit

from ..ledger import read, read_pages, states
from ..models import ProgressReport

SUBMITTED = states.SUBMITTED
# The queue's state filters: awaiting review (submitted and resubmitted, the default), each filed
# state as the office sees it, and every filed one ("all", stored as "").
WAITING = "waiting"
REVIEW_STATES = [states.SUBMITTED, states.RESUBMITTED, states.RETURNED, states.FIX_OVERDUE, states.ACCEPTED]
FILTERS = {WAITING: states.AWAITING_REVIEW, **{state: (state,) for state in REVIEW_STATES}, "": REVIEW_STATES}


class Counted:
    """A queryset whose length is known already (from the per-state counts), so that paging it
    costs no COUNT query: Paginator asks count() and slices."""

    def __init__(self, queryset, count: int):
        self.queryset, self._count = queryset, count

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, key):
        return self.queryset[key]


@dataclass
class ReviewQueue:
    campaign: Campaign
    # Periods that have begun, newest first, each with `waiting`: its reports awaiting review.
    periods: list[ReportingPeriod]
    period: ReportingPeriod | None
    units: list[Unit]
    sections: list[Section]
    rows: Counted  # ids of filed obligations, in order: the view pages them, queue_rows loads a page
    # Filed obligations of the period per shown state, under the unit and section filters (not the state one).
    counts: dict[str, int]

    @property
    def waiting(self) -> int:
        return sum(self.counts.get(state, 0) for state in states.AWAITING_REVIEW)


def review_queue(
    user, campaign_code: str, *, period_number: int | None = None, unit_id: int | None = None,
    section_id: int | None = None, state: str = WAITING, now: datetime.datetime | None = None,
) -> ReviewQueue:  # fmt: skip
    """The filed obligations of a campaign's period for the office to review, filtered by unit,
    section and state (a key of FILTERS; "" for every filed state). Periods not begun yet are not
    offered (no report can be filed for them); asking for one, or for an unknown number, is a 404.
    The queue opens on the period with the most awaiting review, else the newest with anything filed."""
    now = now or timezone.now()
    campaign = get_object_or_404(access.visible_to(user, Campaign), code=campaign_code)
    read.ensure_open([campaign.pk], now)
    in_campaign = read_pages.campaign_rows(user, campaign.pk)
    begun_periods = begun(campaign.periods.all(), now)
    periods = list(begun_periods.order_by("-number"))
    waiting = read_pages.awaiting_review_by_period(in_campaign)
    for period in periods:
        period.waiting = waiting.get(period.pk, 0)
    if period_number is None:
        period = review_default(periods, waiting, ())
        if period is not None and not period.waiting:
            # Nothing awaits review: the newest period with anything filed (one probe per period
            # from the newest, stopping at the first), else the newest.
            filed = read_pages.newest_filed_period(begun_periods, in_campaign)
            period = next((p for p in periods if filed is not None and p.pk == filed.pk), period)
    else:
        period = next((p for p in periods if p.number == period_number), None)
        if period is None:
            raise Http404
    filtered = in_campaign.filter(period=period)
    if unit_id:
        filtered = filtered.filter(unit_id=unit_id)
    if section_id:
        filtered = filtered.filter(task__section_id=section_id)
    counts = read_pages.filed_counts(filtered, now)
    # Only the ids, in the table's order: the view pages them, and queue_rows loads one page.
    shown_states = FILTERS.get(state, REVIEW_STATES)
    ids = (
        read_pages.filed_in(filtered, shown_states, now)
        .order_by("task__sort_key", "unit__sort_order", "unit__name", "pk")
        .values_list("pk", flat=True)
    )
    rows = Counted(ids, sum(counts.get(shown, 0) for shown in shown_states))
    units = list(Unit.objects.filter(pk__in=read_pages.unit_ids_ever_on(campaign)).order_by("sort_order", "name"))
    return ReviewQueue(
        campaign=campaign,
        periods=periods,
        period=period,
        units=units,
        sections=list(campaign.sections.all()),
        rows=rows,
        counts=counts,
    )


@dataclass
class QueueRow:
    """One filed obligation of the queue: `report` is None when the user may not see it."""

    obligation: object
    report: ProgressReport | None
    state: str  # as the office sees it now

    @property
    def awaiting_review(self) -> bool:
        return self.state in states.AWAITING_REVIEW

    @property
    def label(self) -> str:
        return states.SHOWN_LABELS[self.state]


def queue_rows(user, obligation_ids, queue: ReviewQueue, now: datetime.datetime | None = None) -> list[QueueRow]:
    """A page of the queue (obligation ids of its campaign and period) as rows, each report only if the user may
    see it. A fixed number of queries: the rows, their evidence and indicator values, the visible reports."""
    obligations = read_pages.with_reports(list(obligation_ids), queue.campaign, queue.period)
    now = now or timezone.now()
    report_ids = [o.report_id for o in obligations if o.report_id is not None]
    # Unordered: the report model's ordering would join five tables to a set of ids.
    seen = set(
        access.visible_to(user, ProgressReport).filter(pk__in=report_ids).order_by().values_list("pk", flat=True)
    )
    rows = []
    for o in obligations:
        report = o.report if o.report_id in seen else None
        if report is not None:  # the same task, unit and period as its obligation's, loaded with it
            report.task, report.unit, report.period = o.task, o.unit, o.period
        rows.append(QueueRow(o, report, states.shown(o, now, due_at=o.period.due_at)))
    return rows


def review_campaigns(user):
    """Active campaigns with the number of reports awaiting review (one query: a count per
    campaign over the ledger's partial index of obligations awaiting review)."""
    return (
        access.visible_to(user, Campaign)
        .filter(status=Campaign.Status.ACTIVE)
        .annotate(waiting=read_pages.awaiting_review_count())
        .order_by("-start_date", "code")
    )
