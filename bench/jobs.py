"""Each supervision job's first run and re-run at city scale (issue 9: first run <= 5 s, re-run
<= 1 s; statements grow with what is sent, not with the backlog; issue 10's lights refresh: every
task of the active campaigns in a few seconds).

    cd /work/main && .venv/bin/python bench/jobs.py

Every job runs as of a moment that makes sense for the seeded data (read from it): the Tuesday
after the last period that fell due (a working day, two working days late: the ladder's second
rung), the working day before the next due day for reminders, the next Monday for opening
periods, and the first working morning after the notices' answer-by for the follow-up. Everything
runs in ONE transaction rolled back at the end: duban_scale stays as seeded.
"""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Bench, Rollback, setup_django  # noqa: E402


def moments():
    """The moments the jobs act as of, from the seeded periods (Asia/Shanghai)."""
    from django.db.models import Max, Min
    from django.utils import timezone

    from campaigns.models import Campaign, ReportingPeriod
    from common.workdays import WorkCalendar

    active = ReportingPeriod.objects.filter(campaign__status=Campaign.Status.ACTIVE)
    latest_start = active.filter(opened_at__isnull=False).aggregate(Max("start_date"))["start_date__max"]
    last_due = timezone.localdate(
        active.filter(
            due_at__lt=timezone.make_aware(datetime.datetime.combine(latest_start, datetime.time()))
        ).aggregate(Max("due_at"))["due_at__max"]
    )
    calendar = WorkCalendar(last_due - datetime.timedelta(days=30), last_due + datetime.timedelta(days=60))
    tuesday = last_due + datetime.timedelta(days=(1 - last_due.weekday()) % 7 or 7)
    tuesday = calendar.next_workday(tuesday)

    def at(day, hour, minute=0):
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))

    next_due = active.filter(due_at__gt=at(tuesday, 9)).aggregate(Min("due_at"))["due_at__min"]
    remind_day = calendar.previous_workday(timezone.localdate(next_due)) if next_due else tuesday
    monday = tuesday + datetime.timedelta(days=6)
    # Notices issued on Tuesday are answered within 3 working days: followed up the working day after.
    followup_day = calendar.add_workdays(tuesday, 4)
    return {
        "overdue_sweep": at(tuesday, 8, 30),
        "deadline_warnings": at(tuesday, 8),
        "report_reminders": at(max(remind_day, tuesday), 9),
        "open_periods": at(monday, 0, 5),
        "notice_followup": at(followup_day, 9, 15),
        # The lights' hourly refresh, the morning after the sweep: every task of the active campaigns.
        "refresh_lights": at(tuesday, 9, 20),
    }


def main():
    setup_django()
    from django.db import transaction

    from supervision.jobs import run_job
    from supervision.models import SupervisionNotice

    bench = Bench("jobs")
    when = moments()
    print(f"# as of: {', '.join(f'{job} {moment:%a %Y-%m-%d %H:%M}' for job, moment in when.items())}")
    summaries = []
    try:
        with transaction.atomic():
            # In time order, so that the follow-up finds the notices the sweep issued.
            jobs = ("deadline_warnings", "overdue_sweep", "refresh_lights", "report_reminders", "open_periods",
                    "notice_followup")  # fmt: skip
            for job in jobs:
                if job == "notice_followup":
                    print(f"# open notices to follow up: {SupervisionNotice.objects.filter(status='open').count()}")
                for run in ("first run", "re-run"):
                    result = {}
                    bench.once(
                        f"{job} {run}", lambda job=job, result=result: result.setdefault("s", run_job(job, when[job]))
                    )
                    summaries.append((f"{job} {run}", result["s"]))
            raise Rollback
    except Rollback:
        pass
    bench.done()
    for label, summary in summaries:
        counts = {k: v for k, v in summary.as_dict().items() if isinstance(v, int) and v}
        already = {k: v for k, v in summary.already_sent.items() if v}
        print(f"# {label}: {counts or 'nothing new'}" + (f"; already sent {already}" if already else ""))


if __name__ == "__main__":
    main()
