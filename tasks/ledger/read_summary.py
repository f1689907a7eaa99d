"""Rates from the ledger's summary per period × unit (PeriodUnitSummary), or per period
(PeriodSummary) when every unit and role counts: what dashboards count.

Only periods due by `now` count: the current period, not yet due, would show its unfiled reports
as missing. `missing` is what stayed unfiled (nothing or a draft) in those periods. `fix_overdue`
(退回未整改) depends on the clock, not only on the state, so it is counted from the obligations
themselves, where a partial index holds the few returned ones.

Each reader takes two queries, whatever the number of campaigns, units and periods. They do not
ask who may see what: the caller passes the campaigns (and units) the user may see
(accounts.access), and opens the periods that have begun first (tasks.ledger.read.ensure_open),
as every page does.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, fields

from django.db.models import Count, Sum

from . import states
from .models import Obligation, PeriodSummary, PeriodUnitSummary


@dataclass(frozen=True)
class Rates:
    """A unit's, a campaign's or a week's reports over due periods."""

    owed: int = 0
    filed: int = 0  # submitted at least once (whatever became of it since)
    on_time: int = 0  # the first submission by the due moment
    late: int = 0
    missing: int = 0  # nothing filed (or only a draft)
    returned: int = 0  # returned now, awaiting a fix (those overdue included)
    accepted: int = 0
    awaiting_review: int = 0
    stale: int = 0  # filed reports flagged 内容雷同
    fix_overdue: int = 0  # returned and not resubmitted by the fix's deadline

    @property
    def submission_rate(self) -> float | None:
        """Filed of owed, in percent (None when nothing was owed)."""
        return self.filed * 100 / self.owed if self.owed else None

    @property
    def on_time_rate(self) -> float | None:
        """Filed on time of owed, in percent (None when nothing was owed)."""
        return self.on_time * 100 / self.owed if self.owed else None

    def __add__(self, other: Rates) -> Rates:
        return Rates(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})


_SUMS = ("owed", "unfiled", "on_time", "late", "returned", "accepted", "awaiting_review", "stale")


def _filtered(queryset, campaign_ids, now, unit_ids, period_ids, role, since=None, campaign="campaign_id"):
    queryset = queryset.filter(**{f"{campaign}__in": list(campaign_ids)}, period__due_at__lte=now)
    if since is not None:
        queryset = queryset.filter(period__end_date__gte=since)
    if unit_ids is not None:
        queryset = queryset.filter(unit_id__in=list(unit_ids))
    if period_ids is not None:
        queryset = queryset.filter(period_id__in=list(period_ids))
    if role is not None:
        queryset = queryset.filter(role=role)
    return queryset.order_by()


def _rates(group: str, campaign_ids, *, now, unit_ids=None, period_ids=None, role=None, since=None) -> dict:
    """group value → Rates: the summary's sums (one query) and the fixes overdue (one query)."""
    campaign_ids = list(campaign_ids)
    if not campaign_ids:
        return {}
    if unit_ids is None and role is None and group != "unit_id":
        # Every unit and role: the rows per period (PeriodSummary), one a week instead of hundreds.
        path = {"campaign_id": "period__campaign_id"}.get(group, group)
        rows = _filtered(PeriodSummary.objects.all(), campaign_ids, now, None, period_ids, None, since,
                         campaign="period__campaign_id")  # fmt: skip
    else:
        path = group
        rows = _filtered(PeriodUnitSummary.objects.all(), campaign_ids, now, unit_ids, period_ids, role, since)
    sums = rows.values(path).annotate(**{f"sum_{name}": Sum(name) for name in _SUMS})
    overdue = dict(
        _filtered(
            Obligation.objects.filter(states.fix_overdue_q(now)), campaign_ids, now, unit_ids, period_ids, role, since
        )
        .values(group)
        .annotate(n=Count("pk"))
        .values_list(group, "n")
    )
    result = {}
    for row in sums:
        owed, unfiled = row["sum_owed"], row["sum_unfiled"]
        result[row[path]] = Rates(
            owed=owed, filed=owed - unfiled, on_time=row["sum_on_time"], late=row["sum_late"], missing=unfiled,
            returned=row["sum_returned"], accepted=row["sum_accepted"], awaiting_review=row["sum_awaiting_review"],
            stale=row["sum_stale"], fix_overdue=overdue.get(row[path], 0),
        )  # fmt: skip
    return result


def rates_by_unit(campaign_ids: Iterable[int], *, now: datetime.datetime, unit_ids: Iterable[int] | None = None,
                  period_ids: Iterable[int] | None = None, role: str | None = None) -> dict[int, Rates]:  # fmt: skip
    """unit id → its Rates over the due periods of the campaigns (of `period_ids`, in `role`)."""
    return _rates("unit_id", campaign_ids, now=now, unit_ids=unit_ids, period_ids=period_ids, role=role)


def rates_by_campaign(campaign_ids: Iterable[int], *, now: datetime.datetime, unit_ids: Iterable[int] | None = None,
                      period_ids: Iterable[int] | None = None, role: str | None = None) -> dict[int, Rates]:  # fmt: skip
    """campaign id → its Rates over its due periods (of `unit_ids`, `period_ids`, in `role`)."""
    return _rates("campaign_id", campaign_ids, now=now, unit_ids=unit_ids, period_ids=period_ids, role=role)


def rates_by_week(campaign_ids: Iterable[int], *, now: datetime.datetime, unit_ids: Iterable[int] | None = None,
                  role: str | None = None, since: datetime.date | None = None,
                  ) -> list[tuple[datetime.date, Rates]]:  # fmt: skip
    """(the period's last day, Rates) for each due period, oldest first; campaigns whose periods
    end on the same day are counted together. `since`: only periods ending that day or later (a
    dashboard's trend of recent weeks reads those weeks' rows, not every week's)."""
    by_end = _rates("period__end_date", campaign_ids, now=now, unit_ids=unit_ids, role=role, since=since)
    return sorted(by_end.items())
