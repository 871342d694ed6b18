"""Wix eCommerce and Redirects (wix-api.md §8): the calls that send a booking through the Wix site's own checkout,
and the order's payment records (Order Transactions) and refunds (Order Billing).

The booking is the catalog item (Bookings app id, catalogItemId = booking id), so Wix prices it and, once the order
is made, moves the booking itself (§8.5). Reads of the order, its payments and refunds are the app's; the checkout
and the redirect session are the visitor's, like the booking they pay for.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from booking.errors import NotFound, Unavailable

from .auth import Identity
from .client import WixClient, path_id

BOOKINGS_APP_ID = "13d21c63-b5ec-5912-8397-c3a5ddb27a97"


@dataclass(frozen=True)
class Checkout:
    id: str
    currency: str
    total: Decimal
    pay_now: Decimal
    pay_later: Decimal


@dataclass(frozen=True)
class Order:
    id: str
    checkout_id: str
    status: str  # INITIALIZED, APPROVED, CANCELED
    payment_status: str
    booking_ids: tuple[str, ...]
    currency: str = ""
    total: Decimal = Decimal("0")
    balance: Decimal = Decimal("0")  # what is still to be paid


@dataclass(frozen=True)
class OrderPayment:
    """A payment record on an order (§8.5), with what of it was refunded."""

    id: str
    amount: Decimal
    status: str  # the transaction status: APPROVED, REFUNDED, …
    offline: bool
    provider_transaction_id: str
    refunded: Decimal

    @property
    def refundable(self) -> Decimal:
        return self.amount - self.refunded if self.status in {"APPROVED", "PARTIALLY_REFUNDED"} else Decimal("0")


def _amount(node) -> Decimal:
    try:
        return Decimal(str(((node or {}).get("amount")) or "0"))
    except InvalidOperation:
        return Decimal("0")


def parse_checkout(answer: dict) -> Checkout:
    checkout = answer.get("checkout") or {}
    if not checkout.get("id"):
        raise Unavailable(code="WIX_CHECKOUT_MISSING")
    total = _amount((checkout.get("priceSummary") or {}).get("total"))
    pay_now = checkout.get("payNow")
    pay_later = checkout.get("payLater")
    return Checkout(id=str(checkout["id"]), currency=str(checkout.get("currency", "")), total=total,
                    pay_now=_amount(pay_now.get("total")) if isinstance(pay_now, dict) else total,
                    pay_later=_amount(pay_later.get("total")) if isinstance(pay_later, dict) else Decimal("0"))


def parse_order(answer: dict) -> Order:
    order = answer.get("order") or {}
    if not order.get("id"):
        raise NotFound("No such order.", code="ORDER_NOT_FOUND")
    ids = tuple(str((item.get("catalogReference") or {}).get("catalogItemId", ""))
                for item in order.get("lineItems") or []
                if (item.get("catalogReference") or {}).get("appId") == BOOKINGS_APP_ID)
    balance = order.get("balanceSummary") or {}
    return Order(id=str(order["id"]), checkout_id=str(order.get("checkoutId", "")), status=str(order.get("status", "")),
                 payment_status=str(order.get("paymentStatus", "")), booking_ids=ids,
                 currency=str(order.get("currency", "")),
                 total=_amount((order.get("priceSummary") or {}).get("total")),
                 balance=_amount(balance.get("balance")))


def _money(value: Decimal) -> dict:
    return {"amount": str(value)}


def add_payment_request(*, amount: Decimal, offline: bool, payment_method: str,
                        provider_transaction_id: str = "", gateway_transaction_id: str = "") -> dict:
    """Add Payments' body for one payment record, APPROVED: money already taken (by Stripe, or at the visit)."""
    details = {"offlinePayment": offline, "status": "APPROVED", "paymentMethod": payment_method}
    if provider_transaction_id:
        details["providerTransactionId"] = provider_transaction_id
    if gateway_transaction_id:
        details["gatewayTransactionId"] = gateway_transaction_id
    return {"payments": [{"amount": _money(amount), "regularPaymentDetails": details}]}


def parse_payments(answer: dict) -> tuple[OrderPayment, ...]:
    """The payment records of an orderTransactions answer (Add Payments, List Transactions, Refund Payments)."""
    transactions = answer.get("orderTransactions") or {}
    refunded: dict[str, Decimal] = {}
    for refund in transactions.get("refunds") or []:
        for item in refund.get("transactions") or []:
            if item.get("refundStatus", "SUCCEEDED") in {"SUCCEEDED", "PENDING", "STARTED"}:
                key = str(item.get("paymentId", ""))
                refunded[key] = refunded.get(key, Decimal("0")) + _amount(item.get("amount"))
    found = []
    for payment in transactions.get("payments") or []:
        details = payment.get("regularPaymentDetails") or {}
        key = str(payment.get("id", ""))
        found.append(OrderPayment(id=key, amount=_amount(payment.get("amount")),
                                  status=str(details.get("status", "")), offline=bool(details.get("offlinePayment")),
                                  provider_transaction_id=str(details.get("providerTransactionId", "")),
                                  refunded=refunded.get(key, Decimal("0"))))
    return tuple(found)


def refund_request(order_id: str, refunds: list[tuple[str, Decimal, bool]]) -> dict:
    """Refund Payments' body: (payment id, amount, external) per payment. `externalRefund` only records a refund
    made elsewhere (Stripe's, for a payment we took)."""
    return {"orderId": order_id,
            "paymentRefunds": [{"paymentId": payment_id, "amount": _money(amount), "externalRefund": external}
                               for payment_id, amount, external in refunds]}


def checkout_request(booking_id: str, *, first_name: str, last_name: str, email: str, phone: str = "") -> dict:
    contact = {"firstName": first_name, "lastName": last_name, **({"phone": phone} if phone else {})}
    return {
        "lineItems": [{"quantity": 1, "catalogReference": {"catalogItemId": booking_id, "appId": BOOKINGS_APP_ID}}],
        "channelType": "WEB",
        "checkoutInfo": {"buyerInfo": {"email": email}, "billingInfo": {"contactDetails": contact}},
    }


def redirect_session_request(checkout_id: str, *, thank_you_page_url: str, post_flow_url: str) -> dict:
    return {"ecomCheckout": {"checkoutId": checkout_id},
            "callbacks": {"thankYouPageUrl": thank_you_page_url, "postFlowUrl": post_flow_url}}


def parse_redirect_url(answer: dict) -> str:
    url = (answer.get("redirectSession") or {}).get("fullUrl")
    if not url:
        raise Unavailable(code="WIX_REDIRECT_MISSING")
    return str(url)


class EcomMixin:
    """The eCommerce calls on the wix backend. They are not the bookings port's: payments.wix_ecom uses them only in
    wix mode (the backend it gets from get_backend() is then this one)."""

    client: WixClient = None  # set by WixBackend

    def create_ecom_checkout(self, booking_id: str, *, first_name: str, last_name: str, email: str,
                             phone: str = "") -> Checkout:
        body = checkout_request(booking_id, first_name=first_name, last_name=last_name, email=email, phone=phone)
        return parse_checkout(self.client.write("/ecom/v1/checkouts", body))

    def create_redirect_session(self, checkout_id: str, *, thank_you_page_url: str, post_flow_url: str) -> str:
        body = redirect_session_request(checkout_id, thank_you_page_url=thank_you_page_url,
                                        post_flow_url=post_flow_url)
        return parse_redirect_url(self.client.write("/redirect-session/v1/redirect-session", body))

    def create_order_from_checkout(self, checkout_id: str) -> str:
        """Create Order from a checkout (§8.3), for a booking paid later: Wix then moves the booking as after a
        payment."""
        path_id(checkout_id, "No such checkout.", code="CHECKOUT_NOT_FOUND")
        answer = self.client.write(f"/ecom/v1/checkouts/{checkout_id}/create-order", {})
        if not answer.get("orderId"):
            raise Unavailable(code="WIX_ORDER_MISSING")
        return str(answer["orderId"])

    def get_order(self, order_id: str) -> Order:
        path_id(order_id, "No such order.", code="ORDER_NOT_FOUND")
        return parse_order(self.client.get(f"/ecom/v1/orders/{order_id}", identity=Identity.APP))

    def add_order_payment(self, order_id: str, *, amount: Decimal, offline: bool, payment_method: str,
                          provider_transaction_id: str = "", gateway_transaction_id: str = "") -> str:
        """Add Payments (§8.5): a record of money taken elsewhere; nothing is charged. Returns the payment's id.
        Sent once (a write): the caller claims the payment first so that a repeat does not record it twice."""
        path_id(order_id, "No such order.", code="ORDER_NOT_FOUND")
        body = add_payment_request(amount=amount, offline=offline, payment_method=payment_method,
                                   provider_transaction_id=provider_transaction_id,
                                   gateway_transaction_id=gateway_transaction_id)
        answer = self.client.write(f"/ecom/v1/payments/orders/{order_id}/add-payment", body, identity=Identity.APP)
        ids = answer.get("paymentsIds") or []
        if not ids:
            raise Unavailable(code="WIX_PAYMENT_MISSING")
        return str(ids[0])

    def list_order_payments(self, order_id: str) -> tuple[OrderPayment, ...]:
        """List Transactions For Single Order (§8.5): the order's payment records, with what was refunded."""
        path_id(order_id, "No such order.", code="ORDER_NOT_FOUND")
        return parse_payments(self.client.get(f"/ecom/v1/payments/orders/{order_id}", identity=Identity.APP))

    def refund_order_payments(self, order_id: str, refunds: list[tuple[str, Decimal, bool]]) -> str:
        """Order Billing's Refund Payments (§8.5): Wix refunds through the payment provider, or, `external`, only
        records a refund made elsewhere. Returns the refund's id."""
        path_id(order_id, "No such order.", code="ORDER_NOT_FOUND")
        answer = self.client.write("/ecom/v1/order-billing/refund-payments", refund_request(order_id, refunds),
                                   identity=Identity.APP)
        return str((answer.get("refund") or {}).get("id", ""))
