"""The test machinery itself: settings, markers, the skip-or-fail rule, the login helper."""

import os
import socket
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connection

from tests import conftest


class FakeItem:
    """Just enough of a pytest item for conftest.pytest_runtest_setup."""

    def __init__(self, *markers):
        self.markers = {name: getattr(pytest.mark, name).mark for name in markers}

    def get_closest_marker(self, name):
        return self.markers.get(name)


def test_suite_runs_with_the_test_settings():
    assert settings.SETTINGS_MODULE == "config.settings.test"
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_service_markers_are_registered_and_strict(pytestconfig):
    registered = {line.split(":")[0].strip() for line in pytestconfig.getini("markers")}
    assert {"postgres", "redis", "browser", "slow"} <= registered
    assert pytestconfig.getoption("strict_markers")


def test_redis_check_gives_a_reason_for_a_closed_port():
    reason = conftest.redis_unavailable_reason("redis://127.0.0.1:1/0")
    assert isinstance(reason, str)
    assert "needs Redis at 127.0.0.1:1" in reason


def test_redis_check_passes_when_something_listens():
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        assert conftest.redis_unavailable_reason(f"redis://127.0.0.1:{port}/15") is None


def test_require_service_is_a_no_op_without_a_reason(monkeypatch):
    monkeypatch.setenv("DUBAN_REQUIRE_SERVICES", "1")
    conftest.require_service("Redis", None)


def test_missing_service_skips_by_default(monkeypatch):
    monkeypatch.delenv("DUBAN_REQUIRE_SERVICES", raising=False)
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    with pytest.raises(pytest.skip.Exception, match="needs Redis at 127.0.0.1:1"):
        conftest.pytest_runtest_setup(FakeItem("redis"))


def test_missing_service_fails_when_services_are_required(monkeypatch):
    monkeypatch.setenv("DUBAN_REQUIRE_SERVICES", "1")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    with pytest.raises(pytest.fail.Exception, match="DUBAN_REQUIRE_SERVICES=1"):
        conftest.pytest_runtest_setup(FakeItem("redis"))


def test_missing_browser_fails_when_services_are_required(monkeypatch):
    monkeypatch.setenv("DUBAN_REQUIRE_SERVICES", "1")
    monkeypatch.setattr(conftest, "chromium_executable", lambda: None)
    with pytest.raises(pytest.fail.Exception, match="Chromium"):
        conftest.pytest_runtest_setup(FakeItem("browser"))


def test_postgres_marker_skips_on_another_database_even_when_services_are_required(monkeypatch):
    monkeypatch.setenv("DUBAN_REQUIRE_SERVICES", "1")
    if connection.vendor == "postgresql":
        # A skip raised in a test body only skips that test: caught, so a wrong skip fails here.
        try:
            conftest.pytest_runtest_setup(FakeItem("postgres"))
        except pytest.skip.Exception as skip:
            pytest.fail(f"a postgres-marked test would be skipped on PostgreSQL: {skip}")
    else:
        with pytest.raises(pytest.skip.Exception, match="needs PostgreSQL"):
            conftest.pytest_runtest_setup(FakeItem("postgres"))


@pytest.mark.django_db
def test_postgres_marked_tests_really_run_on_postgresql():
    """Pointed at PostgreSQL, the suite runs the postgres-marked tests, on PostgreSQL.

    Not marked itself: a marked test runs only where PostgreSQL already answers (so it could not
    fail), and is merely skipped when the marker wrongly skips. DATABASE_URL is what was asked for.
    """
    asked = urlsplit(os.environ.get("DATABASE_URL", "")).scheme in {"postgres", "postgresql", "pgsql", "postgis"}
    if not asked:
        assert connection.vendor != "postgresql"
        pytest.skip("DATABASE_URL does not point at PostgreSQL")
    assert connection.vendor == "postgresql"
    assert conftest.postgres_unavailable_reason() is None
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        assert cursor.fetchone()[0].startswith("PostgreSQL")


def test_login_returns_a_signed_in_client(login, django_user_model):
    user = django_user_model.objects.create_user(username="tooling", password="unused-pass-2026")
    client = login(user)
    assert client.session["_auth_user_id"] == str(user.pk)
