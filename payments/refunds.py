"""Refunds of Stripe payments (and, in wix mode, of what Wix took for a booking's order: payments/wix_orders.py).

A paid booking that is canceled with `withRefund` (staff), or by its customer at least PAYMENTS_CUSTOMER_REFUND_HOURS
before it starts, or declined by the business (a paid request that needed approval), has its payment refunded. The
refund is asked for by the worker (payments.tasks) after the change has committed, once per checkout (one
StripeRefund row, and an idempotency key made from the session), and the booking's payment status becomes REFUNDED
only when Stripe confirms it with `charge.refunded`.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from booking.backends import get_backend
from booking.port import PaymentStatus

from . import stripe_api, wix_orders
from .models import StripeCheckout, StripeRefund, WixOrderPayment

logger = logging.getLogger(__name__)

DUPLICATE = "duplicate"


def request_refund(checkout: StripeCheckout, *, reason: str) -> StripeRefund:
    """Record that the checkout's payment is to be refunded, and have the worker ask Stripe once the transaction
    commits. Asking again for the same checkout sends nothing more (unless the first request failed)."""
    refund, created = StripeRefund.objects.get_or_create(
        checkout=checkout,
        defaults={"booking_id": checkout.booking_id, "amount": checkout.amount, "currency": checkout.currency,
                  "reason": reason[:300]},
    )
    if created or refund.status == StripeRefund.Status.FAILED:
        from .tasks import send_refund as task

        transaction.on_commit(lambda: task.enqueue(refund.pk))
    return refund


def send_refund(refund_pk: int) -> StripeRefund:
    """Ask Stripe for the refund (in the worker, outside any transaction; the idempotency key makes a second
    ask for the same checkout return the first refund). A failure is kept on the row for staff to retry."""
    refund = StripeRefund.objects.select_related("checkout").get(pk=refund_pk)
    if refund.status in {StripeRefund.Status.PENDING, StripeRefund.Status.SUCCEEDED}:
        return refund
    checkout = refund.checkout
    params = {
        "payment_intent": checkout.payment_intent,
        "reason": "duplicate" if refund.reason == DUPLICATE else "requested_by_customer",
        "metadata": {"booking_id": checkout.booking_id, "why": refund.reason},
    }
    try:
        if not checkout.payment_intent:
            raise stripe_api.PaymentError("Stripe did not tell us which payment to refund.")
        result = stripe_api.create_refund(checkout.api_base, params, idempotency_key=refund.idempotency_key)
    except stripe_api.PaymentError as error:
        StripeRefund.objects.filter(pk=refund.pk).exclude(status=StripeRefund.Status.SUCCEEDED).update(
            status=StripeRefund.Status.FAILED, error=error.message[:300])
        logger.error("Refund for booking %s failed: %s", checkout.booking_id, error.message)
        return StripeRefund.objects.get(pk=refund.pk)
    status = {"succeeded": StripeRefund.Status.SUCCEEDED, "failed": StripeRefund.Status.FAILED,
              "canceled": StripeRefund.Status.FAILED}.get(result.get("status"), StripeRefund.Status.PENDING)
    StripeRefund.objects.filter(pk=refund.pk).update(refund_id=result["id"], error="")
    # charge.refunded may have arrived while we waited for the answer; a succeeded refund stays succeeded.
    StripeRefund.objects.filter(pk=refund.pk).exclude(status=StripeRefund.Status.SUCCEEDED).update(status=status)
    logger.info("Refund %s asked for booking %s (%s)", result["id"], checkout.booking_id, result.get("status"))
    return StripeRefund.objects.get(pk=refund.pk)


# ---- when a booking is canceled ----------------------------------------------------------------------------------


def on_booking_event(sender, *, event: str, booking_id: str, initiated_by: str = "system", with_refund: bool = False,
                     **kwargs) -> None:
    """booking.events.booking_event receiver. Runs after the cancel (or decline) committed; a failure here must not
    undo it or break the page that made it, so it is logged (and the StripeRefund row shows it to staff)."""
    if event not in {"canceled", "declined"}:
        return
    try:
        refund_if_due(booking_id, event=event, initiated_by=initiated_by, with_refund=with_refund)
    except Exception:
        logger.exception("Could not refund canceled booking %s", booking_id)


def refund_if_due(booking_id: str, *, event: str, initiated_by: str, with_refund: bool) -> StripeRefund | None:
    """Refund what was paid for the booking, when the change earns it: our Stripe payment through Stripe, and what
    Wix took for the booking's Wix order through Order Billing (in the worker, payments.tasks)."""
    checkout = StripeCheckout.objects.filter(booking_id=booking_id, paid_booking=True).order_by("-attempt").first()
    ordered = wix_orders.order_row(booking_id) is not None
    if checkout is None and not ordered:
        return None
    reason = _refund_reason(booking_id, event=event, initiated_by=initiated_by, with_refund=with_refund)
    if reason is None:
        logger.info("Booking %s was canceled without a refund", booking_id)
        return None
    if ordered:
        from .tasks import refund_wix_order

        transaction.on_commit(lambda: refund_wix_order.enqueue(booking_id, reason))
    if checkout is None:
        return None
    with transaction.atomic():
        return request_refund(checkout, reason=reason)


def _refund_reason(booking_id: str, *, event: str, initiated_by: str, with_refund: bool) -> str | None:
    """Why the change earns a refund, or None: from what the event says (Wix's Booking Canceled carries
    `flowControlSettings.withRefund` and `initiatedBy`) and, for a customer's own cancel, the booking's start read
    through the bookings port. The event arrives as soon as the change commits, so "now" is when it was made."""
    if event == "declined":
        return "declined by the business after payment"
    if with_refund:
        return "canceled with refund"
    hours = settings.PAYMENTS_CUSTOMER_REFUND_HOURS
    if initiated_by != "customer" or hours < 0:
        return None
    found = get_backend().query_extended_bookings(booking_ids=[booking_id])
    if found and timezone.now() <= found[0].start_date - timedelta(hours=hours):
        return f"canceled by the customer at least {hours} h ahead"
    return None


# ---- Stripe's confirmation -----------------------------------------------------------------------------------------


def refund_confirmed(charge: dict) -> str:
    """charge.refunded: once the whole charge is refunded, the booking's payment status becomes REFUNDED (but not
    for a second payment refunded as a duplicate: the booking is still paid by the first)."""
    payment_intent = charge.get("payment_intent")
    checkout = StripeCheckout.objects.filter(payment_intent=payment_intent).first() if payment_intent else None
    if checkout is None:
        return "not one of our payments"
    if not charge.get("refunded"):
        return "partly refunded; the booking is unchanged"
    StripeRefund.objects.filter(checkout=checkout).exclude(status=StripeRefund.Status.SUCCEEDED).update(
        status=StripeRefund.Status.SUCCEEDED, error="")
    if StripeRefund.objects.filter(checkout=checkout, reason=DUPLICATE).exists():
        return "duplicate payment refunded; the booking is unchanged"
    if WixOrderPayment.objects.filter(stripe_checkout=checkout).exists():
        # Recorded on the booking's Wix order: the refund is recorded there too, and Wix marks the booking REFUNDED.
        from .tasks import record_wix_refund

        transaction.on_commit(lambda: record_wix_refund.enqueue(checkout.pk))
    found = get_backend().query_extended_bookings(booking_ids=[checkout.booking_id])
    if not found or found[0].payment_status == PaymentStatus.REFUNDED:
        return "refund recorded"
    amount = stripe_api.from_minor_units(charge.get("amount_refunded", 0), charge.get("currency", "usd"))
    get_backend().update_payment_status(
        checkout.booking_id, payment_status=PaymentStatus.REFUNDED,
        reason=f"Stripe refunded {amount} {checkout.currency} ({charge.get('id', '')})")
    return "booking marked REFUNDED"
