"""Stale reports (内容雷同): a report whose text is the same, or nearly, as the unit's previous one.

Offices penalise weekly reports that copy last week's: the same sentences with a date changed say
nothing about this week. On submission (tasks.services.report_save) the report's text — progress,
problems and next steps — is compared with the unit's previous filed report on the same task
(an earlier period), after whitespace and punctuation are taken out, so that re-spacing or a
changed comma does not hide a copy. A ratio of at least STALE_AT (difflib's SequenceMatcher), or
the same text, flags it; two empty texts are the same text.
"""

from __future__ import annotations

import difflib
import unicodedata

from .models import ProgressReport

STALE_AT = 0.9
TEXT_FIELDS = ("progress", "problems", "next_steps")


def normalised(text: str) -> str:
    """The text without whitespace, punctuation and symbols, case folded (全角 folded to 半角 too)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] not in "PZSC")


def report_text(values) -> str:
    """The compared text of a report (a ProgressReport or a mapping of its fields)."""
    get = values.get if isinstance(values, dict) else lambda name: getattr(values, name)
    return normalised("\n".join(get(name) or "" for name in TEXT_FIELDS))


def compare(text: str, previous: str) -> tuple[bool, int]:
    """Whether a normalised text is stale against the previous one, and how alike they are in
    whole percent (100 only for the very same text)."""
    if text == previous:
        return True, 100
    # autojunk off: it would take a character frequent in a long Chinese text for noise.
    ratio = difflib.SequenceMatcher(None, text, previous, autojunk=False).ratio()
    return ratio >= STALE_AT, min(99, int(ratio * 100))


def previous_text(*, task_id: int, unit_id: int, period_number: int) -> str | None:
    """The normalised text of the unit's latest filed report on the task before the period, or
    None if there is none (one query)."""
    values = (
        ProgressReport.objects.filter(
            task_id=task_id, unit_id=unit_id, period__number__lt=period_number, submitted_at__isnull=False
        )
        .order_by("-period__number")
        .values(*TEXT_FIELDS)
        .first()
    )
    return None if values is None else report_text(values)


def judge(report: ProgressReport, *, period_number: int) -> None:
    """Set the report's `stale` and `similarity` against its unit's previous filed report on the
    task (before saving it): never stale with nothing to compare with."""
    previous = previous_text(task_id=report.task_id, unit_id=report.unit_id, period_number=period_number)
    if previous is None:
        report.stale, report.similarity = False, None
        return
    report.stale, report.similarity = compare(report_text(report), previous)
