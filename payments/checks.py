"""System checks: no production (DEBUG off) with the Stripe sandbox on, and real keys that can work. With DEBUG off
the first two also stop the process at import (bookingsite/settings.py); here they cover development and settings
changed at run time. Messages name a
key by its mode and last four characters only."""

from django.conf import settings
from django.core.checks import Error, Warning, register

from . import stripe_api


@register("payments")
def stripe_settings(app_configs=None, **kwargs):
    problems = []
    key = settings.STRIPE_SECRET_KEY
    if stripe_api.sandbox_on() and not settings.DEBUG:
        problems.append(Error(
            "The Stripe sandbox is on while DEBUG is off: anyone could 'pay' on its test page.",
            hint="Unset STRIPE_SANDBOX; set STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET for payments "
                 "(docs/payments.md).",
            id="payments.E001",
        ))
    if key and not settings.STRIPE_WEBHOOK_SECRET:
        problems.append(Error(
            "STRIPE_SECRET_KEY is set but STRIPE_WEBHOOK_SECRET is not: webhooks could not be verified, so no "
            "payment would ever confirm a booking.",
            hint="Copy the endpoint's signing secret (whsec_…) from the Stripe dashboard.", id="payments.E002",
        ))
    if key and not key.startswith(("sk_test_", "sk_live_", "rk_test_", "rk_live_")):
        problems.append(Warning(
            f"STRIPE_SECRET_KEY ({stripe_api.describe_key(key)}) does not look like a Stripe secret or restricted "
            "key.", id="payments.W001",
        ))
    if not 31 <= settings.PAYMENTS_HOLD_MINUTES <= 24 * 60:
        problems.append(Error(
            "PAYMENTS_HOLD_MINUTES must be between 31 and 1440: the hold is the Checkout Session's life, which Stripe "
            "allows from 30 minutes to 24 hours.", id="payments.E003",
        ))
    if key.startswith(("sk_live_", "rk_live_")) and settings.DEBUG:
        problems.append(Warning("A live Stripe key is set while DEBUG is on.", id="payments.W002"))
    if settings.WIX_ORDERS_FOR_STRIPE_PAYMENTS and not (settings.BOOKINGS_BACKEND == "wix"
                                                        and settings.WIX_CHECKOUT == "stripe"):
        problems.append(Warning(
            "WIX_ORDERS_FOR_STRIPE_PAYMENTS is on but does nothing: it records the custom Stripe checkout's payments "
            "on Wix orders, which needs BOOKINGS_BACKEND=wix and WIX_CHECKOUT=stripe.", id="payments.W003"))
    return problems
