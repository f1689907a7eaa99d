"""The outbox: channels, robot formats, retries with back-off, dead workers, a broker that is down."""

import datetime
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from notifications.models import ChannelPreference, Delivery, Notification
from notifications.services import CLAIM_LEASE, MAX_ATTEMPTS, claim, delivery_send, notify
from supervision.jobs import run_job  # the outbox job (deliver_outbox)

from ..conftest import at
from ..factories import UserFactory
from .conftest import broker

pytestmark = pytest.mark.django_db
NOW = at(2026, 11, 26, 9)
DEAD_BROKER = "redis://127.0.0.1:1/0"  # nothing listens there


class Robot:
    """A group-chat robot on 127.0.0.1 that records what it is sent and answers `status`."""

    def __init__(self, status=200, delay=0.0):
        self.received, self.status, self.delay = [], status, delay
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                import time

                body = self.rfile.read(int(self.headers["Content-Length"]))
                robot.received.append(json.loads(body))
                time.sleep(robot.delay)
                self.send_response(robot.status)
                self.end_headers()
                self.wfile.write(b'{"errcode":0}')

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/robot/send"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def robot(settings):
    """A robot on 127.0.0.1, reachable only because these tests allow loopback and list it."""
    robots = []
    settings.DUBAN_WEBHOOK_ALLOW_LOOPBACK = True
    settings.DUBAN_WEBHOOK_HOSTS = []

    def make(**kwargs):
        robots.append(Robot(**kwargs))
        settings.DUBAN_WEBHOOK_HOSTS = [
            *settings.DUBAN_WEBHOOK_HOSTS,
            f"http://127.0.0.1:{robots[-1].server.server_port}",
        ]
        return robots[-1]

    yield make
    for r in robots:
        r.close()


def person(webhook=None, fmt="generic", email=True):
    user = UserFactory(email="someone@example.gov.cn" if email else "")
    if webhook:
        ChannelPreference.objects.create(user=user, webhook_url=webhook, webhook_format=fmt)
    return user


def send(user, key="k1"):
    return notify(
        recipient=user,
        key=key,
        kind="reminder",
        title="请于周五18:00前报送",
        body="1 推进项目建设",
        link="/workspace/",
        now=NOW,
    )


def test_one_notification_per_key(django_capture_on_commit_callbacks):
    user = person()
    assert send(user) is not None
    assert send(user) is None
    assert Notification.objects.count() == 1 and Delivery.objects.count() == 1


def test_no_email_address_means_no_email_delivery():
    send(person(email=False))
    assert Notification.objects.count() == 1 and not Delivery.objects.exists()


@pytest.mark.parametrize(
    "fmt, check",
    [
        ("generic", lambda m: m["title"] == "请于周五18:00前报送" and m["link"].endswith("/workspace/")),
        ("dingtalk", lambda m: m["msgtype"] == "markdown" and "请于周五18:00前报送" in m["markdown"]["title"]),
        ("wecom", lambda m: m["msgtype"] == "markdown" and "请于周五18:00前报送" in m["markdown"]["content"]),
    ],
)
def test_robot_message_formats(robot, fmt, check):
    r = robot()
    send(person(r.url, fmt, email=False))
    delivery = Delivery.objects.get()
    assert delivery_send(delivery.pk, now=NOW) == "sent"
    assert len(r.received) == 1 and check(r.received[0])
    assert delivery_send(delivery.pk, now=NOW) == "skipped"  # sent once only
    assert len(r.received) == 1


def test_a_failing_robot_is_retried_with_back_off_and_never_blocks_email(robot, mailoutbox):
    r = robot(status=500)
    send(person(r.url))
    webhook = Delivery.objects.get(channel="webhook")
    email = Delivery.objects.get(channel="email")
    assert delivery_send(webhook.pk, now=NOW) == "retry"
    assert delivery_send(email.pk, now=NOW) == "sent" and len(mailoutbox) == 1
    webhook.refresh_from_db()
    assert webhook.status == "queued" and webhook.attempts == 1 and "500" in webhook.last_error
    assert webhook.next_attempt_at == NOW + datetime.timedelta(minutes=1)
    assert delivery_send(webhook.pk, now=NOW + datetime.timedelta(seconds=30)) == "skipped"  # not yet due
    moment = NOW
    for _attempt in range(2, MAX_ATTEMPTS + 1):
        moment += datetime.timedelta(days=1)
        outcome = delivery_send(webhook.pk, now=moment)
    webhook.refresh_from_db()
    assert outcome == "failed" and webhook.status == "failed" and webhook.attempts == MAX_ATTEMPTS
    assert len(r.received) == MAX_ATTEMPTS


def test_a_robot_that_times_out_is_recorded(robot, monkeypatch):
    monkeypatch.setattr("notifications.services.WEBHOOK_TIMEOUT_SECONDS", 0.2)
    r = robot(delay=1.0)
    send(person(r.url, email=False))
    delivery = Delivery.objects.get()
    assert delivery_send(delivery.pk, now=NOW) == "retry"
    delivery.refresh_from_db()
    assert "timed out" in delivery.last_error.lower()


def test_a_worker_that_died_mid_send_is_replaced_after_the_lease(mailoutbox):
    send(person())
    delivery = Delivery.objects.get()
    assert claim(delivery.pk, NOW)  # a worker claims it … and is killed before sending
    assert not claim(delivery.pk, NOW + datetime.timedelta(minutes=1))  # still its lease: nobody else sends
    assert run_job("deliver_outbox", NOW + datetime.timedelta(minutes=1)).deliveries == 0
    later = NOW + CLAIM_LEASE + datetime.timedelta(seconds=1)
    assert run_job("deliver_outbox", later).deliveries == 1
    assert run_job("deliver_outbox", later + datetime.timedelta(minutes=10)).deliveries == 0
    assert len(mailoutbox) == 1 and Delivery.objects.get().status == "sent"


def test_with_the_broker_down_nothing_breaks_and_the_outbox_catches_up(
    mailoutbox, django_capture_on_commit_callbacks, caplog
):
    with broker(DEAD_BROKER), django_capture_on_commit_callbacks(execute=True):
        assert send(person()) is not None  # enqueueing after commit fails quietly
    assert "Broker unavailable" in caplog.text  # it was tried, and the failure handled
    assert Delivery.objects.get().status == "queued"
    assert run_job("deliver_outbox", NOW).deliveries == 1 and len(mailoutbox) == 1


@pytest.mark.redis
def test_deliveries_go_to_the_workers_a_hundred_per_message(redis_url, django_capture_on_commit_callbacks):
    """A job's 250 deliveries are three messages on the real broker, not 250 round trips."""
    import uuid

    import redis

    from notifications.services import Message, notify_many

    queue = f"duban-test-{uuid.uuid4().hex[:8]}"
    people = [UserFactory(email=f"p{i}@example.gov.cn") for i in range(250)]
    messages = [Message(recipient=p, key=f"bulk:{p.pk}", kind="reminder", title="请报送") for p in people]
    client = redis.Redis.from_url(redis_url)
    try:
        with broker(redis_url, task_default_queue=queue), django_capture_on_commit_callbacks(execute=True):
            assert len(notify_many(messages, now=NOW)) == 250
        sent = [json.loads(raw) for raw in client.lrange(queue, 0, -1)]
        assert len(sent) == 3 and {m["headers"]["task"] for m in sent} == {"notifications.tasks.deliver_notifications"}
        assert Delivery.objects.filter(status="queued").count() == 250
    finally:
        client.delete(queue)
        client.close()


def test_a_message_of_deliveries_sends_each_once(mailoutbox):
    from notifications.tasks import deliver_notifications

    for i in range(3):
        send(person(), key=f"k{i}")
    ids = list(Delivery.objects.values_list("pk", flat=True))
    assert deliver_notifications.run(ids) == {"sent": 3}
    assert deliver_notifications.run(ids) == {"skipped": 3}  # a message delivered twice sends nothing twice
    assert len(mailoutbox) == 3
