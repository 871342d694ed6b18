"""Settings fail closed. Production is what you get with nothing set; a production setting that would open a hole
stops the web process at import (gunicorn imports bookingsite.wsgi), and the README's production environment passes
`manage.py check --deploy` with no issue. Subprocesses, so that each run reads its own environment; they inherit
nothing from the test run's (which is development: tests/settings.py)."""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from bookingsite.sandboxes.stripe.models import SandboxObject
from tests.test_payments_helpers import fill_details, make_studio, submit_review

ROOT = Path(__file__).resolve().parent.parent
SECRETS = {
    "SECRET_KEY": lambda: secrets.token_urlsafe(50),
    "STRIPE_SECRET_KEY": lambda: "sk_live_" + secrets.token_hex(12),
    "STRIPE_WEBHOOK_SECRET": lambda: "whsec_" + secrets.token_hex(16),
}


def readme_production_environment() -> dict[str, str]:
    """The variables of the README's production block, with generated values for its <secret: …> placeholders."""
    text = (ROOT / "README.md").read_text()
    block = re.search(r"```sh\n# production environment[^\n]*\n(.*?)```", text, re.S)
    assert block, "README.md has no production environment block"
    env = {}
    for line in block.group(1).splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition("=")
            env[name] = SECRETS[name]() if value.startswith("<secret") else value
    assert set(SECRETS) <= set(env) and "DEBUG" not in env
    return env


def run(code_or_args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "DJANGO_SETTINGS_MODULE": "bookingsite.settings"}
    return subprocess.run([sys.executable, *code_or_args], cwd=ROOT, env={**base, **env}, capture_output=True,  # noqa: S603
                          text=True, timeout=120)


IMPORT_WSGI = ["-c", "import bookingsite.wsgi; from django.conf import settings; "
                     "print(settings.DEBUG, settings.SECURE_SSL_REDIRECT, settings.SECURE_PROXY_SSL_HEADER, "
                     "settings.CACHES['default']['BACKEND'])"]


def test_check_deploy_with_the_readmes_production_environment_finds_no_issue():
    result = run(["manage.py", "check", "--deploy"], readme_production_environment())
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced).", result.stdout + result.stderr


def test_the_web_process_starts_with_the_readmes_production_environment():
    result = run(IMPORT_WSGI, readme_production_environment())
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "('HTTP_X_FORWARDED_PROTO',", "'https')",
                                     "django.core.cache.backends.redis.RedisCache"]


@pytest.mark.parametrize(("change", "message"), [
    ({"STRIPE_WEBHOOK_SECRET": ""}, "STRIPE_SECRET_KEY is set without STRIPE_WEBHOOK_SECRET"),
    ({"STRIPE_SANDBOX": "true"}, "STRIPE_SANDBOX is on while DEBUG is off"),
    ({"SECRET_KEY": ""}, "Set SECRET_KEY when DEBUG is off"),
    ({"SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto"}, "SECURE_PROXY_SSL_HEADER must look like"),
])
def test_the_web_process_refuses_to_start_with_a_hole(change, message):
    result = run(IMPORT_WSGI, {**readme_production_environment(), **change})
    assert result.returncode != 0
    assert "django.core.exceptions.ImproperlyConfigured" in result.stderr and message in result.stderr


def test_nothing_set_is_production_and_refuses_to_start_without_a_secret_key():
    result = run(IMPORT_WSGI, {})
    assert result.returncode != 0 and "Set SECRET_KEY when DEBUG is off" in result.stderr
    result = run(IMPORT_WSGI, {"SECRET_KEY": secrets.token_urlsafe(50)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:3] == ["False", "True", "None"]  # DEBUG off, HTTPS required, no proxy trusted


def test_development_is_asked_for():
    result = run(IMPORT_WSGI, {"DEBUG": "true", "STRIPE_SANDBOX": "true"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:2] == ["True", "False"]


@pytest.mark.usefixtures("running_clock")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("trusted", "scheme"), [(True, "https"), (False, "http")])
def test_stripes_return_urls_are_https_behind_a_tls_proxy(client, live_server, settings, trusted, scheme):
    """The proxy says https in X-Forwarded-Proto; Django believes it only with SECURE_PROXY_SSL_HEADER set."""
    settings.STRIPE_API_BASE = live_server.url + "/_sandbox/stripe"
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if trusted else None
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "book.example.com"]
    studio = make_studio()
    fill_details(client, studio["massage"])
    # What the proxy passes on: the public host, and the scheme the customer used.
    proxied = {"Host": "book.example.com", "X-Forwarded-Proto": "https"}
    response = submit_review(client, studio["massage"], "stripe", **proxied)
    assert response.status_code == 302
    session = SandboxObject.objects.get(type="checkout.session").data
    site = f"{scheme}://book.example.com"
    assert session["success_url"] == f"{site}{reverse('payments:stripe_return')}?session_id={{CHECKOUT_SESSION_ID}}"
    assert session["cancel_url"].startswith(f"{site}/payments/bookings/")


@pytest.mark.parametrize(("prepared", "expected"), [
    ("", {"sslmode": "require", "connect_timeout": 5, "server_side_binding": True, "prepare_threshold": 2}),
    ("false", {"sslmode": "require", "connect_timeout": 5}),
])
def test_postgresql_prepares_repeated_queries_beside_the_urls_own_options(prepared, expected):
    env = {"DEBUG": "true", "DATABASE_URL": "postgres://bookings@db.internal:5432/bookings?sslmode=require&connect_timeout=5"}
    if prepared:
        env["DATABASE_PREPARED_STATEMENTS"] = prepared
    result = run(["-c", "import json; from django.conf import settings; "
                        "print(json.dumps(settings.DATABASES['default']['OPTIONS']))"], env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == expected
