"""Payments recorded on, and refunded from, a booking's Wix eCommerce order (wix-api.md §8.5), in wix mode.

- `mark_paid_in_person()`: staff took the money at the visit. Add Payments records it on the order (an offline
  payment, the balance), and Wix moves the booking's payment status with its order. This is the seeds' "mark order
  as paid": Wix has no call of that name for eCommerce orders, recording the payment is how it is done (§8.5).
- `record_stripe_payment()`: a payment of the custom Stripe checkout for a booking whose order waits for it
  (WIX_ORDERS_FOR_STRIPE_PAYMENTS): Add Payments with the Stripe transaction; Wix approves the order and confirms
  the booking itself.
- `refund_order()`: a paid booking canceled with a refund: the payments Wix took (its hosted checkout) are refunded
  through Order Billing's Refund Payments. Cash taken at the visit is given back by staff, not here.
- `record_stripe_refund()`: Stripe refunded a payment we recorded on an order: the refund is recorded there too
  (`externalRefund`, so Wix does not refund it again).

Add Payments and Refund Payments are not idempotent, so each payment or refund is first claimed in a row (unique per
order, or per payment record), and a failed call gives the claim back or marks it failed for staff to retry. The rows
are the audit trail: who recorded what, when, and what Wix answered.
"""

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from booking.backends import get_backend
from booking.errors import BookingsError, FailedPrecondition, NotFound, PermissionDenied, Unavailable
from booking.port import Booking, BookingStatus

from .models import StripeCheckout, WixEcomCheckout, WixOrderPayment, WixOrderRefund

logger = logging.getLogger(__name__)

# Staff who may add Wix order payments may mark an order as paid.
PERMISSION = "payments.add_wixorderpayment"


def may_mark_paid(user) -> bool:
    return user.has_perm(PERMISSION)


def order_row(booking_id: str) -> WixEcomCheckout | None:
    """The booking's checkout at Wix once an order was made from it."""
    return WixEcomCheckout.objects.filter(booking_id=str(booking_id)).exclude(order_id="").first()


def _booking(booking_id: str) -> Booking:
    found = get_backend().query_extended_bookings(booking_ids=[booking_id])
    if not found:
        raise NotFound("We could not find that booking.")
    return found[0]


# ---- paid in person ----------------------------------------------------------------------------------------------


def mark_paid_in_person(checkout: WixEcomCheckout, user) -> WixOrderPayment:
    """Record what is still due on the checkout's order as paid in person, as `user`. Raises a BookingsError with
    a message for staff when it cannot be: no permission (403), no order, a canceled order or booking, nothing due,
    already recorded (428)."""
    if not may_mark_paid(user):
        raise PermissionDenied("You may not record payments on Wix orders.")
    if not checkout.order_id:
        raise FailedPrecondition("This booking has no Wix order yet, so there is nothing to mark as paid.",
                                 code="ORDER_MISSING")
    backend = get_backend()
    order = backend.get_order(checkout.order_id)
    booking = _booking(checkout.booking_id)
    if order.status == "CANCELED" or booking.status not in {BookingStatus.CONFIRMED, BookingStatus.PENDING}:
        raise FailedPrecondition(f"Only orders of confirmed or pending bookings can be marked as paid (this order "
                                 f"is {order.status.lower()}, its booking {booking.status.lower()}).",
                                 code="ORDER_NOT_PAYABLE")
    if order.balance <= 0:
        raise FailedPrecondition(f"This order has nothing left to pay ({order.payment_status.lower()}).",
                                 code="ORDER_ALREADY_PAID")
    try:
        with transaction.atomic():
            row = WixOrderPayment.objects.create(
                kind=WixOrderPayment.Kind.IN_PERSON, booking_id=checkout.booking_id, order_id=order.id,
                amount=order.balance, currency=order.currency or checkout.currency, recorded_by=user)
    except IntegrityError:
        raise FailedPrecondition("The in-person payment of this order is already recorded.",
                                 code="PAYMENT_ALREADY_RECORDED") from None
    try:
        payment_id = backend.add_order_payment(order.id, amount=order.balance, offline=True,
                                               payment_method="InPerson")
    except BaseException:
        WixOrderPayment.objects.filter(pk=row.pk).delete()  # nothing was recorded at Wix: staff may try again
        raise
    WixOrderPayment.objects.filter(pk=row.pk).update(payment_id=payment_id, recorded_at=timezone.now())
    logger.info("%s recorded %s %s paid in person on Wix order %s (booking %s)", user.get_username(), row.amount,
                row.currency, order.id, checkout.booking_id)
    row.refresh_from_db()
    return row


# ---- Stripe payments on an order ---------------------------------------------------------------------------------


def record_stripe_payment(checkout: StripeCheckout) -> Booking | None:
    """Add the paid Stripe checkout to the booking's order; the booking as Wix then has it, or None when the booking
    has no order (the caller confirms it itself). A payment already recorded is not recorded again."""
    order = order_row(checkout.booking_id)
    if order is None:
        return None
    try:
        with transaction.atomic():
            row = WixOrderPayment.objects.create(
                kind=WixOrderPayment.Kind.STRIPE, booking_id=checkout.booking_id, order_id=order.order_id,
                amount=checkout.amount, currency=checkout.currency, stripe_checkout=checkout)
    except IntegrityError:
        row = WixOrderPayment.objects.get(stripe_checkout=checkout)
        if not row.payment_id:
            raise Unavailable("This payment is being recorded on its Wix order.", code="PAYMENT_RECORDING") from None
        return _booking(checkout.booking_id)
    try:
        payment_id = get_backend().add_order_payment(
            order.order_id, amount=checkout.amount, offline=False, payment_method="Stripe",
            provider_transaction_id=checkout.payment_intent, gateway_transaction_id=checkout.session_id or "")
    except BaseException:
        WixOrderPayment.objects.filter(pk=row.pk).delete()  # the fulfilment gives its claim back; Stripe retries
        raise
    WixOrderPayment.objects.filter(pk=row.pk).update(payment_id=payment_id, recorded_at=timezone.now())
    logger.info("Stripe checkout %s recorded on Wix order %s", checkout.session_id, order.order_id)
    return _booking(checkout.booking_id)


# ---- refunds -----------------------------------------------------------------------------------------------------


def refund_order(booking_id: str, *, reason: str) -> list[WixOrderRefund]:
    """Refund, through Order Billing, what Wix took for the booking's order (in the worker, after the cancel
    committed). Payments we recorded are not Wix's to refund: Stripe's are refunded by Stripe (and then recorded
    with record_stripe_refund), cash by staff."""
    order = order_row(booking_id)
    if order is None:
        return []
    ours = set(WixOrderPayment.objects.filter(order_id=order.order_id).values_list("payment_id", flat=True))
    due = [payment for payment in get_backend().list_order_payments(order.order_id)
           if payment.refundable > 0 and not payment.offline and payment.id not in ours]
    refunds = []
    for payment in due:
        refund, created = WixOrderRefund.objects.get_or_create(
            order_id=order.order_id, payment_id=payment.id,
            defaults={"booking_id": str(booking_id), "amount": payment.refundable, "currency": order.currency,
                      "reason": reason[:300]})
        if created or refund.status == WixOrderRefund.Status.FAILED:
            refund = send_refund(refund.pk)
        refunds.append(refund)
    return refunds


def record_stripe_refund(checkout: StripeCheckout) -> WixOrderRefund | None:
    """Stripe refunded the checkout's payment: record the refund on the order it was added to (once)."""
    row = WixOrderPayment.objects.filter(stripe_checkout=checkout).exclude(payment_id="").first()
    if row is None:
        return None
    refund, created = WixOrderRefund.objects.get_or_create(
        order_id=row.order_id, payment_id=row.payment_id,
        defaults={"booking_id": row.booking_id, "amount": row.amount, "currency": row.currency, "external": True,
                  "reason": f"refunded by Stripe ({checkout.session_id})"})
    if created or refund.status == WixOrderRefund.Status.FAILED:
        refund = send_refund(refund.pk)
    return refund


def send_refund(refund_pk: int) -> WixOrderRefund:
    """Ask Wix for one claimed refund; a failure is kept on the row (Payments › Wix order refunds) to ask again."""
    refund = WixOrderRefund.objects.get(pk=refund_pk)
    if refund.status == WixOrderRefund.Status.SUCCEEDED:
        return refund
    try:
        refund_id = get_backend().refund_order_payments(
            refund.order_id, [(refund.payment_id, refund.amount, refund.external)])
    except BookingsError as error:
        WixOrderRefund.objects.filter(pk=refund.pk).update(status=WixOrderRefund.Status.FAILED,
                                                           error=error.message[:300])
        logger.error("Wix refund of order %s payment %s failed: %s", refund.order_id, refund.payment_id,
                     error.message)
    else:
        WixOrderRefund.objects.filter(pk=refund.pk).update(status=WixOrderRefund.Status.SUCCEEDED,
                                                           refund_id=refund_id, error="")
        logger.info("Wix order %s payment %s refunded%s", refund.order_id, refund.payment_id,
                    " (recorded: refunded by Stripe)" if refund.external else "")
    return WixOrderRefund.objects.get(pk=refund.pk)
