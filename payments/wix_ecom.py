"""Paying through the Wix site's own checkout (wix-api.md §8), the default in wix mode for services paid online
(WIX_CHECKOUT=wix_ecom; WIX_CHECKOUT=stripe keeps the custom Stripe checkout, payments/stripe_checkout.py).

- `start()` sends a CREATED booking to Wix's hosted checkout: Create Checkout with the booking as the catalog item,
  then a redirect session whose thank-you page is our return page and whose post-flow page is our "payment not
  finished" page. A checkout already made for the booking is reused.
- `verify_return()` checks the order a return URL names: it must be an order of this booking's checkout, read back
  from Wix. Reaching a callback proves nothing; the pages show what the booking itself says.

The site never confirms or declines these bookings: Wix moves the booking with its order (§8.5).
"""

import logging

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from booking.backends import get_backend
from booking.backends.wix import ecom
from booking.errors import FailedPrecondition, NotFound
from booking.port import Booking, BookingStatus, Service

from . import pricing
from .models import WixEcomCheckout

logger = logging.getLogger(__name__)


def in_use() -> bool:
    """Wix eCommerce is how online payments are taken here: the wix backend with WIX_CHECKOUT=wix_ecom."""
    return settings.BOOKINGS_BACKEND == "wix" and settings.WIX_CHECKOUT == "wix_ecom"


def offers(service: Service) -> bool:
    return in_use() and pricing.can_pay_online(service)


def _client():
    return get_backend().client


def latest(booking_id: str) -> WixEcomCheckout | None:
    return WixEcomCheckout.objects.filter(booking_id=str(booking_id)).first()


def start(booking: Booking, request: HttpRequest) -> str:
    """The hosted checkout URL for a CREATED booking."""
    if booking.status != BookingStatus.CREATED:
        raise FailedPrecondition("This booking is not waiting for payment.", code="INVALID_BOOKING_STATUS")
    checkout = latest(booking.id)
    if checkout is None:
        contact = booking.contact_details
        made = ecom.create_checkout(_client(), ecom.checkout_request(
            booking.id, first_name=contact.first_name, last_name=contact.last_name, email=contact.email,
            phone=contact.phone))
        checkout = WixEcomCheckout.objects.create(booking_id=booking.id, checkout_id=made.id, currency=made.currency,
                                                  total=made.total, pay_now=made.pay_now, pay_later=made.pay_later)
        logger.info("Wix checkout %s made for booking %s", made.id, booking.id)
    return ecom.create_redirect_session(_client(), ecom.redirect_session_request(
        checkout.checkout_id,
        thank_you_page_url=request.build_absolute_uri(reverse("payments:wix_return", args=[booking.id])),
        post_flow_url=request.build_absolute_uri(reverse("payments:booking_payment", args=[booking.id]))))


def verify_return(booking_id: str, order_id: str) -> WixEcomCheckout | None:
    """The booking's checkout when `order_id` is an order Wix made from it (kept on the checkout), else None."""
    checkout = latest(booking_id)
    if checkout is None or not order_id:
        return None
    try:
        order = ecom.get_order(_client(), order_id)
    except NotFound:
        return None
    if order.checkout_id != checkout.checkout_id or str(booking_id) not in order.booking_ids:
        logger.warning("A return URL named order %s, which is not booking %s's", order_id, booking_id)
        return None
    if checkout.order_id != order.id:
        WixEcomCheckout.objects.filter(pk=checkout.pk).update(order_id=order.id)
        checkout.order_id = order.id
    return checkout
