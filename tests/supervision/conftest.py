import contextlib
import datetime
import ipaddress
import socket

import pytest
from django.utils import timezone

from demo.loader import load_demo

SHANGHAI = timezone.get_fixed_timezone(8 * 60)


def at(year, month, day, hour=9, minute=0) -> datetime.datetime:
    """A moment in Asia/Shanghai."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def fake_dns(monkeypatch):
    """Name → addresses for the robot-address check, so tests need no network (and can make a
    name resolve to whatever they like). Unknown names do not resolve."""
    names: dict[str, list[str]] = {}

    def getaddrinfo(host, port):
        if host in names:
            return [
                (socket.AF_INET6 if ":" in ip else socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port))
                for ip in names[host]
            ]
        try:  # IP literals need no lookup
            ipaddress.ip_address(host)
        except ValueError:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known") from None
        return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)

    monkeypatch.setattr("supervision.webhooks._getaddrinfo", getaddrinfo)
    return names


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
