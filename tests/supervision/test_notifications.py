"""The outbox: channels, robot formats, retries with back-off, dead workers, a broker that is down."""

import datetime
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.urls import reverse

from supervision.jobs import run_job
from supervision.models import ChannelPreference, Delivery, Notification, Urge
from supervision.notifications import CLAIM_LEASE, MAX_ATTEMPTS, claim, delivery_send, notify
from supervision.services import notice_answer, urge
from units.models import Membership

from ..factories import MembershipFactory, UnitFactory, UserFactory
from .conftest import at, broker

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
        settings.DUBAN_WEBHOOK_HOSTS = [*settings.DUBAN_WEBHOOK_HOSTS, f"http://127.0.0.1:{robots[-1].server.server_port}"]
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
    return notify(recipient=user, key=key, kind="reminder", title="请于周五18:00前报送", body="1 推进项目建设", link="/workspace/", now=NOW)


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
    for attempt in range(2, MAX_ATTEMPTS + 1):
        moment += datetime.timedelta(days=1)
        outcome = delivery_send(webhook.pk, now=moment)
    webhook.refresh_from_db()
    assert outcome == "failed" and webhook.status == "failed" and webhook.attempts == MAX_ATTEMPTS
    assert len(r.received) == MAX_ATTEMPTS


def test_a_robot_that_times_out_is_recorded(robot, monkeypatch):
    monkeypatch.setattr("supervision.notifications.WEBHOOK_TIMEOUT_SECONDS", 0.2)
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


def test_with_the_broker_down_nothing_breaks_and_the_outbox_catches_up(mailoutbox, django_capture_on_commit_callbacks, caplog):
    with broker(DEAD_BROKER), django_capture_on_commit_callbacks(execute=True):
        assert send(person()) is not None  # enqueueing after commit fails quietly
    assert "Broker unavailable" in caplog.text  # it was tried, and the failure handled
    assert Delivery.objects.get().status == "queued"
    assert run_job("deliver_outbox", NOW).deliveries == 1 and len(mailoutbox) == 1


# ---- urging and answering -----------------------------------------------------------------------


def test_the_office_urges_a_unit_once_per_click():
    unit = UnitFactory()
    liaison = MembershipFactory(unit=unit, role=Membership.Role.LIAISON).user
    head = MembershipFactory(unit=unit, role=Membership.Role.HEAD).user
    office = MembershipFactory(role=Membership.Role.OFFICE).user
    record, sent = urge(user=office, unit=unit, note="请今天下班前报送", now=NOW)
    again, sent_again = urge(user=office, unit=unit, note="请今天下班前报送", now=NOW + datetime.timedelta(seconds=5))
    assert sent == 2 and again == record and sent_again == 0
    assert set(Notification.objects.values_list("recipient", flat=True)) == {liaison.pk, head.pk}
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        urge(user=liaison, unit=unit)


def test_urge_button_works_with_the_broker_down(login, django_capture_on_commit_callbacks, caplog):
    unit = UnitFactory()
    MembershipFactory(unit=unit, role=Membership.Role.LIAISON, user=UserFactory(email="l@example.gov.cn"))
    office = MembershipFactory(role=Membership.Role.OFFICE).user
    with broker(DEAD_BROKER), django_capture_on_commit_callbacks(execute=True):
        response = login(office).post(reverse("supervision:urge"), {"unit": unit.pk, "note": "请尽快报送"})
    assert response.status_code == 302 and Urge.objects.count() == 1
    assert Delivery.objects.get().status == "queued" and "Broker unavailable" in caplog.text


def test_a_notice_is_answered_once_by_its_own_unit(demo):
    from django.core.exceptions import PermissionDenied, ValidationError

    from accounts.models import User
    from supervision.models import SupervisionNotice

    run_job("overdue_sweep", at(2026, 12, 1, 8, 30))
    notice = SupervisionNotice.objects.get(period__end_date=datetime.date(2026, 11, 27), unit__name="区政府办公室")
    with pytest.raises(PermissionDenied):
        notice_answer(user=User.objects.get(username="liaison2"), notice_id=notice.pk, answer="不是我们的")
    notice_answer(user=User.objects.get(username="head1"), notice_id=notice.pk, answer="已补报")
    with pytest.raises(ValidationError):
        notice_answer(user=User.objects.get(username="liaison1"), notice_id=notice.pk, answer="再答一次")
