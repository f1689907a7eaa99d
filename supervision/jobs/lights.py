"""The traffic lights' beat job: every task of the active campaigns recomputed (lights.services.refresh).

Hourly, and just after each Friday due moment, so that a light turns as soon as a report is
missing or a deadline passes even when nobody touched the task. Idempotent (the refresh stores
what the data implies at the moment), so a re-run or two beats at once change nothing more.
"""

from __future__ import annotations

import datetime

from lights.services import refresh

from .base import JobSummary


def refresh_lights(now: datetime.datetime) -> JobSummary:
    summary = JobSummary(job="refresh_lights", as_of=now.isoformat())
    summary.lights_changed = refresh(now=now)
    return summary
