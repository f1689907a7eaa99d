"""Settings for the test suite. DATABASE_URL picks PostgreSQL or SQLite (the CI runs both)."""

from .base import *  # noqa: F403

SECRET_KEY = "test-only-not-secret"
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tests must not depend on the npm build: plain storage, no manifest.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
# The test database on SQLite is in memory with a shared cache, where a transaction that cannot
# take the write lock at BEGIN IMMEDIATE fails at once ("database table is locked") instead of
# waiting: a test with a real worker thread writing alongside would fail. Deferred, as Django's
# default; the file database of `make run` keeps IMMEDIATE (base.py).
DATABASES["default"].get("OPTIONS", {}).pop("transaction_mode", None)  # noqa: F405

# Tests that are about the broker or a worker use Redis explicitly (marker `redis`); the rest must
# not depend on one, so whatever REDIS_URL the environment has, the default broker is in memory.
CELERY_BROKER_URL = "memory://"
CELERY_BROKER_TRANSPORT_OPTIONS = {}
