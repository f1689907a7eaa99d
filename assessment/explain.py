"""Score lines put into words, in the reader's language, when they are shown (never stored as text)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from . import rules

LABELS = {
    rules.ON_TIME: gettext_lazy("Reports filed on time"),
    rules.LATE: gettext_lazy("Late reports"),
    rules.MISSING: gettext_lazy("Missing reports"),
    rules.RETURNED: gettext_lazy("Reports returned (each return)"),
    rules.CLOSED_ON_TIME: gettext_lazy("Tasks closed off by their deadline"),
    rules.OVERDUE_TASK: gettext_lazy("Tasks not closed off by their deadline"),
    rules.YELLOW_WEEK: gettext_lazy("Yellow light-weeks of tasks led"),
    rules.RED_WEEK: gettext_lazy("Red light-weeks of tasks led"),
}

ROLES = {rules.LEAD: gettext_lazy("as lead unit"), rules.SUPPORT: gettext_lazy("as supporting unit")}


def label(line: dict) -> str:
    """What the line counts, e.g. "按期办结的任务"; a code from a later version: the code."""
    return str(LABELS.get(line.get("code"), line.get("code", "")))


def role(line: dict) -> str:
    """ "作为牵头单位" / "作为配合单位" for a task line, else empty."""
    return str(ROLES.get(line.get("role"), ""))
