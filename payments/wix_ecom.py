"""Paying through the Wix site's own checkout (wix-api.md §8), the default in wix mode for services paid online
(WIX_CHECKOUT=wix_ecom; WIX_CHECKOUT=stripe keeps the custom Stripe checkout, payments/stripe_checkout.py).

- `start()` sends a CREATED booking to Wix's hosted checkout: Create Checkout with the booking as the catalog item,
  then a redirect session whose thank-you page is our return page and whose post-flow page is our "payment not
  finished" page. A checkout already made for the booking is reused.
- `place_offline()` books a pay-in-person booking by Create Order from its checkout on the server (nothing charged).
- `order_for_stripe()`, with the custom Stripe checkout and WIX_ORDERS_FOR_STRIPE_PAYMENTS: Create Checkout and
  Create Order before the customer pays with Stripe; the payment is then added to the order (payments/wix_orders.py)
  and Wix confirms the booking with its order.
- `verify_return()` checks the order a return URL names: it must be an order of this booking's checkout, read back
  from Wix. Reaching a callback proves nothing; the pages show what the booking itself says.

The site never confirms or declines these bookings: Wix moves the booking with its order (§8.5).
"""

import logging

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from booking.backends import get_backend
from booking.errors import FailedPrecondition, NotFound
from booking.port import Booking, BookingStatus, Money, Service

from . import pricing, wix_follow
from .models import WixEcomCheckout

logger = logging.getLogger(__name__)


def in_use() -> bool:
    """Wix eCommerce is how online payments are taken here: the wix backend with WIX_CHECKOUT=wix_ecom."""
    return settings.BOOKINGS_BACKEND == "wix" and settings.WIX_CHECKOUT == "wix_ecom"


def orders_for_stripe() -> bool:
    """The custom Stripe checkout in wix mode records each payment on a Wix order (WIX_ORDERS_FOR_STRIPE_PAYMENTS)."""
    return (settings.BOOKINGS_BACKEND == "wix" and settings.WIX_CHECKOUT == "stripe"
            and settings.WIX_ORDERS_FOR_STRIPE_PAYMENTS)


def offers(service: Service) -> bool:
    return in_use() and pricing.can_pay_online(service)


def reported_amounts(booking_id: str) -> dict | None:
    """What the booking's Wix checkout said is paid now and later, as Money, for its pages."""
    checkout = latest(booking_id)
    if checkout is None:
        return None
    return {"pay_now": Money(checkout.pay_now, checkout.currency),
            "pay_later": Money(checkout.pay_later, checkout.currency)}


def latest(booking_id: str) -> WixEcomCheckout | None:
    return WixEcomCheckout.objects.filter(booking_id=str(booking_id)).first()


def _checkout(booking: Booking) -> WixEcomCheckout:
    """The booking's checkout at Wix, made the first time."""
    if booking.status != BookingStatus.CREATED:
        raise FailedPrecondition("This booking is not waiting for payment.", code="INVALID_BOOKING_STATUS")
    checkout = latest(booking.id)
    if checkout is None:
        contact = booking.contact_details
        made = get_backend().create_ecom_checkout(booking.id, first_name=contact.first_name,
                                                  last_name=contact.last_name, email=contact.email,
                                                  phone=contact.phone)
        checkout = WixEcomCheckout.objects.create(booking_id=booking.id, checkout_id=made.id, currency=made.currency,
                                                  total=made.total, pay_now=made.pay_now, pay_later=made.pay_later)
        logger.info("Wix checkout %s made for booking %s", made.id, booking.id)
    return checkout


def place_offline(booking: Booking) -> Booking:
    """A booking paid in person on a Wix eCommerce site: Create Order from its checkout on the server, so the order
    (not paid) is in the Wix dashboard for staff, and Wix moves the booking with it. Returns the booking re-read."""
    checkout = _checkout(booking)
    order_id = get_backend().create_order_from_checkout(checkout.checkout_id)
    WixEcomCheckout.objects.filter(pk=checkout.pk).update(order_id=order_id)
    found = get_backend().query_extended_bookings(booking_ids=[booking.id])
    if not found:
        raise NotFound("We could not find that booking.")
    wix_follow.seen(found[0], checkout)  # Wix confirmed it with its order: the customer is told as for any confirmation
    return found[0]


def order_for_stripe(booking: Booking) -> WixEcomCheckout:
    """The order a Stripe payment of this CREATED booking will be added to: Create Checkout, then Create Order,
    which waits (INITIALIZED) for the payment; made once per booking."""
    checkout = _checkout(booking)
    if not checkout.order_id:
        checkout.order_id = get_backend().create_order_from_checkout(checkout.checkout_id)
        WixEcomCheckout.objects.filter(pk=checkout.pk).update(order_id=checkout.order_id)
        logger.info("Wix order %s made for booking %s, to be paid with Stripe", checkout.order_id, booking.id)
    return checkout


def start(booking: Booking, request: HttpRequest) -> str:
    """The hosted checkout URL for a CREATED booking."""
    checkout = _checkout(booking)
    return get_backend().create_redirect_session(
        checkout.checkout_id,
        thank_you_page_url=request.build_absolute_uri(reverse("payments:wix_return", args=[booking.id])),
        post_flow_url=request.build_absolute_uri(reverse("payments:booking_payment", args=[booking.id])))


def verify_return(booking_id: str, order_id: str) -> WixEcomCheckout | None:
    """The booking's checkout when `order_id` is an order Wix made from it (kept on the checkout), else None."""
    checkout = latest(booking_id)
    if checkout is None or not order_id:
        return None
    try:
        order = get_backend().get_order(order_id)
    except NotFound:
        return None
    if order.checkout_id != checkout.checkout_id or str(booking_id) not in order.booking_ids:
        logger.warning("A return URL named order %s, which is not booking %s's", order_id, booking_id)
        return None
    if checkout.order_id != order.id:
        WixEcomCheckout.objects.filter(pk=checkout.pk).update(order_id=order.id)
        checkout.order_id = order.id
    return checkout
