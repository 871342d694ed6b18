"""The sandbox's order payments (wix-api.md §8.5): Add Payments, List Transactions For Single Order, and Order
Billing's Refund Payments. All three need the app's identity, as at Wix.

Payment records are only records (nothing is charged): the order's paymentStatus is worked out from them, and the
booking follows the order as Wix Bookings does. An order waiting for its payment (INITIALIZED) is approved once what
is due now is recorded, which confirms the booking (PENDING when the service needs approval); a payment recorded on
an approved order (cash at the visit) moves the booking's payment status; a fully refunded order makes it REFUNDED.
"""

import uuid
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.http import JsonResponse

from booking import port as p
from booking.errors import InvalidArgument, NotFound

from .api_ecom import PAID_STATUSES, _booking, _money, paid_amount
from .api_reads import engine
from .gate import Call, endpoint, wix_error
from .models import EcomOrder, EcomPayment, EcomRefund

# The transaction statuses a payment record may be added with (§8.5).
TRANSACTION_STATUSES = {"UNDEFINED", "APPROVED", "PENDING", "PENDING_MERCHANT", "CANCELED", "DECLINED", "REFUNDED",
                        "PARTIALLY_REFUNDED", "AUTHORIZED", "VOIDED"}
MAX_PAYMENTS = 50
# The order's paymentStatus → the booking's, as Wix Bookings follows it.
BOOKING_PAYMENT = {"PAID": p.PaymentStatus.PAID, "PARTIALLY_PAID": p.PaymentStatus.PARTIALLY_PAID,
                   "FULLY_REFUNDED": p.PaymentStatus.REFUNDED}


def _order(order_id: str) -> EcomOrder:
    order = EcomOrder.objects.select_related("checkout").filter(order_id=order_id).first()
    if order is None:
        raise NotFound("No such order.", code="ORDER_NOT_FOUND")
    return order


def _decimal(node, field: str) -> Decimal:
    try:
        value = Decimal(str(node.get("amount") if isinstance(node, dict) else None))
    except (InvalidOperation, TypeError):
        raise InvalidArgument("An amount is a decimal string.", field_violations={field: "a decimal string"}) from None
    if not value.is_finite() or value <= 0 or value != value.quantize(Decimal("0.01")):
        raise InvalidArgument("An amount is above zero, in cents.", field_violations={field: "above zero"})
    return value


def render_payment(payment: EcomPayment) -> dict:
    c = payment.order.checkout.currency
    return {
        "id": payment.payment_id,
        "regularPaymentDetails": {**payment.details, "offlinePayment": payment.offline, "status": payment.status},
        "amount": {"amount": str(payment.amount), "formattedAmount": _money(payment.amount, c)["formattedAmount"]},
        "refundDisabled": False,
        "createdDate": payment.created_at.isoformat(), "updatedDate": payment.created_at.isoformat(),
    }


def render_transactions(order: EcomOrder) -> dict:
    c = order.checkout.currency
    return {"orderId": order.order_id,
            "payments": [render_payment(payment) for payment in order.payments.select_related("order__checkout")],
            "refunds": [{"id": refund.refund_id, "orderId": order.order_id, "transactions": [{
                "paymentId": refund.payment.payment_id, "amount": _money(refund.amount, c),
                "refundStatus": "SUCCEEDED", "externalRefund": refund.external}],
                "createdDate": refund.created_at.isoformat()}
                for refund in order.refunds.select_related("payment")]}


def _follow(order: EcomOrder) -> None:
    """The order's paymentStatus from its records, and the booking following the order (module docstring)."""
    checkout, paid = order.checkout, paid_amount(order)
    ever_paid = sum((pay.amount for pay in order.payments.filter(status__in=PAID_STATUSES)), Decimal("0.00"))
    before = order.payment_status
    if ever_paid > 0 and paid <= 0:
        order.payment_status = "FULLY_REFUNDED"
    elif paid < ever_paid:
        order.payment_status = "PARTIALLY_REFUNDED"
    elif paid >= checkout.total and paid > 0:
        order.payment_status = "PAID"
    elif paid > 0:
        order.payment_status = "PARTIALLY_PAID"
    booking = _booking(checkout.booking_id)
    if order.status == "INITIALIZED" and paid > 0 and paid >= checkout.pay_now:
        order.status = "APPROVED"
        order.save()
        if booking.status == p.BookingStatus.CREATED:
            engine().confirm_or_decline_booking(booking.id, payment_status=BOOKING_PAYMENT[order.payment_status])
        return
    order.save()
    follows = BOOKING_PAYMENT.get(order.payment_status)
    if order.payment_status != before and follows and booking.payment_status != follows \
            and booking.status != p.BookingStatus.CREATED:
        engine().update_payment_status(booking.id, payment_status=follows, caller=p.Caller.STAFF,
                                       reason=f"Wix order {order.order_id} is {order.payment_status}")


@endpoint("app")
def add_payments(call: Call, order_id: str):
    """POST /ecom/v1/payments/orders/{orderId}/add-payment: up to 50 payment records; nothing is charged."""
    order = _order(order_id)
    payments = call.body.get("payments")
    if not isinstance(payments, list) or not 1 <= len(payments) <= MAX_PAYMENTS:
        raise InvalidArgument("payments is a list of 1 to 50 payment records.",
                              field_violations={"payments": "1 to 50 payments"})
    if order.status == "CANCELED":
        return wix_error(428, "The order is canceled.", "ORDER_CANCELED")
    rows = []
    for index, payment in enumerate(payments):
        details = payment.get("regularPaymentDetails") if isinstance(payment, dict) else None
        if not isinstance(details, dict):
            raise InvalidArgument("Each payment has regularPaymentDetails.",
                                  field_violations={f"payments[{index}].regularPaymentDetails": "must be set"})
        status = details.get("status", "APPROVED")
        if status not in TRANSACTION_STATUSES:
            raise InvalidArgument("Unknown transaction status.",
                                  field_violations={f"payments[{index}].regularPaymentDetails.status": "unknown"})
        amount = _decimal(payment.get("amount"), f"payments[{index}].amount.amount")
        kept = {key: str(details[key]) for key in ("paymentMethod", "gatewayTransactionId", "providerTransactionId",
                                                   "paymentOrderId") if details.get(key)}
        rows.append(EcomPayment(payment_id=str(uuid.uuid4()), order=order, amount=amount, status=status,
                                offline=bool(details.get("offlinePayment")), details=kept))
    with transaction.atomic():
        EcomPayment.objects.bulk_create(rows)
    _follow(order)
    return JsonResponse({"orderTransactions": render_transactions(order),
                         "paymentsIds": [row.payment_id for row in rows]})


@endpoint("app", method="GET")
def list_transactions(call: Call, order_id: str):
    """GET /ecom/v1/payments/orders/{orderId}: the order's payment and refund records."""
    return JsonResponse({"orderTransactions": render_transactions(_order(order_id))})


@endpoint("app")
def refund_payments(call: Call):
    """POST /ecom/v1/order-billing/refund-payments. A payment the provider took is refunded through it (here: at
    once); `externalRefund` only records a refund made elsewhere, and is the only way to refund an offline payment.
    No amount: all that is left of the payment."""
    order = _order(str(call.body.get("orderId", "")))
    refunds = call.body.get("paymentRefunds")
    if not isinstance(refunds, list) or not refunds:
        raise InvalidArgument("paymentRefunds names the payments to refund.",
                              field_violations={"paymentRefunds": "at least one"})
    planned = []
    for index, item in enumerate(refunds):
        item = item if isinstance(item, dict) else {}
        payment = order.payments.filter(payment_id=str(item.get("paymentId", ""))).first()
        if payment is None:
            raise NotFound("No such payment on this order.", code="PAYMENT_NOT_FOUND")
        left = payment.amount - payment.refunded
        amount = _decimal(item["amount"], f"paymentRefunds[{index}].amount.amount") if item.get("amount") else left
        external = bool(item.get("externalRefund"))
        if payment.status not in PAID_STATUSES or amount > left:
            return wix_error(428, "That much of this payment cannot be refunded.", "PAYMENT_NOT_REFUNDABLE",
                             {"paymentId": payment.payment_id, "refundable": str(left)})
        if payment.offline and not external:
            return wix_error(428, "An offline payment is refunded outside Wix; record it with externalRefund.",
                             "EXTERNAL_REFUND_REQUIRED", {"paymentId": payment.payment_id})
        planned.append((payment, amount, external))
    refund_id = str(uuid.uuid4())
    with transaction.atomic():
        for payment, amount, external in planned:
            payment.refunded += amount
            payment.status = "REFUNDED" if payment.refunded >= payment.amount else "PARTIALLY_REFUNDED"
            payment.save()
            EcomRefund.objects.create(refund_id=refund_id, order=order, payment=payment, amount=amount,
                                      external=external)
    _follow(order)
    c = order.checkout.currency
    return JsonResponse({"refund": {"id": refund_id, "transactions": [
        {"paymentId": payment.payment_id, "amount": _money(amount, c), "refundStatus": "SUCCEEDED",
         "externalRefund": external} for payment, amount, external in planned]},
        "orderTransactions": render_transactions(order)})
