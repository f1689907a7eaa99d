"""The office's 工作台: this period's counts across the active campaigns the user sees, and per
campaign, each linking to exactly the list it counts.

A card is a list: its link (dashboards.links) is parsed by the list's own reader
(dashboards.filters.parse) and counted with the list's own selector (dashboards.selectors.lists),
so the number on the card and the length of the list it opens cannot disagree. Each card is one
grouped query, whatever the number of campaigns; the totals are the sums of the groups.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.db.models import Count, QuerySet
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts import access
from campaigns.models import Campaign
from tasks.models import CompletionRequest, ExtensionRequest
from tasks.selectors.requests import pending

from .. import filters, links
from . import lists

ROWS = {
    filters.TASKS: lists.task_rows,
    filters.REPORTS: lists.report_rows,
    filters.COORDINATION: lists.coordination_rows,
}
URLS = {
    filters.TASKS: links.tasks_url,
    filters.REPORTS: links.reports_url,
    filters.COORDINATION: links.coordination_url,
}


@dataclass(frozen=True)
class CardSpec:
    key: str
    kind: str  # which list (filters.TASKS, REPORTS, COORDINATION)
    params: tuple[tuple[str, object], ...]
    label: str
    icon: str
    tone: str


# The office's week: reports not in for the last due period, reports to review (every due
# period), units asking for coordination, tasks past their deadline.
CARDS = (
    CardSpec("missing", filters.REPORTS, (("state", "missing"),), _("Not reported"), "exclamation-circle", "danger"),
    CardSpec(
        "awaiting_review",
        filters.REPORTS,
        (("period", filters.ALL_PERIODS), ("state", "awaiting_review")),
        _("Awaiting review"),
        "inbox",
        "primary",
    ),
    CardSpec("coordination", filters.COORDINATION, (), _("Needing coordination"), "people", "warning"),
    CardSpec("overdue", filters.TASKS, (("overdue", 1),), _("Overdue tasks"), "alarm", "danger"),
)


@dataclass
class Card:
    key: str
    label: str
    icon: str
    tone: str
    count: int
    url: str


@dataclass
class CampaignRow:
    campaign: Campaign
    cards: list[Card]


@dataclass
class Desk:
    cards: list[Card]  # the totals, the pending requests last
    campaigns: list[CampaignRow]


def card_rows(user, spec: CardSpec, now: datetime.datetime, **extra) -> tuple[str, QuerySet]:
    """The link of a card (with `extra` parameters, e.g. campaign=code) and the rows of the list
    it opens: the list's own parameters reader on the link's own query string."""
    url = URLS[spec.kind](**dict(spec.params), **extra)
    query = QueryDict(urlsplit(url).query)
    return url, ROWS[spec.kind](user, filters.parse(user, query, spec.kind), now)


def _by_campaign(rows: QuerySet, field: str = "campaign_id") -> dict[int, int]:
    return dict(rows.order_by().values_list(field).annotate(n=Count("pk")))


def pending_requests_count(user) -> int:
    """Completion and extension requests awaiting a decision: the rows of the requests page
    (tasks.selectors.requests.pending), counted in one query."""
    completions = pending(user, CompletionRequest).order_by().values("pk")
    return completions.union(pending(user, ExtensionRequest).order_by().values("pk"), all=True).count()


def desk(user, *, now: datetime.datetime) -> Desk:
    campaigns = list(
        access.visible_to(user, Campaign).filter(status=Campaign.Status.ACTIVE).order_by("-start_date", "code")
    )
    if not campaigns:  # the empty state: nothing to count
        return Desk(cards=[], campaigns=[])
    totals, rows = [], {campaign.pk: CampaignRow(campaign, []) for campaign in campaigns}
    for spec in CARDS:
        url, found = card_rows(user, spec, now)
        counted = _by_campaign(found)
        totals.append(Card(spec.key, spec.label, spec.icon, spec.tone, sum(counted.values()), url))
        for campaign in campaigns:
            link = URLS[spec.kind](campaign=campaign.code, **dict(spec.params))
            rows[campaign.pk].cards.append(
                Card(spec.key, spec.label, spec.icon, spec.tone, counted.get(campaign.pk, 0), link)
            )
    requests = pending_requests_count(user)
    totals.append(
        Card("requests", _("Pending requests"), "hourglass-split", "warning", requests, reverse("tasks:requests"))
    )
    return Desk(cards=totals, campaigns=list(rows.values()))
