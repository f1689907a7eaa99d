"""Every default periodic schedule, in one place. `manage.py install_schedules` writes them into
django-celery-beat's tables (matched by name, so re-running changes nothing); the office can
change times in the admin afterwards.

The jobs decide for themselves what is due (reminder levels, ladder rungs, warnings) from the
working-day calendar and their keys, so running them more often than needed is harmless, and a
run missed during an outage is caught up by the next one.
"""

import json

from django.db import transaction

# name → (job, crontab fields minute, hour, day_of_week). A job is a supervision job's name (run by
# supervision.tasks.run_job), or the dotted name of a Celery task of an app above supervision, which
# takes no arguments (named as a string, so this module imports none of those apps).
DEFAULT_SCHEDULES = {
    # 开期: the periods that begin today open early, before anyone asks (the other jobs and the
    # pages open them too if this has not run).
    "开期 · open reporting periods": ("open_periods", "5", "0", "*"),
    # 催报: the working day before a due day from 09:00, and the due day from 14:00 (Thu 09:00 and
    # Fri 14:00 for a Friday 18:00 due; holidays move both).
    "催报 · report reminders 09:00": ("report_reminders", "0", "9", "*"),
    "催报 · report reminders 14:00": ("report_reminders", "0", "14", "*"),
    # Right after a due moment, and every working-day morning.
    "逾期 · overdue sweep after due": ("overdue_sweep", "5", "18", "*"),
    "逾期 · overdue sweep morning": ("overdue_sweep", "30", "8", "*"),
    "时限 · task deadline warnings": ("deadline_warnings", "0", "8", "*"),
    "督办单 · unanswered notices": ("notice_followup", "15", "9", "*"),
    "发送 · outbox": ("deliver_outbox", "*", "*", "*"),
    # 亮灯: the traffic lights recomputed hourly, and right after the Friday 18:00 due moment
    # (a missing report turns its task yellow or red at once, not up to an hour later).
    "亮灯 · traffic lights hourly": ("refresh_lights", "20", "*", "*"),
    "亮灯 · traffic lights after due": ("refresh_lights", "1", "18", "5"),
    # 通报: on Monday morning, a draft of last week's bulletin for every active campaign (the
    # office edits and publishes it).
    "通报 · weekly bulletin drafts": ("bulletins.tasks.draft_weekly_bulletins", "0", "7", "1"),
    # 考核: every active campaign's scores, nightly and right after the Friday 18:00 due moment
    # (the lights' run at 18:01 comes first, so that week's light counts).
    "考核 · assessment scores nightly": ("assessment.tasks.compute_scores", "30", "2", "*"),
    "考核 · assessment scores after due": ("assessment.tasks.compute_scores", "30", "18", "5"),
    # 导出: exported files are kept for EXPORT_FILE_DAYS, then deleted.
    "导出 · expired export files": ("exports.tasks.delete_expired_exports", "40", "3", "*"),
}


@transaction.atomic
def install_default_schedules() -> int:
    """Create the default periodic tasks that do not exist yet; return how many were created."""
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    created = 0
    for name, (job, minute, hour, day_of_week) in DEFAULT_SCHEDULES.items():
        if PeriodicTask.objects.filter(name=name).exists():
            continue  # the office may have changed it: keep theirs
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=minute, hour=hour, day_of_week=day_of_week, day_of_month="*", month_of_year="*",
            timezone="Asia/Shanghai",
        )  # fmt: skip
        if "." in job:  # a Celery task of its own
            PeriodicTask.objects.create(name=name, task=job, crontab=crontab, args="[]")
        else:
            PeriodicTask.objects.create(
                name=name, task="supervision.tasks.run_job", crontab=crontab, args=json.dumps([job])
            )
        created += 1
    return created
