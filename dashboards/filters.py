"""The query parameters of the drill-down lists, read and checked once per request.

Every number on a dashboard links to a list with exactly these parameters (dashboards.links builds
the links). What a bad parameter gets:

- a campaign code the user may not see (or that does not exist), a period that is not one of the
  campaign's (or of a campaign the user sees): 404, as the campaign's own page would answer;
- an unknown light, state or role, an id that is not a number, a section, phase, unit or leader
  that does not exist: a message on the page and an empty list, never a 500;
- parameters the list does not know: ignored (a link from an older page still opens).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404, QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import access
from campaigns.models import Campaign, Phase, ReportingPeriod, Section
from units.models import Leader, Unit

TASKS, REPORTS, COORDINATION = "tasks", "reports", "coordination"

# The parameters each list understands, in the order its chips are shown.
KEYS = {
    TASKS: ("campaign", "light", "section", "phase", "unit", "role", "overdue", "attention", "leader", "followed",
            "coordination", "q"),
    REPORTS: ("campaign", "period", "unit", "role", "state"),
    COORDINATION: ("campaign", "unit", "leader"),
}  # fmt: skip

LIGHTS = ("red", "yellow", "green", "closed")  # lights.models.Light's values
ROLES = ("lead", "support")  # tasks.models.TaskAssignment.Role's values
REPORT_STATES = (
    "missing", "late", "on_time", "filed", "returned", "fix_overdue", "awaiting_review", "accepted", "stale",
)  # fmt: skip
ALL_PERIODS = "all"
FLAGS = ("overdue", "attention", "followed", "coordination")
# What a message calls a parameter (its name in the URL means nothing to the reader).
NAMES = {
    "section": gettext_lazy("section"),
    "phase": gettext_lazy("phase"),
    "unit": gettext_lazy("unit"),
    "leader": gettext_lazy("leader"),
    "period": gettext_lazy("period"),
    "overdue": gettext_lazy("Past the deadline"),
    "attention": gettext_lazy("Marked for leader attention"),
    "followed": gettext_lazy("Followed by me"),
    "coordination": gettext_lazy("Coordination requested"),
}
Q_MAX = 100  # longer searches are cut: a title is at most 300 characters, nobody types that


@dataclass(frozen=True)
class ListFilters:
    """The parameters of one list, checked: the objects they name (for the selectors and the
    chips), the flags, and `errors` (messages for the page; the list is then empty)."""

    kind: str
    campaign: Campaign | None = None
    light: str | None = None
    section: Section | None = None
    phase: Phase | None = None
    unit: Unit | None = None
    role: str | None = None
    overdue: bool = False
    attention: bool = False
    leader: Leader | None = None
    followed: bool = False
    coordination: bool = False
    q: str = ""
    period: ReportingPeriod | None = None
    all_periods: bool = False
    state: str | None = None
    errors: tuple[str, ...] = ()

    @property
    def valid(self) -> bool:
        return not self.errors


def _int(value: str) -> int | None:
    value = value.strip()
    if value.isascii() and value.isdigit() and len(value) < 10:
        return int(value)
    return None


class _Reader:
    """Reads one list's parameters, collecting the messages of what it could not understand."""

    def __init__(self, user, query: QueryDict, kind: str):
        self.user, self.kind = user, kind
        self.given = {key: query.get(key, "").strip() for key in KEYS[kind]}
        self.given = {key: value for key, value in self.given.items() if value}
        self.errors: list[str] = []

    def choice(self, key: str, allowed: tuple[str, ...], message: str) -> str | None:
        value = self.given.get(key)
        if value is None:
            return None
        if value not in allowed:
            self.errors.append(message % {"value": value})
            return None
        return value

    def flag(self, key: str) -> bool:
        value = self.given.get(key)
        if value is None or value == "0":
            return False
        if value == "1":
            return True
        self.errors.append(
            _("“%(value)s” is not a valid value for %(name)s (use 1).") % {"value": value, "name": NAMES[key]}
        )
        return False

    def number(self, key: str) -> int | None:
        value = self.given.get(key)
        if value is None:
            return None
        number = _int(value)
        if number is None:
            self.errors.append(_("“%(value)s” is not a valid %(name)s (a number is expected).") % {
                "value": value, "name": NAMES[key]})  # fmt: skip
        return number

    def lookup(self, key: str, rows, message: str):
        """The row `key` names, of `rows`; a message when there is none (or it is not a number)."""
        pk = self.number(key)
        if pk is None:
            return None
        found = rows.filter(pk=pk).first()
        if found is None:
            self.errors.append(message)
        return found


def parse(user, query: QueryDict, kind: str) -> ListFilters:
    """The checked parameters of list `kind` (TASKS, REPORTS or COORDINATION) in `query`.
    Raises Http404 for a campaign the user may not see or a period outside it. One query per
    object named (campaign, section, phase, unit, leader, period), none for the rest."""
    read = _Reader(user, query, kind)
    campaigns = access.visible_to(user, Campaign)
    campaign = None
    if "campaign" in read.given:
        campaign = campaigns.filter(code=read.given["campaign"]).first()
        if campaign is None:
            raise Http404(_("No such campaign."))
    found = {"campaign": campaign}
    if "unit" in read.given:
        found["unit"] = read.lookup("unit", Unit.objects.all(), _("There is no such unit."))
    if "role" in read.given:
        found["role"] = read.choice("role", ROLES, _("“%(value)s” is not a role (lead or support)."))
    if "leader" in read.given:
        found["leader"] = read.lookup("leader", Leader.objects.all(), _("There is no such leader."))
    if kind == TASKS:
        _task_params(read, campaigns, campaign, found)
    elif kind == REPORTS:
        _report_params(read, campaigns, campaign, found)
    return ListFilters(kind=kind, errors=tuple(read.errors), **found)


def _of_campaign(rows, campaigns, campaign):
    return rows.filter(campaign=campaign) if campaign is not None else rows.filter(campaign__in=campaigns)


def _task_params(read: _Reader, campaigns, campaign, found: dict) -> None:
    found["light"] = read.choice("light", LIGHTS, _("“%(value)s” is not a light (red, yellow, green or closed)."))
    if "section" in read.given:
        sections = _of_campaign(Section.objects.all(), campaigns, campaign)
        found["section"] = read.lookup("section", sections, _("There is no such section in the campaigns you see."))
    if "phase" in read.given:
        phases = _of_campaign(Phase.objects.all(), campaigns, campaign)
        found["phase"] = read.lookup("phase", phases, _("There is no such phase in the campaigns you see."))
    for key in FLAGS:
        found[key] = read.flag(key)
    found["q"] = read.given.get("q", "")[:Q_MAX]


def _report_params(read: _Reader, campaigns, campaign, found: dict) -> None:
    found["state"] = read.choice("state", REPORT_STATES, _("“%(value)s” is not a report state this list knows."))
    value = read.given.get("period")
    if value == ALL_PERIODS:
        found["all_periods"] = True
    elif value is not None:
        pk = read.number("period")
        if pk is not None:
            period = _of_campaign(ReportingPeriod.objects.all(), campaigns, campaign).filter(pk=pk).first()
            if period is None:
                raise Http404(_("No such period in this campaign."))
            found["period"] = period
