"""Reasons put into words, in the reader's language, when they are shown (never stored as text)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import rules
from .models import Light

# 红灯, 黄灯, 绿灯, 已办结: the choices' own labels.
LABELS = {light.value: light.label for light in Light}

_TEXTS = {
    rules.DEADLINE_PASSED: gettext_lazy(
        "Red: the deadline %(deadline)s passed %(workdays)s working days ago, and the task is not closed off"
    ),
    rules.MISSING_IN_A_ROW: gettext_lazy("Red: %(unit)s has not reported for %(count)s periods in a row"),
    rules.FIX_OVERDUE: gettext_lazy(
        "Red: %(unit)s's report for period %(period)s was returned and not resubmitted by %(date)s"
    ),
    rules.DEADLINE_NEAR: gettext_lazy("Yellow: %(workdays)s working days left until the deadline"),
    rules.LAST_MISSING: gettext_lazy("Yellow: %(unit)s has not reported for period %(period)s"),
    rules.LAST_LATE: gettext_lazy("Yellow: %(unit)s reported late for period %(period)s"),
    rules.LAST_RETURNED: gettext_lazy("Yellow: %(unit)s's report for period %(period)s was returned"),
    rules.BEHIND: gettext_lazy("Yellow: progress %(percent)s%%, %(behind)s points behind the time elapsed"),
    rules.ATTENTION: gettext_lazy("Yellow: marked for leader attention by the supervision office"),
    rules.CLOSED: gettext_lazy("Closed off on %(date)s"),
}


def sentence(reason: dict) -> str:
    """One reason as a sentence, e.g. "红灯：完成时限 2026-10-31 已过 18 个工作日，未办结"."""
    code, params = reason.get("code"), dict(reason.get("params") or {})
    if code == rules.DEADLINE_NEAR and params.get("workdays") == 0:
        return _("Yellow: the deadline %(deadline)s is today") % params
    text = _TEXTS.get(code)
    if text is None:  # a code from a later version, read by an older one
        return str(LABELS.get(reason.get("light"), code))
    try:
        said = str(text) % params
    except (KeyError, TypeError, ValueError):
        return str(LABELS.get(reason.get("light"), code))
    if code == rules.ATTENTION and params.get("note"):
        said += _(" (%(note)s)") % params
    return said


def sentences(reasons) -> list[str]:
    return [sentence(reason) for reason in reasons or ()]


def label(light: str) -> str:
    return str(LABELS.get(light, light))
