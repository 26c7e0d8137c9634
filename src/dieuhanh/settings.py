"""Django settings, read from the environment (see docs/operate.md).

`DATABASE_URL` (default: SQLite in the data directory), `DIEUHANH_DATA_DIR` (default `./var`),
`DIEUHANH_SECRET_KEY`, `DIEUHANH_DEBUG`, `DIEUHANH_ALLOWED_HOSTS`, `DIEUHANH_MQTT_URL`,
`DIEUHANH_MQTT_CA_FILE`.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("DIEUHANH_DATA_DIR", "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on", "có"}


def _secret_key() -> str:
    """The secret key from the environment, else one generated once and kept in the data directory."""
    key = os.environ.get("DIEUHANH_SECRET_KEY")
    if key:
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()
DEBUG = _env_bool("DIEUHANH_DEBUG", False)
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("DIEUHANH_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("DIEUHANH_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "dieuhanh.core",
    "dieuhanh.orgunits",
    "dieuhanh.accounts",
    "dieuhanh.audit",
    "dieuhanh.registry",
    "dieuhanh.steering",
    "dieuhanh.ingest",
    "dieuhanh.indicators",
    "dieuhanh.environment",
    "dieuhanh.reporting",
    "dieuhanh.dashboards",
    "dieuhanh.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "dieuhanh.core.middleware.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "dieuhanh.urls"
WSGI_APPLICATION = "dieuhanh.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'dieuhanh.sqlite3'}",
        conn_max_age=int(os.environ.get("DIEUHANH_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        }
    )
    DATABASES["default"].setdefault("TEST", {})["NAME"] = ""  # in-memory for tests

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = True


def _plotly_dir() -> Path:
    """plotly.js as shipped inside the pinned `plotly` package: served as our own static file."""
    import plotly

    return Path(plotly.__file__).parent / "package_data"


STATICFILES_DIRS = [("vendor/plotly", _plotly_dir())]
MEDIA_ROOT = DATA_DIR / "media"
LAKE_DIR = DATA_DIR / "lake"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Production is served over TLS (secure cookies, HSTS, HTTPS redirect). Plain HTTP on a trusted
# loopback (the demo, tests) is an explicit opt-out: DIEUHANH_HTTPS=0.
_HTTPS = _env_bool("DIEUHANH_HTTPS", True)
SESSION_COOKIE_SECURE = _HTTPS
CSRF_COOKIE_SECURE = _HTTPS
SECURE_SSL_REDIRECT = _HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if _HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = _HTTPS
SECURE_HSTS_PRELOAD = _HTTPS
if _HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SILENCED_SYSTEM_CHECKS: list[str] = (
    [] if _HTTPS else ["security.W004", "security.W008", "security.W012", "security.W016", "security.W021"]
)

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

MQTT_URL = os.environ.get("DIEUHANH_MQTT_URL", "mqtt://127.0.0.1:1883")
# For mqtts:// with a certificate of the province's own authority (empty: the system's trust store).
MQTT_CA_FILE = os.environ.get("DIEUHANH_MQTT_CA_FILE", "")

EMAIL_BACKEND = os.environ.get("DIEUHANH_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DIEUHANH_FROM_EMAIL", "dieuhanh@localhost")
# Who receives every environment alert, besides each threshold's own recipients (comma-separated).
ENVIRONMENT_ALERT_EMAILS = os.environ.get("DIEUHANH_ALERT_EMAILS", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DIEUHANH_LOG_LEVEL", "WARNING")},
}
