"""What every export kind has: a name, a title, its rows counted and written, its file name."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaigns.models import ReportingPeriod
from campaigns.periods import due, local_today
from lights.models import Light
from tasks.ledger import states
from tasks.models import Task

from ..filters import FilterError, Filters, period_label, system_user

# Rows are read and written in batches of this many (a batch's related rows are one query each).
CHUNK = 2000


class Kind:
    """An export kind. Subclasses set name, title, states (the `state` filters it reads) and
    implement count and write; count and write read through accounts.access with `user` (None:
    the office, from the shell)."""

    name = ""
    title = ""
    states: tuple[str, ...] = ()
    # Rows are per reporting period (the default is the last due one).
    per_period = False
    empty_message = gettext_lazy("Nothing matches these filters.")

    def count(self, user, filters: Filters, *, now: datetime.datetime | None = None) -> int:
        raise NotImplementedError

    def write(self, user, filters: Filters, target, *, now: datetime.datetime | None = None) -> int:
        raise NotImplementedError

    def filename(self, filters: Filters, *, now: datetime.datetime | None = None) -> str:
        """E.g. 周报汇总-efficiency-2026-2026-W48.xlsx, or 工作台账-efficiency-2026-2026-12-06.xlsx."""
        period = self.period(filters, now) if self.per_period else None
        stamp = period_label(period) if period else local_today(now).isoformat()
        if period and filters.period_to and filters.period_to != period:
            stamp = f"{stamp}--{period_label(filters.period_to)}"
        return f"{self.title}-{filters.campaign.code}-{stamp}.xlsx"

    # ---- helpers for the kinds ----

    @staticmethod
    def user(user):
        return user or system_user()

    def check_state(self, filters: Filters) -> None:
        if filters.state and filters.state not in self.states:
            raise FilterError(
                "state",
                _("The state “%(state)s” does not apply to %(kind)s.") % {"state": filters.state, "kind": self.title},
            )

    @staticmethod
    def period(filters: Filters, now: datetime.datetime | None = None) -> ReportingPeriod | None:
        """The period asked for, else the campaign's last due period (None when none is due)."""
        if filters.period is not None:
            return filters.period
        return due(ReportingPeriod.objects.filter(campaign=filters.campaign), now).order_by("-number").first()

    def form_subtitle(self, filters: Filters, period) -> str:
        """The row under the title: the period (if the kind has one) and the other filters."""
        return "；".join(([self.describe_period(period)] if period else []) + self.describe_filters(filters))

    def form_title(self, filters: Filters, now: datetime.datetime | None = None) -> str:
        """The merged title row: the campaign, the kind and the date."""
        today = local_today(now)
        return _("%(campaign)s %(kind)s (as of %(date)s)") % {
            "campaign": filters.campaign.title,
            "kind": self.title,
            "date": f"{today.year}年{today.month}月{today.day}日",
        }

    @staticmethod
    def describe_period(period: ReportingPeriod, last: ReportingPeriod | None = None) -> str:
        def one(p):
            return _("Period %(number)s (%(label)s, %(start)s – %(end)s)") % {
                "number": p.number, "label": period_label(p), "start": p.start_date, "end": p.end_date,
            }  # fmt: skip

        if last is None or last == period:
            return one(period)
        return f"{one(period)} — {one(last)}"

    @staticmethod
    def describe_filters(filters: Filters) -> list[str]:
        parts = []
        if filters.phase:
            parts.append(_("Phase: %(value)s") % {"value": filters.phase.name})
        if filters.section:
            parts.append(_("Section: %(value)s") % {"value": filters.section.title})
        if filters.unit:
            parts.append(_("Unit: %(value)s") % {"value": filters.unit.name})
        if filters.state:
            parts.append(_("State: %(value)s") % {"value": state_label(filters.state)})
        return parts


def state_label(state: str) -> str:
    """A filter's state in words: a ledger state shown, on time / late, a light or a task status."""
    labels = {
        **states.SHOWN_LABELS,
        "on_time": gettext_lazy("On time"),
        "late": gettext_lazy("Late"),
        **dict(Task.Status.choices),
        **dict(Light.choices),
    }
    return str(labels.get(state, state))


def chunks(iterable, size: int = CHUNK):
    """Lists of at most `size` items of `iterable`, in order."""
    batch = []
    for item in iterable:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
