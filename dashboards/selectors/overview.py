"""The office overview: every active campaign the user sees, one row each (tasks by light,
overdue tasks, the last due period's submission and on-time rates, reports awaiting review, open
coordination requests), their totals, and the trends across the campaigns.

Like the campaign dashboard it reads the stored lights, the ledger's summary and the lists' own
querysets, in a fixed number of queries however many campaigns: the campaigns (with each one's
last due period), the tasks grouped by campaign and light, the periods' rates, the coordination
requests by campaign, the weekly rates and the weekly lights.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from accounts import access
from campaigns.models import Campaign, ReportingPeriod
from campaigns.periods import local_today
from lights.selectors import light_expression, weekly_counts
from tasks.ledger.read_summary import Rates, rates_by_campaign, rates_by_week
from tasks.models import Task

from ..filters import COORDINATION, ListFilters
from ..links import coordination_url, reports_url, tasks_url
from . import charts
from .campaign import TREND_WEEKS, overdue_q
from .lists import coordination_rows

REPORT_STATES = ("", "filed", "on_time", "missing", "awaiting_review")


@dataclass
class CampaignRow:
    campaign: Campaign | None  # None: the totals
    period: ReportingPeriod | None  # the last due period
    lights: dict[str, int]
    overdue: int = 0
    rates: Rates | None = None
    coordination: int = 0
    links: dict = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.lights.values())


@dataclass
class Overview:
    rows: list[CampaignRow]
    totals: CampaignRow
    charts: list[charts.Chart]


def _links(code: str | None, period_id: int | None) -> dict:
    """The lists behind a row's figures; the totals' (code None) span every campaign, whose report
    list defaults to each campaign's last due period, as the rows do."""
    return {
        "tasks": tasks_url(campaign=code),
        "lights": {light.value: tasks_url(campaign=code, light=light.value) for light in charts.LIGHTS},
        "overdue": tasks_url(campaign=code, overdue=True),
        "coordination": coordination_url(campaign=code),
        "reports": {
            (state or "owed"): reports_url(campaign=code, period=period_id, state=state or None)
            for state in REPORT_STATES
        },
    }


def _sum(rates: list[Rates]) -> Rates | None:
    return sum(rates, Rates()) if rates else None


def office_overview(user, *, now: datetime.datetime) -> Overview:
    last_due = (
        ReportingPeriod.objects.filter(campaign_id=OuterRef("pk"), due_at__lte=now).order_by("-number").values("pk")[:1]
    )
    campaigns = list(
        access.visible_to(user, Campaign)
        .filter(status=Campaign.Status.ACTIVE)
        .annotate(last_due_id=Subquery(last_due))
        .order_by("-start_date", "code")
    )
    ids = [campaign.pk for campaign in campaigns]
    if not ids:
        return Overview([], CampaignRow(None, None, {}), [])
    today = local_today(now)

    lights: dict[int, dict[str, int]] = {pk: {light.value: 0 for light in charts.LIGHTS} for pk in ids}
    overdue: dict[int, int] = dict.fromkeys(ids, 0)
    tasks = access.visible_to(user, Task).filter(campaign_id__in=ids)
    for row in (
        tasks.annotate(shown_light=light_expression())
        .order_by()
        .values("campaign_id", "shown_light")
        .annotate(n=Count("pk"), overdue=Count("pk", filter=overdue_q(today)))
    ):
        lights[row["campaign_id"]][row["shown_light"]] = row["n"]
        overdue[row["campaign_id"]] += row["overdue"]

    # The coordination list's own rows; reading them opens the begun periods first, which the
    # summary's rates below rely on.
    coordination = dict(
        coordination_rows(user, ListFilters(COORDINATION), now)
        .order_by()
        .values("campaign_id")
        .annotate(n=Count("pk"))
        .values_list("campaign_id", "n")
    )

    period_ids = [campaign.last_due_id for campaign in campaigns if campaign.last_due_id]
    rates = rates_by_campaign(ids, now=now, period_ids=period_ids) if period_ids else {}
    rows = []
    for campaign in campaigns:
        period = ReportingPeriod(pk=campaign.last_due_id) if campaign.last_due_id else None
        rows.append(
            CampaignRow(
                campaign,
                period,
                lights[campaign.pk],
                overdue[campaign.pk],
                rates.get(campaign.pk),
                coordination.get(campaign.pk, 0),
                _links(campaign.code, campaign.last_due_id),
            )
        )
    totals = CampaignRow(
        None,
        None,
        {light.value: sum(row.lights[light.value] for row in rows) for light in charts.LIGHTS},
        sum(row.overdue for row in rows),
        _sum([row.rates for row in rows if row.rates]),
        sum(row.coordination for row in rows),
        _links(None, None),
    )

    since = today - datetime.timedelta(weeks=TREND_WEEKS)  # recent weeks, not every week's rows
    week_rates = rates_by_week(ids, now=now, since=since)
    # Those who oversee (the only readers of this page) see every task of the campaigns they see:
    # no per-row visibility check, which costs more than the count itself at city scale.
    week_lights = weekly_counts(ids, since=since)
    chart_list = [
        charts.light_pie("chart-lights", _("Tasks by light"), totals.lights, lambda light: tasks_url(light=light)),
        charts.light_stack(
            "chart-campaigns",
            _("Tasks by campaign"),
            [
                (
                    row.campaign.title,
                    row.lights,
                    lambda light, code=row.campaign.code: tasks_url(campaign=code, light=light),
                )
                for row in rows
            ],
        ),
        charts.rate_lines(
            "chart-rates",
            _("Reporting rates by week"),
            [(week, week_rates_, None) for week, week_rates_ in week_rates],
            [(_("Submission rate"), "submission_rate", "filed"), (_("On-time rate"), "on_time_rate", "on_time")],
        ),
        charts.light_stack(
            "chart-light-weeks", _("Lights by week"), [(week.isoformat(), counts, None) for week, counts in week_lights]
        ),
    ]
    return Overview(rows, totals, chart_list)
