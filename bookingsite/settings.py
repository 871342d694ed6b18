"""Settings for the booking site.

Everything that differs between a laptop and production comes from environment variables, with defaults that are
safe for development: SQLite in var/, DEBUG on, the local booking engine.
"""

import os
import sys
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
    "booking.backends.wix",
    "payments",
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
    "booking.backends.wix.auth.VisitorSessionMiddleware",
    "booking.middleware.BookingsErrorMiddleware",
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

# Emails to customers (booking/notifications.py). With EMAIL_HOST, mail goes out through that SMTP server; without
# it, development prints mail on the console (the manage links are there to click) and production hands it to a mail
# server on localhost:25. Tests collect mail in memory. Never log EMAIL_PASSWORD.
if os.environ.get("EMAIL_HOST") or not DEBUG:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": {
        "host": os.environ.get("EMAIL_HOST", "localhost"),
        "port": int(os.environ.get("EMAIL_PORT", "25")),
        "username": os.environ.get("EMAIL_USER", ""),
        "password": os.environ.get("EMAIL_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", False),
        "timeout": 10,  # seconds: emails go out during the request that changed the booking
    }}}
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "bookings@localhost")
# The site's public address, for the absolute links in emails (which are not sent from a request).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# The wix backend (BOOKINGS_BACKEND=wix; README "Running on a Wix site"). Never log WIX_API_KEY or visitor tokens.
# WIX_SANDBOX serves a Wix stand-in under /_sandbox/wix/ backed by the local engine (development and tests only);
# the test suite turns it on, as pytest-django reads these settings before any conftest could.
WIX_SANDBOX = env_bool("WIX_SANDBOX", "pytest" in sys.modules)
if WIX_SANDBOX and not DEBUG:
    raise ImproperlyConfigured("WIX_SANDBOX is for development: turn it off when DEBUG is off.")
if WIX_SANDBOX:
    INSTALLED_APPS.append("bookingsite.sandboxes.wix")
_WIX_SANDBOX_DEFAULTS = {"WIX_CLIENT_ID": "sandbox-client-id", "WIX_API_KEY": "sandbox-api-key-0000000000000000",
                         "WIX_SITE_ID": "00000000-0000-4000-8000-00000000517e"}
WIX_CLIENT_ID = os.environ.get("WIX_CLIENT_ID", _WIX_SANDBOX_DEFAULTS["WIX_CLIENT_ID"] if WIX_SANDBOX else "")
WIX_API_KEY = os.environ.get("WIX_API_KEY", _WIX_SANDBOX_DEFAULTS["WIX_API_KEY"] if WIX_SANDBOX else "")
WIX_SITE_ID = os.environ.get("WIX_SITE_ID", _WIX_SANDBOX_DEFAULTS["WIX_SITE_ID"] if WIX_SANDBOX else "")
WIX_API_BASE = os.environ.get(
    "WIX_API_BASE", SITE_URL.rstrip("/") + "/_sandbox/wix" if WIX_SANDBOX else "https://www.wixapis.com")
WIX_TIMEOUT_SECONDS = float(os.environ.get("WIX_TIMEOUT_SECONDS", "10"))  # read timeout; connecting gets 3 s
WIX_RETRIES = int(os.environ.get("WIX_RETRIES", "2"))  # extra tries of a read on 429/5xx/network errors
WIX_RETRY_BACKOFF_SECONDS = float(os.environ.get("WIX_RETRY_BACKOFF_SECONDS", "0.2"))  # doubled per try
WIX_CATALOG_CACHE_SECONDS = int(os.environ.get("WIX_CATALOG_CACHE_SECONDS", "60"))  # services, forms, business
WIX_SANDBOX_TOKEN_SECONDS = int(os.environ.get("WIX_SANDBOX_TOKEN_SECONDS", "14400"))  # Wix's 4 h; short in tests

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
    # urllib3 logs request paths at DEBUG, and a Wix anonymous-booking path holds the customer's token.
    "loggers": {"django.db.backends": {"level": "INFO"}, "urllib3": {"level": "INFO"}},
}
