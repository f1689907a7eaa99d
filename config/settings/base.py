"""Settings shared by every environment. Values that differ per deployment come from the environment."""

import datetime
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("DUBAN_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Before import_export: its own `export` command would otherwise shadow ours (manage.py export
    # KIND --campaign CODE; the first app listed wins a command's name).
    "exports",
    "import_export",
    "guardian",
    "django_celery_beat",
    "simple_history",
    "csp",
    "config.apps.AxesConfig",  # "axes", named for the admin (config/apps.py)
    "common",
    "accounts",
    "units",
    "notifications",
    "campaigns",
    "tasks",
    "lights",
    "supervision",
    "assessment",
    "bulletins",
    "dashboards",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Headers for every response, static files included: they come before WhiteNoise.
    "config.middleware.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A NUL byte anywhere in a request is a 400, before anything (the session too) reaches the database.
    "config.middleware.RejectNulBytesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "accounts.sessions.IdleSessionMiddleware",
    "config.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # What a signed-in user is served is private and never cached.
    "config.middleware.PrivatePagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Records who made each change in the audit history.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Every page but the login page needs a signed-in user.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Turns a locked-out sign-in into the lockout page; django-axes wants it last.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "notifications.context_processors.inbox",
                "supervision.context_processors.calendar_notice",
                "config.navigation.nav_section",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'duban.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite is the newcomer's default: wait for locks instead of failing while the worker writes.
    # A transaction takes the write lock when it begins (IMMEDIATE): one that began as a reader
    # and then writes while another holds the lock fails at once ("database is locked"), without
    # waiting, as two light refreshes of the worker did at start-up.
    DATABASES["default"].setdefault("OPTIONS", {}).update(timeout=20, transaction_mode="IMMEDIATE")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out sign-in before any password is checked (django-axes).
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
GUARDIAN_RAISE_403 = True

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sign-in protection (django-axes). Failures count per username *and* address: one office
# behind a NAT shares an address, and a colleague's typos must not lock everyone out. After
# AXES_FAILURE_LIMIT failures that account is paused from that address for the cool-off; a
# success resets the count. Every sign-in, failed or not, is logged (AccessLog, AccessFailureLog).
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("LOGIN_COOLOFF_MINUTES", 30)))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "accounts.views.lockout"
AXES_CLIENT_IP_CALLABLE = "accounts.client_ip.client_ip"
# Behind reverse proxies of our own: how many, and the header they append the client to.
# 0 (the default) means clients connect directly and REMOTE_ADDR is the client.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", 0))
CLIENT_IP_HEADER = os.environ.get("CLIENT_IP_HEADER", "HTTP_X_FORWARDED_FOR")

# A session ends after this much idle time: 8 hours by default. Activity renews it, at most
# once every SESSION_RENEW_SECONDS (accounts.sessions), not on every request.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_MINUTES", 8 * 60)) * 60
SESSION_RENEW_SECONDS = 5 * 60

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
# Front-end libraries come from the npm registry (package.json), installed by `make setup`;
# they are served from node_modules under static/vendor/, never committed or fetched from a CDN.
NODE_MODULES = BASE_DIR / "node_modules"
FRONTEND_PACKAGES = {
    "vendor/bootstrap": NODE_MODULES / "bootstrap" / "dist",
    "vendor/bootstrap-icons": NODE_MODULES / "bootstrap-icons" / "font",
    # Dashboards' charts: static/vendor/echarts/echarts.min.js (no CDN, no build step).
    "vendor/echarts": NODE_MODULES / "echarts" / "dist",
}
STATICFILES_DIRS = [BASE_DIR / "static"] + [
    (prefix, path) for prefix, path in FRONTEND_PACKAGES.items() if path.is_dir()
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Uploaded files are private: they live outside any public URL and are served through views.
MEDIA_ROOT = VAR_DIR / "private"

# The address people use to reach the app, for links in emails and group-chat messages.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "duban@localhost")

# Group-chat robots notifications may be posted to (notifications/webhooks.py guards against SSRF).
# Public robot hosts, reached at public addresses only:
DUBAN_WEBHOOK_PUBLIC_HOSTS = ["oapi.dingtalk.com", "qyapi.weixin.qq.com", "open.feishu.cn"]
# The intranet's own robot hosts (e.g. 政务钉钉), comma-separated: "host", "host:port" or
# "http://host[:port]" to allow plain http. These may resolve to private addresses; loopback,
# link-local and metadata addresses are refused for every host.
DUBAN_WEBHOOK_HOSTS = env_list("DUBAN_WEBHOOK_HOSTS")
# Only tests that post to a listener on 127.0.0.1 turn this on.
DUBAN_WEBHOOK_ALLOW_LOOPBACK = False

# Extensions: the latest deadline a unit may ask for, in days after the campaign's end (or after
# the current deadline, when that is later).
EXTENSION_MAX_DAYS_AFTER_CAMPAIGN_END = int(os.environ.get("EXTENSION_MAX_DAYS_AFTER_CAMPAIGN_END", 365))

# Evidence attachments: size limit per file, and the kinds accepted (checked by content).
EVIDENCE_MAX_BYTES = int(os.environ.get("EVIDENCE_MAX_BYTES", 20 * 1024 * 1024))
# Quota per report (or completion application), removed files not counted: files and total size.
EVIDENCE_MAX_FILES = int(os.environ.get("EVIDENCE_MAX_FILES", 10))
EVIDENCE_MAX_TOTAL_BYTES = int(os.environ.get("EVIDENCE_MAX_TOTAL_BYTES", 50 * 1024 * 1024))

# Uploads: sheets larger than this are refused before they are parsed.
IMPORT_MAX_UPLOAD_BYTES = int(os.environ.get("IMPORT_MAX_UPLOAD_BYTES", 5 * 1024 * 1024))
IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", 2000))
# Workbooks are zip files that can unpack to far more than they weigh (decompression bombs):
# these limits are checked before parsing and again while the rows are streamed.
IMPORT_MAX_PART_BYTES = int(os.environ.get("IMPORT_MAX_PART_BYTES", 20 * 1024 * 1024))  # per zip member
IMPORT_MAX_COMPRESSION_RATIO = int(os.environ.get("IMPORT_MAX_COMPRESSION_RATIO", 100))
IMPORT_MAX_COLUMNS = int(os.environ.get("IMPORT_MAX_COLUMNS", 60))
IMPORT_MAX_CELL_CHARS = int(os.environ.get("IMPORT_MAX_CELL_CHARS", 10_000))
# Task deadlines later than this many years after the campaign's end are taken for typing errors.
IMPORT_MAX_DEADLINE_YEARS_AFTER_END = int(os.environ.get("IMPORT_MAX_DEADLINE_YEARS_AFTER_END", 10))
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Exports (exports app): an export of more rows than this runs as a background job that stores the
# file and sends a download link to the inbox; stored files are deleted after EXPORT_FILE_DAYS.
EXPORT_ASYNC_ROWS = int(os.environ.get("EXPORT_ASYNC_ROWS", 20_000))
EXPORT_FILE_DAYS = int(os.environ.get("EXPORT_FILE_DAYS", 7))

# The bulletin (督查通报) in the official-document layout (GB/T 9704). Offices license their own
# fonts, so the names are settings; Word falls back silently to another font when one is missing.
BULLETIN_ISSUING_OFFICE = os.environ.get("BULLETIN_ISSUING_OFFICE", "督查室")
BULLETIN_FONTS = {
    "title": os.environ.get("BULLETIN_FONT_TITLE", "方正小标宋简体"),  # 2号小标宋: title and masthead
    "body": os.environ.get("BULLETIN_FONT_BODY", "仿宋_GB2312"),  # 3号仿宋: body text
    "heading1": os.environ.get("BULLETIN_FONT_HEADING1", "黑体"),  # 一、 headings
    "heading2": os.environ.get("BULLETIN_FONT_HEADING2", "楷体_GB2312"),  # （一） headings
}

# django-import-export: a bad sheet writes nothing (rows with validation errors would otherwise commit).
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False

# Celery. Without REDIS_URL the broker is a folder on disk: it needs no server, so `make run`
# works on a fresh machine; production sets REDIS_URL.
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL or "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_IGNORE_RESULT = True
# With the broker down, give up publishing quickly: the outbox job sends what is left queued.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Content-Security-Policy (django-csp 4): pages load only what this app serves, and no inline
# script, style attribute or event handler runs; an injected <script> or onclick= is inert.
# Inline <script> needs the request's nonce (request.csp_nonce). Bootstrap's CSS draws its
# checkboxes, select arrows and the navbar toggler as data: SVG images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
