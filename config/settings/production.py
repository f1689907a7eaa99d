"""Production: PostgreSQL, Redis, secrets from the environment, hardened cookies and headers."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DATABASES, SECRET_KEY, env_bool

# config/wsgi.py and config/celery.py load these settings unless told otherwise, so a server
# started without DJANGO_SETTINGS_MODULE ends up here: it must refuse to run rather than serve
# with debugging on or a key that anyone with the source knows.
# Keys committed in this repository (config/settings/dev.py, test.py) or typical placeholders.
KNOWN_SECRET_KEY_MARKERS = (
    "not-secret",
    "dev-only",
    "test-only",
    "django-insecure",
    "changeme",
    "change-me",
    "secret-key",
)
SECRET_KEY_MIN_LENGTH = 50  # what `check --deploy` asks for (security.W009)

if env_bool("DEBUG", False):
    raise ImproperlyConfigured("DEBUG must be off in production: unset DEBUG or set DEBUG=0.")
DEBUG = False
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set in production.")
if (
    len(SECRET_KEY) < SECRET_KEY_MIN_LENGTH
    or len(set(SECRET_KEY)) < 5
    or any(marker in SECRET_KEY.lower() for marker in KNOWN_SECRET_KEY_MARKERS)
):
    raise ImproperlyConfigured(
        f"SECRET_KEY is not fit for production: use a random value of at least {SECRET_KEY_MIN_LENGTH} characters "
        "(python -c 'import secrets; print(secrets.token_urlsafe(50))'), never a development or example key."
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    raise ImproperlyConfigured("Production runs on PostgreSQL: set DATABASE_URL.")

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# HTTPS only: plain HTTP is redirected, and browsers remember for a year (HSTS) to never try it.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 365 * 24 * 3600))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
# Preloading asks browser makers to hard-code the domain as HTTPS-only, for good and for every
# subdomain; an intranet host is not on their list anyway. Off unless chosen, hence the check
# that recommends it (security.W021) is silenced only while it is off.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS = [*globals().get("SILENCED_SYSTEM_CHECKS", ()), "security.W021"]
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
