"""Production settings: `check --deploy` finds nothing, and a server or worker started without
DJANGO_SETTINGS_MODULE refuses to run instead of falling back to development settings."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
POSTGRES = "postgres://duban:secret@db.internal:5432/duban"  # never connected to: the checks need no database


def run(code_or_args: str | list[str], **env: str) -> subprocess.CompletedProcess:
    """Run Python in a clean environment (nothing of the test run's settings or secrets)."""
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp"), **env}
    args = code_or_args if isinstance(code_or_args, list) else ["-c", code_or_args]
    return subprocess.run([sys.executable, *args], cwd=BASE_DIR, env=clean, capture_output=True, text=True, timeout=120)


def good_key() -> str:
    return secrets.token_urlsafe(50)


def test_deploy_check_reports_nothing():
    result = run(
        ["manage.py", "check", "--deploy"],
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=good_key(),
        DATABASE_URL=POSTGRES,
        ALLOWED_HOSTS="duban.example.gov.cn",
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("env", "complaint"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": "dev-only-not-secret-duban"}, "SECRET_KEY is not fit for production"),  # config/settings/dev.py
        ({"SECRET_KEY": "test-only-not-secret"}, "SECRET_KEY is not fit for production"),  # config/settings/test.py
        ({"SECRET_KEY": "s3cr3t-but-much-too-short"}, "SECRET_KEY is not fit for production"),
        ({"SECRET_KEY": "django-insecure-" + "x7" * 30}, "SECRET_KEY is not fit for production"),
        ({"SECRET_KEY": "a" * 60}, "SECRET_KEY is not fit for production"),
        ({"DEBUG": "1"}, "DEBUG must be off"),
        ({"DEBUG": "true"}, "DEBUG must be off"),
        ({"DATABASE_URL": None}, "Production runs on PostgreSQL"),
    ],
)
def test_production_refuses_to_start_unsafe(env, complaint):
    # Everything right but the one thing under test (None: not set at all).
    env = {
        name: value
        for name, value in {"DATABASE_URL": POSTGRES, "SECRET_KEY": good_key(), **env}.items()
        if value is not None
    }
    result = run("import config.settings.production", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and complaint in result.stderr, result.stderr


@pytest.mark.parametrize(
    "code",
    [
        "import config.wsgi",
        "import config.asgi",
        "from config.celery import app; app.conf.broker_url",
    ],
)
def test_a_forgotten_settings_module_means_production_not_development(code):
    # Before, each of these ran with DEBUG on and the development key committed in dev.py.
    refused = run(code)
    assert refused.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set in production." in refused.stderr
    assert (
        "ImproperlyConfigured: DEBUG must be off"
        in run(code, SECRET_KEY=good_key(), DATABASE_URL=POSTGRES, DEBUG="1").stderr
    )

    started = run(
        code + "; from django.conf import settings; print(settings.SETTINGS_MODULE, settings.DEBUG)",
        SECRET_KEY=good_key(),
        DATABASE_URL=POSTGRES,
    )
    assert started.returncode == 0, started.stderr
    assert started.stdout.split()[-2:] == ["config.settings.production", "False"]


def test_development_still_says_so_explicitly(tmp_path):
    # manage.py (runserver, the commands) and bin/run (worker and beat) choose the development
    # settings themselves, so `make run` is not affected by the production default.
    assert 'setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")' in (BASE_DIR / "manage.py").read_text()
    script = (BASE_DIR / "bin" / "run").read_text()
    exported = script.index("export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-config.settings.dev}")
    assert exported < script.index('start "$CELERY"')
    result = run(
        "from config.celery import app; from django.conf import settings; app.conf.broker_url; print(settings.DEBUG)",
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        DUBAN_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == "True"
