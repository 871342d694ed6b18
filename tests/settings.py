"""The settings the tests run with: the project's, in development mode as `make run` has it (DEBUG on, the Stripe
and Wix sandboxes on). Set in the environment before the project's settings read it (the sandbox switch decides
INSTALLED_APPS and the URLs), so that the servers the tests start (gunicorn in a subprocess) inherit it too;
STRIPE_SANDBOX=false in the environment still turns the sandbox off. The tests that check production's behaviour
build their own environment for a subprocess, or change one setting with pytest-django's `settings` fixture."""

import os

os.environ["DEBUG"] = "true"
os.environ.setdefault("STRIPE_SANDBOX", "true")
os.environ.setdefault("WIX_SANDBOX", "true")
# Listings are computed afresh unless a test turns the availability cache on (tests/test_slot_cache.py does, for
# every kind of change): the query counts the other tests assert are the engine's.
os.environ.setdefault("AVAILABILITY_CACHE", "false")

from bookingsite.settings import *  # noqa: E402, F403
