"""The settings the tests run with: the site's own, with the Stripe sandbox on, as `make run` has it. The switch is
an environment variable that settings.py reads when it is imported (it decides INSTALLED_APPS and the URLs), so it is
set here, before that import; STRIPE_SANDBOX=false in the environment still turns it off."""

import os

os.environ.setdefault("STRIPE_SANDBOX", "true")

from bookingsite.settings import *  # noqa: E402, F403
