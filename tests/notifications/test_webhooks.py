"""Robot addresses reach only the configured robot hosts, checked when saved and when sent (SSRF)."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.urls import reverse

from notifications.models import ChannelPreference, Delivery
from notifications.services import delivery_send, notify

from ..conftest import at
from ..factories import UserFactory

pytestmark = pytest.mark.django_db
NOW = at(2026, 11, 26, 9)
PUBLIC_IP = "203.119.129.20"


class Listener:
    """Something listening on 127.0.0.1 (an internal service, as far as the server knows)."""

    def __init__(self, status=200, location=""):
        self.requests = []
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                listener.requests.append(
                    {"path": self.path, "host": self.headers["Host"], "body": self.rfile.read(length)}
                )
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.end_headers()

            do_GET = do_POST

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def listener():
    made = []

    def make(**kwargs):
        made.append(Listener(**kwargs))
        return made[-1]

    yield make
    for one in made:
        one.close()


def queue_to(url, key="k"):
    """A robot delivery to `url`, saved as an old row or the admin's database would hold it."""
    user = UserFactory(email="")
    ChannelPreference.objects.create(user=user, webhook_url=url)
    notify(recipient=user, key=key, kind="reminder", title="请报送", now=NOW)
    return Delivery.objects.get(notification__key=key)


def save(client, url):
    return client.post(reverse("notifications:preferences"), {"webhook_url": url, "webhook_format": "generic"})


def internal_addresses(port):
    return [
        f"http://127.0.0.1:{port}/robot",
        f"http://localhost:{port}/robot",
        f"http://127.1:{port}/robot",
        f"http://0.0.0.0:{port}/robot",
        f"http://[::ffff:127.0.0.1]:{port}/robot",
        f"https://oapi.dingtalk.com@127.0.0.1:{port}/robot",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.100.100.200/latest/meta-data/",
        "http://localhost:6379/",
        "ftp://oapi.dingtalk.com/robot",
    ]


def test_with_default_settings_a_local_listener_receives_nothing(login, listener, fake_dns, capsys):
    """The figure for the issue: on the old code 5 of the first 6 addresses reached the listener."""
    fake_dns["localhost"] = ["127.0.0.1", "::1"]
    local = listener()
    client = login(UserFactory())
    for url in internal_addresses(local.port):
        response = save(client, url)
        assert response.status_code == 200 and "is-invalid" in response.content.decode(), url
    assert not ChannelPreference.objects.exists()

    outcomes = [
        delivery_send(queue_to(url, key=str(i)).pk, now=NOW) for i, url in enumerate(internal_addresses(local.port))
    ]
    assert outcomes == ["failed"] * len(outcomes)  # recorded failures, not retries
    assert local.requests == []
    with capsys.disabled():
        print(
            f"\nSSRF: {len(outcomes)} internal addresses, requests reaching the local listener: {len(local.requests)}"
        )


def test_the_form_names_what_is_wrong(login, fake_dns):
    fake_dns["oapi.dingtalk.com"] = [PUBLIC_IP]
    client = login(UserFactory())
    cases = {
        "http://oapi.dingtalk.com/robot/send": "必须使用 https://",
        "https://robot.example.com/send": "oapi.dingtalk.com",  # the allowed list is named
        "https://oapi.dingtalk.com:8443/robot/send": "不在允许的机器人主机之列",
        "http://169.254.169.254/": "不在允许的机器人主机之列",
    }
    for url, message in cases.items():
        page = save(client, url).content.decode()
        assert message in page, (url, page[page.find("invalid-feedback") :][:300])


def test_loopback_is_refused_even_when_the_administrator_lists_it(login, listener, settings):
    local = listener()
    settings.DUBAN_WEBHOOK_HOSTS = [f"http://127.0.0.1:{local.port}"]
    page = save(login(UserFactory()), f"http://127.0.0.1:{local.port}/robot").content.decode()
    assert "环回" in page and not ChannelPreference.objects.exists()
    delivery = queue_to(f"http://127.0.0.1:{local.port}/robot")
    assert delivery_send(delivery.pk, now=NOW) == "failed"
    delivery.refresh_from_db()
    assert delivery.status == "failed" and delivery.attempts == 1 and "WebhookRefused" in delivery.last_error
    assert delivery_send(delivery.pk, now=NOW) == "skipped" and local.requests == []


def test_a_public_host_resolving_to_a_private_address_is_refused_but_an_intranet_host_may(login, fake_dns, settings):
    fake_dns["oapi.dingtalk.com"] = ["10.1.2.3"]
    fake_dns["zwding.example.gov.cn"] = ["10.20.30.40"]
    settings.DUBAN_WEBHOOK_HOSTS = ["zwding.example.gov.cn"]
    client = login(UserFactory())
    assert "私有地址" in save(client, "https://oapi.dingtalk.com/robot/send?access_token=x").content.decode()
    assert save(client, "https://zwding.example.gov.cn/robot/send?access_token=x").status_code == 302
    assert ChannelPreference.objects.get().webhook_url.startswith("https://zwding.example.gov.cn/")


def test_a_name_that_resolves_elsewhere_when_sent_is_refused_then(login, fake_dns, listener):
    """DNS rebinding: public when saved, the metadata service when sent."""
    fake_dns["oapi.dingtalk.com"] = [PUBLIC_IP]
    user = UserFactory(email="")
    assert save(login(user), "https://oapi.dingtalk.com/robot/send?access_token=x").status_code == 302
    fake_dns["oapi.dingtalk.com"] = [PUBLIC_IP, "169.254.169.254"]  # every address is checked
    notify(recipient=user, key="k", kind="reminder", title="请报送", now=NOW)
    delivery = Delivery.objects.get()
    assert delivery_send(delivery.pk, now=NOW) == "failed"
    delivery.refresh_from_db()
    assert "169.254.169.254" in delivery.last_error


def test_a_name_that_does_not_resolve_when_sent_is_retried_not_dropped(login, fake_dns):
    """Refused when saved, but at sending time the resolver may be down for a while."""
    fake_dns["oapi.dingtalk.com"] = [PUBLIC_IP]
    user = UserFactory(email="")
    assert save(login(user), "https://oapi.dingtalk.com/robot/send?access_token=x").status_code == 302
    del fake_dns["oapi.dingtalk.com"]  # the resolver fails
    notify(recipient=user, key="k", kind="reminder", title="请报送", now=NOW)
    delivery = Delivery.objects.get()
    assert delivery_send(delivery.pk, now=NOW) == "retry"
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.QUEUED and "oapi.dingtalk.com" in delivery.last_error
    assert save(login(user), "https://oapi.dingtalk.com/robot/send?access_token=y").status_code == 200


def test_the_connection_goes_to_the_checked_address_with_the_name_as_host(listener, fake_dns, settings):
    settings.DUBAN_WEBHOOK_ALLOW_LOOPBACK = True  # the checked address is the test's listener
    robot = listener()
    settings.DUBAN_WEBHOOK_HOSTS = [f"http://robot.example.gov.cn:{robot.port}"]
    fake_dns["robot.example.gov.cn"] = ["127.0.0.1"]  # known only to the check, not to the system
    delivery = queue_to(f"http://robot.example.gov.cn:{robot.port}/send?token=t")
    assert delivery_send(delivery.pk, now=NOW) == "sent"
    assert len(robot.requests) == 1
    request = robot.requests[0]
    assert request["host"] == f"robot.example.gov.cn:{robot.port}" and request["path"] == "/send?token=t"
    assert json.loads(request["body"])["title"] == "请报送"


def test_redirects_are_not_followed(listener, settings):
    settings.DUBAN_WEBHOOK_ALLOW_LOOPBACK = True
    target = listener()
    redirecting = listener(status=307, location=f"http://127.0.0.1:{target.port}/elsewhere")
    settings.DUBAN_WEBHOOK_HOSTS = [f"http://127.0.0.1:{redirecting.port}", f"http://127.0.0.1:{target.port}"]
    delivery = queue_to(f"http://127.0.0.1:{redirecting.port}/robot")
    assert delivery_send(delivery.pk, now=NOW) == "retry"
    delivery.refresh_from_db()
    assert "307" in delivery.last_error
    assert len(redirecting.requests) == 1 and target.requests == []
