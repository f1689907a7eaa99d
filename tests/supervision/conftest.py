import contextlib
import datetime

import pytest
from django.utils import timezone

from campaigns.demo.loader import load_demo

SHANGHAI = timezone.get_fixed_timezone(8 * 60)


def at(year, month, day, hour=9, minute=0) -> datetime.datetime:
    """A moment in Asia/Shanghai."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def demo(db):
    """The demo as `make run` loads it, as of Monday 23 November 2026, 09:00."""
    load_demo(now=at(2026, 11, 23))


@contextlib.contextmanager
def broker(url: str, **conf):
    """Point the Celery app at another broker for a while.

    The app caches its connection and producer pools, so they are dropped on the way in and out
    (what Celery itself does after a fork).
    """
    from config.celery import app

    def reset():
        app._pool = None
        app.__dict__.get("amqp") and setattr(app.__dict__["amqp"], "_producer_pool", None)

    saved = {key: app.conf[key] for key in ("broker_url", *conf)}
    app.conf.update(broker_url=url, **conf)
    reset()
    try:
        yield app
    finally:
        app.conf.update(saved)
        reset()
