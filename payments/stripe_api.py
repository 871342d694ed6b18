"""Every call to Stripe goes through this module: the client, the pinned API version, amounts in minor units, and
Stripe's errors turned into one `PaymentError`.

With STRIPE_SANDBOX on and no STRIPE_SECRET_KEY (development and tests, never because a key is missing), the client
talks to the Stripe sandbox the site serves under `/_sandbox/stripe` (bookingsite/sandboxes/stripe/, which this
module does not import), through stripe-python's base-address setting, so the code path is the production one. With
neither, online payment is off (`available()`). The secret key is never logged or shown: `describe_key()` gives its
mode and last four characters.
"""

import json
import logging
from decimal import Decimal

import stripe
from django.conf import settings
from django.http import HttpRequest
from stripe._api_version import _ApiVersion

from booking.errors import BookingsError
from booking.port import Money

logger = logging.getLogger(__name__)

# The API version stripe-python 16 is generated for; pinning the library (<17) pins the version we speak.
API_VERSION = _ApiVersion.CURRENT
SANDBOX_PREFIX = "/_sandbox/stripe"
# Dev-only values: they let the sandbox authenticate calls and sign webhooks. Not secrets, and useless against Stripe.
SANDBOX_API_KEY = "sk_test_sandbox_dev_only"  # noqa: S105
SANDBOX_WEBHOOK_SECRET = "whsec_sandbox_dev_only_not_a_secret"  # noqa: S105
TIMEOUT_SECONDS = 20

# Stripe's currencies without minor units, and the three-decimal ones (https://docs.stripe.com/currencies).
ZERO_DECIMAL = frozenset({"BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV",
                          "XAF", "XOF", "XPF"})
THREE_DECIMAL = frozenset({"BHD", "JOD", "KWD", "OMR", "TND"})


class PaymentError(BookingsError):
    """Stripe could not be reached or refused the call. The customer may try again."""

    http_status = 503
    code = "PAYMENT_PROVIDER_UNAVAILABLE"
    default_message = "Online payment is not available right now. Please try again in a minute."


class PaymentNotFound(PaymentError):
    http_status = 404
    code = "PAYMENT_NOT_FOUND"
    default_message = "We could not find that payment."


class WebhookSecretMissing(Exception):
    """STRIPE_WEBHOOK_SECRET is empty: no event can be verified, so every event is refused."""


def sandbox_on() -> bool:
    """Asked for (STRIPE_SANDBOX) and no real key: the site serves and uses its own sandbox. Never because a key is
    missing: a production deploy that forgets its key has no online payment, not a page that 'pays' for free."""
    return settings.STRIPE_SANDBOX and not settings.STRIPE_SECRET_KEY


def available() -> bool:
    """Whether online payment can be offered at all: a real key, or the sandbox."""
    return bool(settings.STRIPE_SECRET_KEY) or sandbox_on()


def describe_key(key: str | None = None) -> str:
    """The key as it may appear in a log line or a page: `sk_test_…1234`."""
    key = settings.STRIPE_SECRET_KEY if key is None else key
    if not key:
        return "sandbox"
    prefix = "_".join(key.split("_")[:2]) if key.count("_") >= 2 else "key"
    return f"{prefix}_…{key[-4:]}"


def webhook_secret() -> str:
    return settings.STRIPE_WEBHOOK_SECRET or (SANDBOX_WEBHOOK_SECRET if sandbox_on() else "")


def api_base(request: HttpRequest | None = None) -> str:
    """Where the Stripe API is: STRIPE_API_BASE when set, this site's sandbox when it is on (found from the request,
    as the browser reached us), else Stripe itself."""
    if settings.STRIPE_API_BASE:
        return settings.STRIPE_API_BASE.rstrip("/")
    if not sandbox_on():
        return stripe.DEFAULT_API_BASE
    if request is None:
        raise PaymentError("The Stripe sandbox's address is not known here; set STRIPE_API_BASE.")
    return request.build_absolute_uri(SANDBOX_PREFIX)


def client(base: str) -> stripe.StripeClient:
    return stripe.StripeClient(
        SANDBOX_API_KEY if sandbox_on() else settings.STRIPE_SECRET_KEY,
        stripe_version=API_VERSION,
        base_addresses={"api": base},
        # Every POST carries an idempotency key, so retrying a lost connection cannot charge or refund twice.
        max_network_retries=2,
        http_client=stripe.RequestsClient(timeout=TIMEOUT_SECONDS),
    )


# ---- amounts -----------------------------------------------------------------------------------------------------


def exponent(currency: str) -> int:
    currency = currency.upper()
    return 0 if currency in ZERO_DECIMAL else 3 if currency in THREE_DECIMAL else 2


def to_minor_units(money: Money) -> int:
    """$110.00 → 11000. Refuses an amount the currency cannot express, rather than rounding someone's money."""
    scaled = Decimal(money.value).scaleb(exponent(money.currency))
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{money.value} {money.currency} has more decimals than the currency allows.")
    return int(scaled)


def from_minor_units(amount: int, currency: str) -> Decimal:
    return Decimal(int(amount)).scaleb(-exponent(currency)).quantize(Decimal("0.01"))


# ---- calls -------------------------------------------------------------------------------------------------------


def _call(what: str, function, *args, **kwargs) -> dict:
    try:
        return function(*args, **kwargs).to_dict()
    except stripe.InvalidRequestError as error:
        logger.warning("Stripe refused to %s: %s (%s)", what, error.user_message, error.code)
        if error.http_status == 404:
            raise PaymentNotFound() from error
        raise PaymentError() from error
    except stripe.StripeError as error:
        logger.warning("Stripe call failed (%s): %s %s", what, type(error).__name__, error.user_message or "")
        raise PaymentError() from error


def create_checkout_session(base: str, params: dict, *, idempotency_key: str) -> dict:
    sessions = client(base).v1.checkout.sessions
    return _call("create a checkout session", sessions.create, params, options={"idempotency_key": idempotency_key})


def retrieve_checkout_session(base: str, session_id: str) -> dict:
    return _call("read a checkout session", client(base).v1.checkout.sessions.retrieve, session_id)


def expire_checkout_session(base: str, session_id: str) -> dict:
    return _call("expire a checkout session", client(base).v1.checkout.sessions.expire, session_id)


def create_refund(base: str, params: dict, *, idempotency_key: str) -> dict:
    refunds = client(base).v1.refunds
    return _call("refund a payment", refunds.create, params, options={"idempotency_key": idempotency_key})


def verified_event(payload: bytes, signature: str | None) -> dict:
    """The event in a webhook body, once its Stripe-Signature (HMAC of the raw body, recent timestamp) checks out.
    Raises WebhookSecretMissing (never an HMAC with an empty key), stripe.SignatureVerificationError or ValueError."""
    secret = webhook_secret()
    if not secret:
        raise WebhookSecretMissing()
    stripe.WebhookSignature.verify_header(payload, signature, secret, stripe.Webhook.DEFAULT_TOLERANCE)
    event = json.loads(payload)
    if not isinstance(event, dict) or event.get("object") != "event":
        raise ValueError("The body is not a Stripe event.")
    return event
