"""The office's 工作台: every card's number is the length of the list it links to, in total and per
campaign; an office with no campaign gets an empty state; the page's queries do not grow."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campaigns.services import ensure_reporting_periods
from tasks.ledger.read import ensure_open
from tests.factories import (
    CampaignFactory,
    CompletionRequestFactory,
    ExtensionRequestFactory,
    ProgressReportFactory,
    TaskFactory,
)

pytestmark = pytest.mark.django_db


def listed(client, url) -> int:
    """How many rows the list at `url` holds (all its pages)."""
    response = client.get(url)
    assert response.status_code == 200, url
    if url.startswith(reverse("tasks:requests")):
        pending = response.context["pending"]
        return len(pending.completions) + len(pending.extensions)
    return response.context["page"].paginator.count


def busy_week(r, assign, extra_tasks=0):
    """Reports in every state, coordination asked, tasks overdue, requests pending; a second
    campaign, and a closed one whose figures must not count."""
    second = CampaignFactory(start_date=r.campaign.start_date, end_date=r.campaign.end_date)
    closed = CampaignFactory(start_date=r.campaign.start_date, end_date=r.campaign.end_date, status="closed")
    for campaign in (second, closed):
        ensure_reporting_periods(campaign)
    last_due = r.campaign.periods.get(number=r.period.number - 1)
    ProgressReportFactory(task=r.task, unit=r.lead, period=last_due, status="submitted", submitted_at=last_due.due_at)
    ProgressReportFactory(
        task=r.task, unit=r.support, period=r.past, status="submitted", submitted_at=r.past.due_at,
        needs_coordination=True, coordination_request="请协调",
    )  # fmt: skip
    today = timezone.localdate()
    for i in range(2 + extra_tasks):
        for campaign in (second, closed, r.campaign):
            task = TaskFactory(campaign=campaign, deadline=today - datetime.timedelta(days=3 + i))
            assign(task, r.other, "lead")
    CompletionRequestFactory(task=r.task, unit=r.lead)
    ExtensionRequestFactory(task=r.other_task, unit=r.other)
    ensure_open()  # the periods begun are opened (the beat job's work, not the page's to measure)
    return second, closed


def test_every_card_counts_exactly_the_list_it_links_to(client, reporting, assign):
    r = reporting
    second, closed = busy_week(r, assign)
    client.force_login(r.office)
    response = client.get(reverse("dashboards:desk"))
    assert response.status_code == 200
    desk = response.context["desk"]
    assert [card.key for card in desk.cards] == ["missing", "awaiting_review", "coordination", "overdue", "requests"]
    counts = {card.key: card.count for card in desk.cards}
    assert all(counts.values()), counts  # every card has something to count here
    for card in desk.cards:
        assert listed(client, card.url) == card.count, card.key
    assert {row.campaign for row in desk.campaigns} == {r.campaign, second}  # the active ones
    for row in desk.campaigns:
        for card in row.cards:
            assert f"campaign={row.campaign.code}" in card.url
            assert listed(client, card.url) == card.count, (row.campaign.code, card.key)
    # The totals add up the campaigns (no closed campaign's figures).
    for index, card in enumerate(desk.cards[:-1]):
        assert card.count == sum(row.cards[index].count for row in desk.campaigns)
    html = response.content.decode()
    for card in desk.cards:
        assert f'href="{card.url.replace("&", "&amp;")}" data-card="{card.key}" data-count="{card.count}"' in html


def test_an_office_with_no_campaign_sees_an_empty_state(client, office):
    response = client.get(reverse("dashboards:desk"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "empty-state" in html and 'id="desk-cards"' not in html


def test_only_the_office_has_a_desk(client, reporting):
    for user in (reporting.leader, reporting.lead_liaison, reporting.outsider):
        client.force_login(user)
        assert client.get(reverse("dashboards:desk")).status_code == 403


def test_the_desk_runs_at_most_15_queries_whatever_the_data(client, reporting, assign):
    r = reporting
    client.force_login(r.office)
    ensure_open()
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("dashboards:desk")).status_code == 200
    busy_week(r, assign, extra_tasks=6)
    with CaptureQueriesContext(connection) as larger:
        assert client.get(reverse("dashboards:desk")).status_code == 200
    assert len(small) <= 15, [q["sql"] for q in small.captured_queries]
    assert len(larger) == len(small), [q["sql"] for q in larger.captured_queries]
