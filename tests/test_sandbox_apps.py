"""The development sandboxes are apps of their own, installed, routed and migrated only when their setting is on.
Settings decide INSTALLED_APPS and the URLs when they are imported, so each case runs Django in a fresh process."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json
import django
from django.apps import apps
from django.db.migrations.loader import MigrationLoader
from django.urls import Resolver404, resolve

django.setup()
try:
    routed = resolve("/_sandbox/stripe/v1/refunds").view_name
except Resolver404:
    routed = None
migrations = sorted(f"{app}.{name}" for app, name in MigrationLoader(None).graph.nodes if app == "stripe_sandbox")
print(json.dumps({"installed": apps.is_installed("bookingsite.sandboxes.stripe"), "routed": routed,
                  "migrations": migrations}))
"""


def probe(**env) -> dict:
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "bookingsite.settings", **env}
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=environment, capture_output=True,  # noqa: S603
                            text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("value", ["", "false"])
def test_without_the_setting_the_stripe_sandbox_is_not_installed_routed_or_migrated(value):
    # A missing key does not turn it on either: STRIPE_SECRET_KEY is empty here.
    found = probe(STRIPE_SANDBOX=value, STRIPE_SECRET_KEY="")
    assert found == {"installed": False, "routed": None, "migrations": []}


def test_with_the_setting_the_stripe_sandbox_is_an_app_of_its_own():
    found = probe(STRIPE_SANDBOX="true")
    assert found == {"installed": True, "routed": "stripe_sandbox:refunds",
                     "migrations": ["stripe_sandbox.0001_initial"]}
