"""What an export is asked for: a campaign and the filters a kind reads (period, phase, section,
unit, state), parsed once from text (the web form, the command, a job's ids) with a clear message
naming the field for anything it cannot find.

Visibility is the user's: a campaign the user may not see is "not found", like any other name.
Without a user (the `export` command run without --user) the export acts as the office and
sees everything (`system_user`).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from accounts import access
from campaigns.models import Campaign, Phase, ReportingPeriod, Section
from lights.models import Light
from tasks.ledger import states
from tasks.models import Task
from units.models import Unit
from units.resolution import UnitDirectory

# The states a filter may name (each kind reads those it knows): what the ledger shows an
# obligation as, a report's timeliness, a task's light and a task's status.
TIMELINESS = ("on_time", "late")
STATES = frozenset(
    [*states.SHOWN_LABELS, *TIMELINESS, *Light.values, *Task.Status.values],
)

_WEEK = re.compile(r"^(\d{4})\s*-?\s*[Ww](\d{1,2})$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class FilterError(ValueError):
    """A filter could not be read: `field` names it ("campaign", "period", "unit", ...), the
    message says why, in the user's language."""

    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class Filters:
    campaign: Campaign
    # A period of the campaign; None: the kind's default (the last due period).
    period: ReportingPeriod | None = None
    phase: Phase | None = None
    section: Section | None = None
    unit: Unit | None = None
    # A ledger state shown (tasks.ledger.states), on_time / late, a light or a task status.
    state: str | None = None
    # With `period`: the periods from it to this one (numbers inclusive). Not offered by the web
    # form or the command: a summary over many weeks at once (bench/exports.py's 100,000 rows).
    period_to: ReportingPeriod | None = None

    def as_ids(self) -> dict:
        """JSON-able ids, for Celery jobs (tasks take ids, not objects)."""
        return {
            "campaign": self.campaign.pk,
            "period": self.period.pk if self.period else None,
            "phase": self.phase.pk if self.phase else None,
            "section": self.section.pk if self.section else None,
            "unit": self.unit.pk if self.unit else None,
            "state": self.state,
            "period_to": self.period_to.pk if self.period_to else None,
        }

    @classmethod
    def from_ids(cls, ids: dict) -> Filters:
        campaign = Campaign.objects.get(pk=ids["campaign"])

        def get(model, key, **scope):
            pk = ids.get(key)
            return model.objects.get(pk=pk, **scope) if pk is not None else None

        return cls(
            campaign=campaign,
            period=get(ReportingPeriod, "period", campaign=campaign),
            phase=get(Phase, "phase", campaign=campaign),
            section=get(Section, "section", campaign=campaign),
            unit=get(Unit, "unit"),
            state=ids.get("state") or None,
            period_to=get(ReportingPeriod, "period_to", campaign=campaign),
        )

    def periods(self):
        """The periods asked for, as a queryset (one, or the range period..period_to)."""
        if self.period is None:
            return ReportingPeriod.objects.none()
        last = self.period_to.number if self.period_to else self.period.number
        return ReportingPeriod.objects.filter(campaign=self.campaign, number__range=(self.period.number, last))


def period_label(period: ReportingPeriod) -> str:
    """A period as the command and file names write it: the ISO week it ends in (a weekly period
    runs up to its due day), e.g. 2026-W48."""
    year, week, _weekday = period.end_date.isocalendar()
    return f"{year}-W{week:02d}"


def system_user():
    """The user an export acts as when nobody is named (the `export` command without --user):
    the office, which sees every campaign. Unsaved, so nothing can be recorded in its name; its
    roles are set on it so that accounts.roles asks the database nothing about it."""
    user = get_user_model()(username="manage.py", is_active=True, is_superuser=True, is_staff=True)
    user._duban_roles = {"memberships": [], "leader": None}
    return user


def _blank(value) -> bool:
    return value is None or not str(value).strip()


def _period(campaign: Campaign, text: str) -> ReportingPeriod:
    text = text.strip()
    periods = ReportingPeriod.objects.filter(campaign=campaign)
    outside = FilterError(
        "period",
        _("Period “%(period)s” is not within the reporting periods of the campaign.") % {"period": text},
    )
    week = _WEEK.match(text)
    if week:
        try:
            monday = datetime.date.fromisocalendar(int(week.group(1)), int(week.group(2)), 1)
        except ValueError:
            raise FilterError(
                "period", _("“%(period)s” is not a week; write it like 2026-W48.") % {"period": text}
            ) from None
        sunday = monday + datetime.timedelta(days=6)
        # The period that ends in that week (as period_label names it), else one that overlaps it.
        ending = periods.filter(end_date__range=(monday, sunday))
        found = ending if ending.exists() else periods.filter(start_date__lte=sunday, end_date__gte=monday)
    elif _DATE.match(text):
        try:
            day = datetime.date.fromisoformat(text)
        except ValueError:
            raise FilterError("period", _("“%(period)s” is not a date.") % {"period": text}) from None
        found = periods.filter(start_date__lte=day, end_date__gte=day)
    elif text.isdigit():
        found = periods.filter(pk=int(text))
    else:
        raise FilterError("period", _("“%(period)s” is not a period; write it like 2026-W48.") % {"period": text})
    period = found.order_by("number").first()
    if period is None:
        raise outside
    return period


def _unit(text: str) -> Unit:
    text = text.strip()
    if text.isdigit():
        unit = Unit.objects.filter(pk=int(text)).first()
    else:
        unit = UnitDirectory().resolve_one(text)
    if unit is None:
        raise FilterError("unit", _("Unit “%(unit)s” was not found.") % {"unit": text})
    return unit


def _named(model, campaign: Campaign, text: str, field: str, name_field: str):
    text = text.strip()
    rows = model.objects.filter(campaign=campaign)
    found = rows.filter(pk=int(text)).first() if text.isdigit() else None
    found = found or rows.filter(**{name_field: text}).first()
    if found is None:
        raise FilterError(field, _("“%(value)s” is not one of the campaign's %(what)s.") % {
            "value": text, "what": model._meta.verbose_name_plural,
        })  # fmt: skip
    return found


def parse_filters(
    user,
    *,
    campaign: str,
    period: str | None = None,
    unit: str | None = None,
    phase: str | None = None,
    section: str | None = None,
    state: str | None = None,
) -> Filters:
    """Filters from text: the campaign by code (it must be visible to the user), a period as
    2026-W48 (the campaign's period of that week), a date or a period id, a unit by name, alias
    or id, a phase or section by name or id, a state by its code. Raises FilterError naming the
    field that could not be read."""
    user = user or system_user()
    if _blank(campaign):
        raise FilterError("campaign", _("Choose a campaign."))
    code = str(campaign).strip()
    found = access.visible_to(user, Campaign).filter(code=code).first()
    if found is None:
        raise FilterError("campaign", _("Campaign “%(code)s” was not found.") % {"code": code})
    if not _blank(state) and state.strip() not in STATES:
        raise FilterError("state", _("Unknown state “%(state)s”.") % {"state": state.strip()})
    return Filters(
        campaign=found,
        period=None if _blank(period) else _period(found, str(period)),
        phase=None if _blank(phase) else _named(Phase, found, str(phase), "phase", "name"),
        section=None if _blank(section) else _named(Section, found, str(section), "section", "title"),
        unit=None if _blank(unit) else _unit(str(unit)),
        state=None if _blank(state) else state.strip(),
    )
