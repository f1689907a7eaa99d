"""A scheduled job, sent through the real Redis broker to a real Celery worker, puts a reminder
in the inbox and an email in the outbox."""

import json
import time
import uuid

import pytest
from celery.signals import task_postrun
from django.core import mail
from django.db import connection

from demo.loader import load_demo
from notifications.models import Delivery, Notification
from supervision.schedules import install_default_schedules

from ..conftest import at


@pytest.fixture
def celery_on_redis(redis_url):
    """A Celery app of the test's own on Redis, with its own queue, made current for the test.

    Shared tasks (supervision.tasks, notifications.tasks) resolve to the current app, so the job's follow-up
    deliveries go through the same broker to the same worker.
    """
    from celery import Celery
    from celery._state import get_current_app

    previous = get_current_app()
    app = Celery("duban-test", set_as_current=True)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(
        broker_url=redis_url, broker_transport_options={}, task_default_queue=f"duban-test-{uuid.uuid4().hex[:8]}"
    )
    app.autodiscover_tasks(["supervision", "notifications"], force=True)

    def close_worker_connection(**kwargs):
        # The worker runs tasks in its own thread; its database connection must not outlive the
        # test, or the test database cannot be dropped.
        connection.close()

    task_postrun.connect(close_worker_connection, weak=False)
    yield app
    task_postrun.disconnect(close_worker_connection)
    previous.set_current()
    app.close()


def wait_for(condition, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_scheduled_reminder_reaches_the_inbox_and_the_mail_outbox(celery_on_redis, settings):
    from celery.contrib.testing.worker import start_worker
    from django_celery_beat.models import PeriodicTask

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    load_demo(now=at(2026, 11, 23))
    install_default_schedules()
    schedule = PeriodicTask.objects.get(name="催报 · report reminders 09:00")

    with start_worker(celery_on_redis, pool="solo", perform_ping_check=False, shutdown_timeout=20, loglevel="WARNING"):
        # What beat does at Thursday 09:00: send the schedule's task (here with the moment fixed).
        celery_on_redis.send_task(
            schedule.task, args=json.loads(schedule.args), kwargs={"now": at(2026, 11, 26, 9).isoformat()}
        )
        assert wait_for(lambda: Notification.objects.filter(recipient__username="liaison1", kind="reminder").exists())
        # The delivery task was queued after the job's commit and ran on the same worker.
        assert wait_for(lambda: any(m.to == ["liaison1@example.gov.cn"] for m in mail.outbox))

    reminder = Notification.objects.get(recipient__username="liaison1", kind="reminder")
    assert "推进项目建设" in reminder.body
    assert Delivery.objects.get(notification=reminder).status == "sent"
    assert sum(m.to == ["liaison1@example.gov.cn"] for m in mail.outbox) == 1
