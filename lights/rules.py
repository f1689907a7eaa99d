"""The rules of the lights: from a task's facts and the ledger's findings to its colour and reasons.

Pure functions over plain values (no queries): lights.services.refresh gathers the inputs for
many tasks at once and calls `judge` for each. Days are counted in working days on the Chinese
calendar with its make-up days (common.workdays), as the office counts them:

red    — past the deadline and not closed off; a unit's report missing for N due periods in a
         row (default 2); a returned report not resubmitted by its fix deadline (退回未整改);
yellow — the deadline within N working days (default 5); the last due period's report late,
         missing or returned (any unit on the task); the lead units' progress behind the time
         elapsed by more than M points (default 20); marked for leader attention by the office;
green  — none of these; closed — closed off (shown apart).

Time elapsed is the share of calendar days from the campaign's start to the task's deadline
that have passed (a project's work runs on calendar days), in whole percent as shown.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from common.workdays import WorkCalendar
from tasks.ledger import states
from tasks.ledger.read_lights import UnitMark

from .models import SEVERITY, Light, LightRule

# Reason codes, in the order they are listed within a colour.
DEADLINE_PASSED = "deadline_passed"
MISSING_IN_A_ROW = "missing_in_a_row"
FIX_OVERDUE = "fix_overdue"
DEADLINE_NEAR = "deadline_near"
LAST_MISSING = "last_missing"
LAST_LATE = "last_late"
LAST_RETURNED = "last_returned"
BEHIND = "behind"
ATTENTION = "attention"
CLOSED = "closed"

ORDER = [DEADLINE_PASSED, FIX_OVERDUE, MISSING_IN_A_ROW, DEADLINE_NEAR, BEHIND, LAST_MISSING, LAST_RETURNED,
         LAST_LATE, ATTENTION, CLOSED]  # fmt: skip
LAST_PERIOD_CODES = {states.MISSING: LAST_MISSING, "late": LAST_LATE, states.RETURNED: LAST_RETURNED}


# A deadline further than twice the working days plus this many calendar days cannot be within
# them (the longest run of days off, the Spring Festival with its weekends, is 9 days): such a
# task needs no calendar at all.
NEAR_MARGIN_DAYS = 14


@dataclass(frozen=True)
class Thresholds:
    red_missing_periods: int = LightRule.DEFAULTS["red_missing_periods"]
    yellow_within_workdays: int = LightRule.DEFAULTS["yellow_within_workdays"]
    yellow_behind_points: int = LightRule.DEFAULTS["yellow_behind_points"]


DEFAULT = Thresholds()


@dataclass(frozen=True)
class TaskFacts:
    """What a task's light depends on besides the ledger."""

    pk: int
    campaign_start: datetime.date
    status: str
    deadline: datetime.date | None
    closed_at: datetime.datetime | None = None
    attention: bool = False
    attention_note: str = ""


@dataclass
class Findings:
    """The ledger's findings for one task (tasks.ledger.read_lights)."""

    streaks: list[UnitMark] = field(default_factory=list)
    last_period: list[UnitMark] = field(default_factory=list)
    fix_overdue: list[UnitMark] = field(default_factory=list)
    lead_percent: float | None = None


def reason(code: str, light: str, **params) -> dict:
    """A reason as stored (TaskLight.reasons): JSON-ready, put into words by lights.explain."""
    return {"code": code, "light": str(light), "params": params}


def _sorted(reasons: list[dict]) -> list[dict]:
    return sorted(reasons, key=lambda r: (SEVERITY[r["light"]], ORDER.index(r["code"])))


def elapsed_percent(start: datetime.date, deadline: datetime.date, today: datetime.date) -> int:
    """The share of the days from `start` to `deadline` that have passed by `today`, 0–100."""
    total = (deadline - start).days
    if total <= 0:
        return 100 if today >= deadline else 0
    return max(0, min(100, round((today - start).days * 100 / total)))


def judge(
    task: TaskFacts, findings: Findings, rule: Thresholds, *, today: datetime.date, calendar: WorkCalendar
) -> tuple[str, list[dict]]:
    """The task's light and its reasons, worst first."""
    if task.status == "closed":
        closed_on = timezone.localdate(task.closed_at).isoformat() if task.closed_at else ""
        return Light.CLOSED, [reason(CLOSED, Light.CLOSED, date=closed_on)]
    found: list[dict] = []
    if task.deadline is not None:
        if task.deadline < today:
            found.append(
                reason(DEADLINE_PASSED, Light.RED, deadline=task.deadline.isoformat(),
                       workdays=calendar.workdays_between(task.deadline, today))
            )  # fmt: skip
        elif (task.deadline - today).days <= 2 * rule.yellow_within_workdays + NEAR_MARGIN_DAYS:
            left = calendar.workdays_between(today, task.deadline)
            if left <= rule.yellow_within_workdays:
                found.append(reason(DEADLINE_NEAR, Light.YELLOW, deadline=task.deadline.isoformat(), workdays=left))
    red_units = set()
    for mark in findings.streaks:
        if mark.count >= rule.red_missing_periods:
            red_units.add(mark.unit_id)
            found.append(reason(MISSING_IN_A_ROW, Light.RED, unit=mark.unit_name, count=mark.count))
    fixes_overdue = set()
    for mark in findings.fix_overdue:
        fixes_overdue.add((mark.unit_id, mark.period_number))
        found.append(
            reason(FIX_OVERDUE, Light.RED, unit=mark.unit_name, period=mark.period_number, date=mark.when.isoformat())
        )
    for mark in findings.last_period:
        if mark.what == states.MISSING and mark.unit_id in red_units:
            continue  # said already, in red
        if mark.what == states.RETURNED and (mark.unit_id, mark.period_number) in fixes_overdue:
            continue
        found.append(reason(LAST_PERIOD_CODES[mark.what], Light.YELLOW, unit=mark.unit_name, period=mark.period_number))
    if findings.lead_percent is not None and task.deadline is not None:
        progress = round(findings.lead_percent)
        behind = elapsed_percent(task.campaign_start, task.deadline, today) - progress
        if behind > rule.yellow_behind_points:
            found.append(reason(BEHIND, Light.YELLOW, percent=progress, behind=behind))
    if task.attention:
        found.append(reason(ATTENTION, Light.YELLOW, note=task.attention_note))
    if not found:
        return Light.GREEN, []
    found = _sorted(found)
    return found[0]["light"], found
