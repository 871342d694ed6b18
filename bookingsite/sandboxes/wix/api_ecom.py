"""The sandbox's eCommerce side (wix-api.md §8): Create Checkout with a booking as the catalog item, Create Redirect
Session to the hosted checkout, Create Order, Get Order, and the hosted checkout page itself. The order's payment
records and refunds are in api_order_payments.py.

The page does what Wix does after the customer pays (§8.5): it creates the order and the booking follows it. A paid
order confirms the booking (PENDING when the service needs approval); a declined payment declines it; an abandoned
checkout leaves it CREATED, holding its time until the hold lapses. The site never confirms these bookings itself.
"""

import uuid
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from booking import port as p
from booking.errors import InvalidArgument, NotFound

from .api_reads import engine
from .gate import Call, endpoint, wix_error
from .models import EcomCheckout, EcomOrder, EcomPayment, RedirectSession

BOOKINGS_APP_ID = "13d21c63-b5ec-5912-8397-c3a5ddb27a97"
CHANNEL_TYPES = {"WEB", "POS", "EBAY", "AMAZON", "WISH", "WIX_INVOICES", "WIX_APP_STORE", "BACKOFFICE_MERCHANT",
                 "OTHER_PLATFORM"}
# How long the hosted checkout holds the booking's time while the customer pays.
CHECKOUT_HOLD = timedelta(minutes=30)


def _money(value: Decimal, currency: str) -> dict:
    return {"amount": str(value), "convertedAmount": str(value), "formattedAmount": f"{value:.2f} {currency}",
            "formattedConvertedAmount": f"{value:.2f} {currency}"}


def _booking(booking_id: str) -> p.Booking:
    found = engine().query_extended_bookings(booking_ids=[booking_id])
    if not found:
        raise NotFound("No such booking.", code="BOOKING_NOT_FOUND")
    return found[0]


def _amounts(booking: p.Booking) -> tuple[str, Decimal, Decimal]:
    """The Bookings catalog's price of the booking: (currency, pay now, pay later)."""
    from payments import pricing  # the site's pricing rules stand in for the Bookings catalog plugin

    services = engine().query_services(filter={"id": booking.service_id})
    if not services:
        raise NotFound("No such service.", code="SERVICE_NOT_FOUND")
    amounts = pricing.for_booking(booking, services[0])
    if amounts.total is None:  # a custom price, agreed at the visit
        return engine().get_business_info().currency, Decimal("0.00"), Decimal("0.00")
    if booking.selected_payment_option == p.SelectedPaymentOption.OFFLINE or amounts.online is None:
        # Paid in person: all of it later, as the booking's selectedPaymentOption tells the Bookings catalog.
        return amounts.total.currency, Decimal("0.00"), Decimal(amounts.total.value)
    return amounts.total.currency, Decimal(amounts.online.value), Decimal(amounts.at_visit.value)


def render_checkout(checkout: EcomCheckout) -> dict:
    booking = _booking(checkout.booking_id)
    c = checkout.currency
    return {
        "id": checkout.checkout_id,
        "lineItems": [{
            "id": "00000000-0000-0000-0000-000000000001", "quantity": 1,
            "catalogReference": {"catalogItemId": checkout.booking_id, "appId": BOOKINGS_APP_ID},
            "productName": {"original": booking.title, "translated": booking.title},
            "price": _money(checkout.total, c), "totalPriceAfterTax": _money(checkout.total, c),
            "availability": {"status": "AVAILABLE"},
            "itemType": {"preset": "SERVICE"},
            "serviceProperties": {"scheduledDate": booking.slot.start_date.isoformat() if booking.slot.start_date
                                  else None, "numberOfParticipants": booking.total_participants},
        }],
        "buyerInfo": checkout.buyer.get("buyerInfo") or {},
        "billingInfo": checkout.buyer.get("billingInfo") or {},
        "priceSummary": {"subtotal": _money(checkout.total, c), "total": _money(checkout.total, c),
                         "tax": _money(Decimal("0.00"), c), "discount": _money(Decimal("0.00"), c)},
        "payNow": {"total": _money(checkout.pay_now, c)},
        "payLater": {"total": _money(checkout.pay_later, c)},
        "calculationErrors": {},
        "currency": c, "channelType": "WEB", "completed": checkout.completed,
    }


def paid_amount(order: EcomOrder) -> Decimal:
    """What the order's approved payment records add up to, less what was refunded of them."""
    return sum((payment.amount - payment.refunded for payment in order.payments.filter(status__in=PAID_STATUSES)),
               Decimal("0.00"))


# Payment records that count as money the merchant has (or had, before a refund).
PAID_STATUSES = ("APPROVED", "REFUNDED", "PARTIALLY_REFUNDED")


def render_order(order: EcomOrder) -> dict:
    checkout = order.checkout
    c = checkout.currency
    paid = paid_amount(order)
    return {
        "id": order.order_id, "checkoutId": checkout.checkout_id, "status": order.status,
        "paymentStatus": order.payment_status, "currency": c,
        "lineItems": [{"quantity": 1, "catalogReference": {"catalogItemId": checkout.booking_id,
                                                           "appId": BOOKINGS_APP_ID},
                       "itemType": {"preset": "SERVICE"}}],
        "priceSummary": {"total": _money(checkout.total, c)},
        "balanceSummary": {"paid": _money(paid, c), "balance": _money(checkout.total - paid, c)},
        "createdDate": order.created_at.isoformat(),
    }


@endpoint("visitor")
def create_checkout(call: Call):
    """POST /ecom/v1/checkouts: one booking as a Bookings catalog item. Holds the booking's time while it is paid."""
    body = call.body
    if body.get("channelType") not in CHANNEL_TYPES:
        raise InvalidArgument("channelType is required.", field_violations={"channelType": "must be set"})
    items = body.get("lineItems") or []
    if len(items) != 1:
        raise InvalidArgument("The sandbox takes exactly one booking per checkout.",
                              field_violations={"lineItems": "one line item"})
    reference = items[0].get("catalogReference") or {}
    if reference.get("appId") != BOOKINGS_APP_ID:
        raise InvalidArgument("The sandbox's catalog is the Bookings app.",
                              field_violations={"lineItems[0].catalogReference.appId": "not the Bookings app"})
    booking = _booking(str(reference.get("catalogItemId", "")))
    if booking.status != p.BookingStatus.CREATED:
        return wix_error(428, "This booking cannot be checked out.", "BOOKING_NOT_CREATED")
    currency, now_, later = _amounts(booking)
    engine().hold_booking(booking.id, expires_at=timezone.now() + CHECKOUT_HOLD)
    info = body.get("checkoutInfo") or {}
    checkout = EcomCheckout.objects.create(
        checkout_id=str(uuid.uuid4()), booking_id=booking.id, visitor_id=call.visitor_id,
        buyer={"buyerInfo": info.get("buyerInfo") or {}, "billingInfo": info.get("billingInfo") or {}},
        currency=currency, total=now_ + later, pay_now=now_, pay_later=later)
    return JsonResponse({"checkout": render_checkout(checkout)})


@endpoint("visitor")
def create_redirect_session(call: Call):
    """POST /redirect-session/v1/redirect-session with the `ecomCheckout` intent (the only one the sandbox has)."""
    intent = call.body.get("ecomCheckout")
    if not isinstance(intent, dict):
        raise InvalidArgument("The sandbox answers the ecomCheckout intent only.",
                              field_violations={"ecomCheckout": "must be set"})
    checkout = EcomCheckout.objects.filter(checkout_id=str(intent.get("checkoutId", ""))).first()
    if checkout is None:
        raise NotFound("No such checkout.", code="CHECKOUT_NOT_FOUND")
    callbacks = call.body.get("callbacks") or {}
    session = RedirectSession.objects.create(
        session_id=str(uuid.uuid4()), checkout=checkout, state=str(callbacks.get("state", ""))[:500],
        thank_you_page_url=str(callbacks.get("thankYouPageUrl", "")),
        post_flow_url=str(callbacks.get("postFlowUrl", "")))
    url = call.request.build_absolute_uri(reverse("wix_sandbox:hosted_checkout", args=[session.session_id]))
    return JsonResponse({"redirectSession": {"id": session.session_id, "fullUrl": url,
                                             "urlDetails": {"endpoint": url, "searchParams": {}}}})


@endpoint("visitor")
def create_order(call: Call, checkout_id: str):
    """POST /ecom/v1/checkouts/{id}/create-order. Paid later (in person): the order is approved unpaid, nothing is
    charged (no paymentGatewayOrderId) and the booking follows the order as after a payment. With money due now
    (the site takes it itself, then records it with Add Payments): the order waits, INITIALIZED, with a
    paymentGatewayOrderId, and the booking stays CREATED until the payment is recorded."""
    checkout = EcomCheckout.objects.filter(checkout_id=checkout_id).first()
    if checkout is None:
        raise NotFound("No such checkout.", code="CHECKOUT_NOT_FOUND")
    if EcomOrder.objects.filter(checkout=checkout).exists():
        return wix_error(428, "An order was already created from this checkout.", "ORDER_ALREADY_EXISTS")
    booking = _booking(checkout.booking_id)
    if booking.status != p.BookingStatus.CREATED:
        return wix_error(428, "This booking cannot be ordered.", "BOOKING_NOT_CREATED")
    if checkout.pay_now > 0:
        order = EcomOrder.objects.create(order_id=str(uuid.uuid4()), checkout=checkout, status="INITIALIZED",
                                         payment_status="NOT_PAID")
        EcomCheckout.objects.filter(pk=checkout.pk).update(completed=True)
        return JsonResponse({"orderId": order.order_id, "paymentGatewayOrderId": str(uuid.uuid4())})
    order = EcomOrder.objects.create(order_id=str(uuid.uuid4()), checkout=checkout, status="APPROVED",
                                     payment_status="NOT_PAID")
    engine().confirm_or_decline_booking(booking.id, payment_status=p.PaymentStatus.NOT_PAID)
    EcomCheckout.objects.filter(pk=checkout.pk).update(completed=True)
    return JsonResponse({"orderId": order.order_id})


@endpoint("app", method="GET")
def get_order(call: Call, order_id: str):
    order = EcomOrder.objects.select_related("checkout").filter(order_id=order_id).first()
    if order is None:
        raise NotFound("No such order.", code="ORDER_NOT_FOUND")
    return JsonResponse({"order": render_order(order)})


# ---- the hosted checkout page -------------------------------------------------------------------------------------

ACTIONS = ("pay", "decline", "abandon")


def _callback(url: str, session: RedirectSession, **params) -> str:
    query = urlencode({**params, "wixMemberLoggedIn": "false", **({"state": session.state} if session.state else {})})
    return url + ("&" if "?" in url else "?") + query


@require_http_methods(["GET", "POST"])
def hosted_checkout(request: HttpRequest, session_id: str) -> HttpResponse:
    """The site-hosted checkout page. Pay, Decline and Abandon are POSTs, with the site's CSRF check."""
    if not settings.WIX_SANDBOX:
        raise Http404("The Wix sandbox is off.")
    session = RedirectSession.objects.select_related("checkout").filter(session_id=session_id).first()
    if session is None:
        raise Http404("No such checkout.")
    checkout = session.checkout
    order = EcomOrder.objects.filter(checkout=checkout).first()
    message, status = "", 200
    if request.method == "POST" and order is None:
        action = request.POST.get("action")
        if action == "abandon":
            return HttpResponseRedirect(session.post_flow_url or "/")
        if action in ("pay", "decline"):
            booking = _booking(checkout.booking_id)
            if booking.status != p.BookingStatus.CREATED:
                message, status = "This booking can no longer be paid.", 409
            else:
                order = _place_order(checkout, booking, paid=action == "pay")
                if action == "pay" and session.thank_you_page_url:
                    return HttpResponseRedirect(_callback(session.thank_you_page_url, session,
                                                          orderId=order.order_id))
                return HttpResponseRedirect(_callback(session.post_flow_url or "/", session))
        else:
            message, status = "Choose Pay, Decline or Abandon.", 400
    booking = _booking(checkout.booking_id)
    return render(request, "wix_sandbox/checkout.html", {
        "session": session, "checkout": checkout, "order": order, "booking": booking, "message": message,
        "thank_you": _callback(session.thank_you_page_url, session, orderId=order.order_id)
        if order is not None and session.thank_you_page_url else ""}, status=status)


def _place_order(checkout: EcomCheckout, booking: p.Booking, *, paid: bool) -> EcomOrder:
    """The order, and the booking following it as Wix moves it (§8.5)."""
    if paid:
        payment = "PARTIALLY_PAID" if checkout.pay_later > 0 else "PAID"
        order = EcomOrder.objects.create(order_id=str(uuid.uuid4()), checkout=checkout, status="APPROVED",
                                         payment_status=payment)
        # The payment the page took, as Wix records one its payment provider took (refundable through Order Billing).
        EcomPayment.objects.create(payment_id=str(uuid.uuid4()), order=order, amount=checkout.pay_now,
                                   status="APPROVED", details={"paymentMethod": "CreditCard",
                                                               "gatewayTransactionId": str(uuid.uuid4())})
        engine().confirm_or_decline_booking(booking.id, payment_status=payment)
    else:
        order = EcomOrder.objects.create(order_id=str(uuid.uuid4()), checkout=checkout, status="CANCELED",
                                         payment_status="DECLINED")
        engine().decline_booking(booking.id, revision=booking.revision, caller=p.Caller.STAFF,
                                 payment_status=p.PaymentStatus.NOT_PAID)
    EcomCheckout.objects.filter(pk=checkout.pk).update(completed=True)
    return order
