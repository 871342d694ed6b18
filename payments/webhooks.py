"""Stripe's webhook: the signature is checked on the raw body, each event id is stored with a unique constraint once
its effect is done (so a repeat does nothing), and the handlers are idempotent and tolerate any order of arrival.

Answers: 403 for every event while STRIPE_WEBHOOK_SECRET is empty (nothing can be verified); 400 for a
missing or bad signature or a body that is not an event; 200 for events handled, repeated or
not ours to handle (Stripe stops retrying); 409 when the booking is busy or in a state we cannot settle yet, which
makes Stripe retry later.
"""

import logging

import stripe
from django.db import IntegrityError, transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from booking.errors import BookingsError

from . import refunds, stripe_api, stripe_checkout
from .models import StripeEvent

logger = logging.getLogger(__name__)


HANDLERS = {
    "checkout.session.completed": stripe_checkout.fulfil_session,
    "checkout.session.async_payment_succeeded": stripe_checkout.fulfil_session,
    "checkout.session.async_payment_failed": lambda session: stripe_checkout.end_session(session, status="failed"),
    "checkout.session.expired": lambda session: stripe_checkout.end_session(session, status="expired"),
    "charge.refunded": refunds.refund_confirmed,
}


def _answer(message: str, status: int = 200) -> JsonResponse:
    return JsonResponse({"received": status < 300, "detail": message}, status=status)


@csrf_exempt  # Stripe cannot send a CSRF token; the signature stands in for it.
@require_POST
def stripe_webhook(request: HttpRequest) -> JsonResponse:
    try:
        event = stripe_api.verified_event(request.body, request.headers.get("Stripe-Signature"))
    except stripe_api.WebhookSecretMissing:
        logger.error("Refused a Stripe webhook: STRIPE_WEBHOOK_SECRET is not set, so no event can be verified.")
        return _answer("Webhooks are not configured on this site.", 403)
    except stripe.SignatureVerificationError as error:
        logger.warning("Rejected a Stripe webhook: %s", str(error).split(":")[0][:120])
        return _answer("Invalid Stripe-Signature.", 400)
    except (ValueError, UnicodeDecodeError):
        return _answer("The body is not a Stripe event.", 400)
    event_id, kind = event.get("id"), event.get("type")
    obj = (event.get("data") or {}).get("object")
    if not isinstance(event_id, str) or not isinstance(kind, str) or not isinstance(obj, dict):
        return _answer("The body is not a Stripe event.", 400)
    if StripeEvent.objects.filter(event_id=event_id).exists():
        return _answer("Already processed.")

    handler = HANDLERS.get(kind)
    detail = "not an event type we handle"
    if handler is not None:
        # Outside any transaction: the handlers call the bookings port, a remote Wix site or, on SQLite, the Wix
        # sandbox that needs the database's write lock. Each handler is idempotent on its own (a paid checkout is
        # claimed before it is settled), so a repeat delivered meanwhile changes nothing more.
        try:
            detail = handler(obj)
        except BookingsError as error:
            # Nothing was recorded: Stripe retries, by which time the booking may be free to change.
            logger.warning("Stripe event %s (%s) not processed yet: %s", event_id, kind, error.message)
            return _answer(f"Not processed yet: {error.message}", 409)
    try:
        with transaction.atomic():
            record = StripeEvent.objects.create(
                event_id=event_id[:255], type=kind[:100], object_id=str(obj.get("id", ""))[:255],
                livemode=bool(event.get("livemode")),
                outcome=StripeEvent.Outcome.PROCESSED if handler else StripeEvent.Outcome.IGNORED, detail=detail[:300])
    except IntegrityError:
        return _answer("Already processed.")
    if handler is None:
        return _answer("Ignored.")
    logger.info("Stripe event %s (%s): %s", event_id, kind, record.detail)
    return _answer(record.detail)
