import json

import pytest
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

from supervision.jobs import JOBS
from supervision.schedules import DEFAULT_SCHEDULES

pytestmark = pytest.mark.django_db


def test_default_schedules_install_once_and_keep_the_offices_changes(capsys):
    call_command("install_schedules")
    assert PeriodicTask.objects.count() == len(DEFAULT_SCHEDULES)
    reminder = PeriodicTask.objects.get(name="催报 · report reminders 09:00")
    assert (reminder.crontab.hour, reminder.crontab.minute, str(reminder.crontab.timezone)) == (
        "9",
        "0",
        "Asia/Shanghai",
    )
    reminder.crontab.hour = "8"  # the office moves it in the admin
    reminder.crontab.save()
    call_command("install_schedules")
    assert PeriodicTask.objects.count() == len(DEFAULT_SCHEDULES)
    assert PeriodicTask.objects.get(name="催报 · report reminders 09:00").crontab.hour == "8"


def test_every_schedule_runs_a_known_job():
    from config.celery import app

    call_command("install_schedules")
    jobs = set()
    for task in PeriodicTask.objects.all():
        if task.task == "supervision.tasks.run_job":
            assert json.loads(task.args)[0] in JOBS
            jobs.add(json.loads(task.args)[0])
        else:  # a task of an app above supervision, registered with the Celery app
            app.loader.import_default_modules()
            assert task.task in app.tasks, task.task
    assert jobs == set(JOBS)
