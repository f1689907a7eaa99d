"""Signing in: lockout per username and address with a cool-off, every attempt logged, idle
sessions ending, and the client's address read correctly behind our proxies."""

import datetime
import os
import subprocess
import sys
import time

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db.models import F
from django.http import HttpRequest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.client_ip import client_ip
from accounts.sessions import RENEWED_AT

from ..factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

X, Y = "192.0.2.10", "198.51.100.20"


def _sign_in(username, password, ip, **headers):
    return Client().post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip, **headers)


@pytest.fixture
def people():
    return UserFactory(username="alice"), UserFactory(username="bob")


def _fail(username, ip, times=5, **headers):
    return [_sign_in(username, "wrong-pass", ip, **headers).status_code for _ in range(times)]


def test_five_failures_lock_that_user_at_that_address_only(people):
    assert settings.AXES_FAILURE_LIMIT == 5
    statuses = _fail("alice", X)
    assert statuses[:4] == [200] * 4 and statuses[4] == 429
    locked = _sign_in("alice", PASSWORD, X)
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "登录失败次数过多" in page
    retry_at = timezone.localtime(timezone.now() + settings.AXES_COOLOFF_TIME)
    assert retry_at.strftime("%Y-%m-%d %H:") in page  # says when to try again
    # A colleague behind the same NAT, and alice from another computer, still sign in.
    assert _sign_in("bob", PASSWORD, X).status_code == 302
    assert _sign_in("alice", PASSWORD, Y).status_code == 302


def test_the_lockout_ends_after_the_cool_off(people):
    _fail("alice", X)
    assert _sign_in("alice", PASSWORD, X).status_code == 429
    AccessAttempt.objects.update(
        attempt_time=F("attempt_time") - settings.AXES_COOLOFF_TIME - datetime.timedelta(seconds=1)
    )
    assert _sign_in("alice", PASSWORD, X).status_code == 302


def test_failed_and_successful_sign_ins_are_logged(people):
    _fail("alice", X, times=2)
    _sign_in("bob", PASSWORD, Y)
    assert AccessFailureLog.objects.filter(username="alice", ip_address=X).count() == 2
    assert AccessLog.objects.filter(username="bob", ip_address=Y).exists()


def test_behind_our_proxy_the_forwarded_client_counts(people):
    proxy = "10.0.0.1"
    with override_settings(TRUSTED_PROXY_COUNT=1):
        # A client-written entry on the left is ignored: our proxy's entry (rightmost) counts.
        _fail("alice", proxy, HTTP_X_FORWARDED_FOR=f"203.0.113.99, {X}")
        assert _sign_in("alice", PASSWORD, proxy, HTTP_X_FORWARDED_FOR=X).status_code == 429
        assert _sign_in("alice", PASSWORD, proxy, HTTP_X_FORWARDED_FOR=Y).status_code == 302
    # Five failures and the locked-out attempt, all under the client's address, not the proxy's.
    assert AccessFailureLog.objects.filter(ip_address=X).count() == 6
    assert not AccessFailureLog.objects.filter(ip_address=proxy).exists()


def test_client_ip_reads_as_many_proxies_as_configured():
    request = HttpRequest()
    request.META = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 192.0.2.10, 10.0.0.1"}
    with override_settings(TRUSTED_PROXY_COUNT=0):
        assert client_ip(request) == "10.0.0.2"
    with override_settings(TRUSTED_PROXY_COUNT=2):
        assert client_ip(request) == "192.0.2.10"
    with override_settings(TRUSTED_PROXY_COUNT=2, CLIENT_IP_HEADER="HTTP_X_REAL_IP"):
        assert client_ip(request) == "10.0.0.2"  # header missing: the connection's address


def test_a_forwarded_entry_that_is_not_an_address_is_not_the_client(people):
    """With more proxies configured than are in front (or the inner one reachable), the counted
    entry is the client's own writing: not an address, it is ignored, not stored (a 500 on PostgreSQL)."""
    request = HttpRequest()
    request.META = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "<script>, 192.0.2.10"}
    with override_settings(TRUSTED_PROXY_COUNT=2):
        assert client_ip(request) == "10.0.0.2"
        assert (
            _sign_in("alice", "wrong-pass", "10.0.0.2", HTTP_X_FORWARDED_FOR="not-an-ip, 192.0.2.10").status_code == 200
        )
    assert AccessFailureLog.objects.filter(username="alice", ip_address="10.0.0.2").exists()


def test_password_sign_in_through_the_test_client_needs_the_request(people):
    # AxesStandaloneBackend refuses authenticate() without a request; tests pass one.
    client = Client()
    assert client.login(request=HttpRequest(), username="bob", password=PASSWORD)


def test_sessions_end_after_the_idle_time_and_activity_renews_them(client, people):
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    client.force_login(people[1])
    home = reverse("campaigns:list")
    assert client.get(home).status_code == 200
    session = Session.objects.get()

    def last_renewed(seconds_ago):
        store = SessionStore(session.pk)
        store[RENEWED_AT] = int(time.time()) - seconds_ago
        store.save()
        Session.objects.update(expire_date=timezone.now() + datetime.timedelta(minutes=5))

    # Renewed a minute ago: a click within the renewal interval writes nothing.
    last_renewed(60)
    client.get(home)
    assert Session.objects.get(pk=session.pk).expire_date < timezone.now() + datetime.timedelta(minutes=6)
    # Renewed longer ago than the interval: the next click starts a full idle time again.
    last_renewed(settings.SESSION_RENEW_SECONDS + 1)
    response = client.get(home)
    assert Session.objects.get(pk=session.pk).expire_date > timezone.now() + datetime.timedelta(hours=7)
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 8 * 3600
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get(home)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_visit_without_signing_in_creates_no_session(client):
    client.get(reverse("login"))
    assert not Session.objects.exists()


def test_the_idle_time_comes_from_the_environment():
    code = "from django.conf import settings; print(settings.SESSION_COOKIE_AGE)"
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings.test", SESSION_IDLE_MINUTES="30")
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=env,
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        check=True,
    )
    assert result.stdout.strip().splitlines()[-1] == "1800"
