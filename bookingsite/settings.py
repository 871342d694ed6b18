"""Settings for the booking site.

Everything that differs between a laptop and production comes from environment variables. The defaults fail
closed: DEBUG off, no Stripe sandbox, HTTPS required; `make run`, the tests and CI ask for development with
DEBUG=true and STRIPE_SANDBOX=true. A production setting that would open a hole stops the process here, at import,
so that gunicorn refuses to start as `manage.py check` would (README, "Production").
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


DEBUG = env_bool("DEBUG", False)

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
                "booking.context_processors.enums",
            ],
        },
    },
]

WSGI_APPLICATION = "bookingsite.wsgi.application"

# SQLite by default, in a file under the project; PostgreSQL (or anything else) through DATABASE_URL.
# In production each worker keeps its connection (CONN_MAX_AGE seconds, checked before reuse): opening one per request
# cost the slot page about two thirds of its throughput on PostgreSQL (docs/performance.md). Development keeps 0.
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0" if DEBUG else "60")),
        conn_health_checks=True,
    )
}
if (DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
        and env_bool("DATABASE_PREPARED_STATEMENTS", True)):
    # Parameters bound by the server, and a query a connection has run twice kept prepared: planning the booking
    # pages' joins took about as long as running them (docs/performance.md). Behind a pooler in transaction mode
    # that does not carry prepared statements (PgBouncer before 1.21, or without max_prepared_statements), set
    # DATABASE_PREPARED_STATEMENTS=false. Added to the options DATABASE_URL gives (sslmode and the like).
    DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=2)
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

SESSION_ENGINE = "bookingsite.sessions"  # Django's database sessions, read with one plain statement
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
# HTTPS in production. Behind a TLS proxy, SECURE_PROXY_SSL_HEADER (such as "HTTP_X_FORWARDED_PROTO,https") tells
# Django a request came in over https, which is what makes request.build_absolute_uri(), and so Stripe's return
# URLs, https. Set it only when the proxy overwrites that header: a client could send it otherwise.
if os.environ.get("SECURE_PROXY_SSL_HEADER"):
    header, _, value = os.environ["SECURE_PROXY_SSL_HEADER"].partition(",")
    if not header.strip().startswith("HTTP_") or not value.strip():
        raise ImproperlyConfigured("SECURE_PROXY_SSL_HEADER must look like HTTP_X_FORWARDED_PROTO,https.")
    SECURE_PROXY_SSL_HEADER = (header.strip(), value.strip())
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# HSTS is opt-in by number of seconds (browsers remember it; start small), then covers subdomains unless told not.
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Payments (docs/payments.md). Never log these values.
# STRIPE_SANDBOX=true (make run, the tests and CI set it) serves the site's own Stripe sandbox under /_sandbox/stripe/
# and points the Stripe client at it. It is on only when asked for, never because a key is missing; only then is its
# app (bookingsite/sandboxes/stripe/) installed, routed and migrated. With DEBUG off the process refuses to start with
# it on. With neither the sandbox nor STRIPE_SECRET_KEY, online payment is not offered.
STRIPE_SANDBOX = env_bool("STRIPE_SANDBOX", False)
if STRIPE_SANDBOX:
    INSTALLED_APPS.append("bookingsite.sandboxes.stripe")
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

# Abuse limits (docs/decisions.md, "Abuse limits"): counted in the cache, per client address and per session, over
# a window. Redis when REDIS_URL is set, so that every worker process shares the counts; otherwise local memory,
# which counts per process (right for `make run` and one-process deployments; with N workers a limit is up to N
# times looser).
if os.environ.get("REDIS_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": os.environ["REDIS_URL"], "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "")}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Appointment listings cached under the calendar version (booking/backends/local/slot_cache.py): on unless
# AVAILABILITY_CACHE=false. Never stale: every change that can alter availability moves the version on.
AVAILABILITY_CACHE = env_bool("AVAILABILITY_CACHE", True)
# A count that cannot be read or written (Redis down) refuses the request: the limits fail closed.
RATELIMIT_FAIL_OPEN = False
# The client's address is the connection's (REMOTE_ADDR). Behind a proxy every request comes from the proxy, so
# name the header it sets to the client's address, as a request.META key (HTTP_X_REAL_IP for nginx's
# `proxy_set_header X-Real-IP $remote_addr`). Only a header the proxy overwrites: a client can send any header.
CLIENT_IP_HEADER = os.environ.get("CLIENT_IP_HEADER", "")
if CLIENT_IP_HEADER and not CLIENT_IP_HEADER.startswith("HTTP_"):
    raise ImproperlyConfigured("CLIENT_IP_HEADER is a request.META key, such as HTTP_X_REAL_IP.")
LIMITS = {
    # Booking and payment POSTs (review, package review, pay again, cancel, reschedule): "count/period".
    "booking_posts_per_session": os.environ.get("LIMIT_BOOKING_POSTS_PER_SESSION", "10/h"),
    "booking_posts_per_ip": os.environ.get("LIMIT_BOOKING_POSTS_PER_IP", "30/h"),
    # Time held for a checkout at once (bookings waiting for their online payment).
    "live_holds_per_session": int(os.environ.get("LIMIT_LIVE_HOLDS_PER_SESSION", "3")),
    "live_holds_per_ip": int(os.environ.get("LIMIT_LIVE_HOLDS_PER_IP", "10")),
    # Free and pay-in-person bookings (each sends mail to the address given) per email address.
    "bookings_per_email": os.environ.get("LIMIT_BOOKINGS_PER_EMAIL", "5/d"),
    # Admin sign-in attempts.
    "admin_logins_per_ip": os.environ.get("LIMIT_ADMIN_LOGINS_PER_IP", "20/h"),
    "admin_logins_per_username": os.environ.get("LIMIT_ADMIN_LOGINS_PER_USERNAME", "10/h"),
}

# The wix backend (BOOKINGS_BACKEND=wix; README "Running on a Wix site"). Never log WIX_API_KEY or visitor tokens.
# WIX_SANDBOX serves a Wix stand-in under /_sandbox/wix/ backed by the local engine (development and tests only);
# make run, the tests (tests/settings.py) and CI turn it on.
WIX_SANDBOX = env_bool("WIX_SANDBOX", False)
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
# How a wix-mode site takes online payments (docs/payments.md): "wix_ecom", the Wix site's own checkout, or
# "stripe", this site's custom Stripe checkout. WIX_CHECKOUT_ORIGIN is the Wix checkout's origin (https://...),
# which the Content Security Policy must let the review page's form go to; the sandbox's is this site.
WIX_CHECKOUT = os.environ.get("WIX_CHECKOUT", "wix_ecom")
if WIX_CHECKOUT not in ("wix_ecom", "stripe"):
    raise ImproperlyConfigured("WIX_CHECKOUT is 'wix_ecom' (the Wix site's checkout) or 'stripe'.")
WIX_CHECKOUT_ORIGIN = os.environ.get("WIX_CHECKOUT_ORIGIN", "")
# With WIX_CHECKOUT=stripe: make each booking paid with Stripe an order on the Wix site too (Create Checkout and
# Create Order before the payment, Add Payments after it; Wix then confirms the booking with its order).
WIX_ORDERS_FOR_STRIPE_PAYMENTS = env_bool("WIX_ORDERS_FOR_STRIPE_PAYMENTS", False)
WIX_SANDBOX_TOKEN_SECONDS = int(os.environ.get("WIX_SANDBOX_TOKEN_SECONDS", "14400"))  # Wix's 4 h; short in tests

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
    "form-action": [CSP.SELF, *(["https://checkout.stripe.com"] if STRIPE_SECRET_KEY else []),
                    *([WIX_CHECKOUT_ORIGIN] if WIX_CHECKOUT_ORIGIN else [])],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Django logs request paths (4xx and 5xx, runserver's every request); a manage link's path holds its token.
    "filters": {"redact_tokens": {"()": "bookingsite.log_redaction.RedactTokens"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact_tokens"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # urllib3 logs request paths at DEBUG, and a Wix anonymous-booking path holds the customer's token.
    "loggers": {"django.db.backends": {"level": "INFO"}, "urllib3": {"level": "INFO"}},
}


# ---- refuse to start with a production setting that opens a hole ------------------------------------------------
# The system checks say the same, but only `check` and `runserver` run them; gunicorn imports this module.
if not DEBUG:
    if STRIPE_SANDBOX:
        raise ImproperlyConfigured(
            "STRIPE_SANDBOX is on while DEBUG is off: anyone could 'pay' on the sandbox's page. Unset STRIPE_SANDBOX.")
    if STRIPE_SECRET_KEY and not STRIPE_WEBHOOK_SECRET:
        raise ImproperlyConfigured(
            "STRIPE_SECRET_KEY is set without STRIPE_WEBHOOK_SECRET: no payment could be verified. Set both.")
