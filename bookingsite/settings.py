"""Settings for the booking site.

Everything that differs between a laptop and production comes from environment variables, with defaults that are
safe for development: SQLite in var/, DEBUG on, the local booking engine.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

# A development key is only acceptable while DEBUG is on; production must bring its own.
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-change-me-0123456789abcdefghijklmnopqrstuvwxyz"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

# Which implementation of the bookings port the pages talk to: "local" (embedded engine) or "wix".
BOOKINGS_BACKEND = os.environ.get("BOOKINGS_BACKEND", "local")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "booking",
    "payments",
    "django_tasks_db",
    "notifications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "booking.backends.request_cache.RequestCacheMiddleware",
]

ROOT_URLCONF = "bookingsite.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "booking.context_processors.business",
            ],
        },
    },
]

WSGI_APPLICATION = "bookingsite.wsgi.application"

# SQLite by default, in a file under the project; PostgreSQL (or anything else) through DATABASE_URL.
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE makes every transaction take the write lock up front, so "check, then write" inside atomic()
    # is serialised; WAL lets readers go on meanwhile. The test database is a file too, so that threads share it.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # TEST_SQLITE_NAME lets two test runs share a checkout without sharing a database file.
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("TEST_SQLITE_NAME", str(VAR_DIR / "test.sqlite3"))}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
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

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Payments (docs/payments.md). Without STRIPE_SECRET_KEY the site serves its own Stripe sandbox under /_sandbox/stripe/
# (development and tests only: a system check refuses it with DEBUG off). Never log these values.
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "")  # empty: Stripe itself, or the sandbox on this site
PAYMENTS_HOLD_MINUTES = int(os.environ.get("PAYMENTS_HOLD_MINUTES", "31"))  # Stripe's sessions live 30 min at least
PAYMENTS_REFUND_LATE_PAYMENTS = env_bool("PAYMENTS_REFUND_LATE_PAYMENTS", False)
PAYMENTS_CUSTOMER_REFUND_HOURS = int(os.environ.get("PAYMENTS_CUSTOMER_REFUND_HOURS", "24"))  # -1: never

# Emails to customers and the business (notifications/, sent by the worker). With EMAIL_HOST, mail goes out through
# that SMTP server; without it, development prints mail on the console (the manage links are there to click) and
# production hands it to a mail server on localhost:25. Tests collect mail in memory. Never log EMAIL_PASSWORD.
if os.environ.get("EMAIL_HOST") or not DEBUG:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": {
        "host": os.environ.get("EMAIL_HOST", "localhost"),
        "port": int(os.environ.get("EMAIL_PORT", "25")),
        "username": os.environ.get("EMAIL_USER", ""),
        "password": os.environ.get("EMAIL_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", False),
        "timeout": 10,  # seconds; the worker sends mail, never a request
    }}}
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "bookings@localhost")
# The site's public address, for the absolute links in emails (which are not sent from a request).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# ---- Background work and notifications (notifications/; docs/architecture.md "Background work") ----------------
# The task queue lives in the database (django-tasks-db); `manage.py run_worker` works it and drives the scheduled
# jobs. Emails go to the outbox and are sent by the worker, retried NOTIFY_MAX_ATTEMPTS times with a backoff that
# starts at NOTIFY_RETRY_SECONDS and doubles (at most an hour).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "emails"]}}
NOTIFY_MAX_ATTEMPTS = int(os.environ.get("NOTIFY_MAX_ATTEMPTS", "8"))
NOTIFY_RETRY_SECONDS = int(os.environ.get("NOTIFY_RETRY_SECONDS", "60"))
NOTIFY_SENDING_TIMEOUT_SECONDS = 600  # a row claimed this long ago and not finished: its worker died mid-send
NOTIFY_TICK_SECONDS = int(os.environ.get("NOTIFY_TICK_SECONDS", "60"))  # how often the scheduled jobs are looked at
NOTIFY_REMINDER_HOURS = int(os.environ.get("NOTIFY_REMINDER_HOURS", "24"))  # a reminder this long before a booking
NOTIFY_PENDING_NOTICE_HOURS = 48  # the seeds' notice for a booking still waiting for approval
# What the business is told, by email to its address (any of: new, pending, double_booked, canceled).
NOTIFY_BUSINESS = env_list("NOTIFY_BUSINESS", "new,pending,double_booked,canceled")
# ---- end of background work and notifications ------------------------------------------------------------------

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    # Leaving for Stripe's hosted checkout is a form POST answered by a redirect; in sandbox mode it is this site.
    "form-action": [CSP.SELF, "https://checkout.stripe.com"] if STRIPE_SECRET_KEY else [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
