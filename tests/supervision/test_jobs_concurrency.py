"""Two beats (or a beat and an operator's runjob) running the same job at the same moment on
PostgreSQL: every notification and notice exists once."""

import threading

import pytest
from django.db import connection

from demo.loader import load_demo
from notifications.models import Notification
from supervision.jobs import run_job
from supervision.models import SupervisionNotice

from ..conftest import at

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def concurrently(name, moment, runs=3):
    barrier = threading.Barrier(runs)
    errors = []

    def go():
        try:
            barrier.wait()
            run_job(name, moment)
        except Exception as error:  # what the test looks at
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=go) for _ in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


@pytest.mark.parametrize(
    "name, moment",
    [
        ("report_reminders", at(2026, 11, 26, 9)),
        ("overdue_sweep", at(2026, 12, 1, 8, 30)),
        ("deadline_warnings", at(2026, 11, 2, 8)),
    ],
)
def test_concurrent_runs_create_nothing_twice(name, moment):
    load_demo(now=at(2026, 11, 23))
    assert concurrently(name, moment) == []
    alone = (Notification.objects.count(), SupervisionNotice.objects.count())
    assert alone[0] > 0
    run_job(name, moment)
    assert (Notification.objects.count(), SupervisionNotice.objects.count()) == alone
    keys = list(Notification.objects.values_list("key", flat=True))
    assert len(keys) == len(set(keys))


def test_concurrent_follow_ups_tell_of_each_notice_once():
    """Two runs at once claim disjoint notices (FOR UPDATE SKIP LOCKED): every unanswered notice is
    in exactly one office digest, and each leader is told of it once."""
    load_demo(now=at(2026, 11, 23))
    run_job("overdue_sweep", at(2026, 12, 1, 8, 30))
    notices = SupervisionNotice.objects.count()
    assert notices > 0
    assert concurrently("notice_followup", at(2026, 12, 7, 9, 15)) == []
    assert not SupervisionNotice.objects.filter(followed_up_at__isnull=True).exists()
    office = Notification.objects.filter(key__startswith="notice-late:office:", recipient__username="office")
    assert sum(len(n.body.splitlines()) for n in office) == notices
    keys = list(Notification.objects.values_list("key", flat=True))
    assert len(keys) == len(set(keys))
    assert run_job("notice_followup", at(2026, 12, 7, 9, 30)).notifications == 0
