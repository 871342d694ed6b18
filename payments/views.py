"""The customer's pages around Stripe Checkout: the return page Stripe sends them back to, and the booking's payment
page (Stripe's cancel URL), from which they go back to paying or give the time up and choose another.

Only the browser that made the booking may use them (booking.draft.owns_booking), and neither trusts the URL: the
return page reads the Checkout Session back from Stripe before it settles or shows anything.
"""

import logging
import re
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from booking import draft as drafts
from booking import limits
from booking.errors import BookingsError, SlotNotAvailable
from booking.port import Booking, BookingStatus
from booking.web import JUST_TAKEN, error_page, leave_for

from . import pricing, providers, stripe_api, stripe_checkout, wix_ecom
from .models import StripeCheckout

logger = logging.getLogger(__name__)

SESSION_ID = re.compile(r"cs_[A-Za-z0-9_]{1,250}")


def _own_booking(request: HttpRequest, booking_id: UUID | str) -> Booking:
    booking_id = str(booking_id)
    booking = stripe_checkout.read_booking(booking_id) if drafts.owns_booking(request.session, booking_id) else None
    if booking is None:
        raise Http404("No such booking.")
    return booking


@require_GET
def stripe_return(request: HttpRequest) -> HttpResponse:
    """Stripe's success URL. Reads the session back from Stripe; when it is paid, settles the booking the way the
    webhook does (whichever comes first settles it, once) and shows the confirmation."""
    session_id = request.GET.get("session_id", "")
    if not SESSION_ID.fullmatch(session_id):
        return error_page(request, "This payment link is incomplete.", 400)
    checkout = StripeCheckout.objects.filter(session_id=session_id).first()
    if checkout is None or not drafts.owns_booking(request.session, checkout.booking_id):
        raise Http404("No such payment.")
    try:
        session = stripe_api.retrieve_checkout_session(checkout.api_base, session_id)
    except stripe_api.PaymentError as error:
        return error_page(request, error)
    if (session.get("metadata") or {}).get("booking_id") != checkout.booking_id:
        raise Http404("No such payment.")
    if session.get("payment_status") in stripe_checkout.PAID:
        try:
            stripe_checkout.fulfil_session(session)
        except BookingsError as error:
            # The webhook will settle it; the confirmation page says the booking is not finished yet.
            logger.warning("Return page could not settle %s yet: %s", session_id, error.message)
        return redirect("booking:confirmation", booking_id=checkout.booking_id)
    return redirect("payments:booking_payment", booking_id=checkout.booking_id)


@require_GET
def booking_payment(request: HttpRequest, booking_id: UUID) -> HttpResponse:
    """Where a customer lands who left Stripe's page without paying, or whose payment did not go through."""
    booking = _own_booking(request, booking_id)
    if booking.status != BookingStatus.CREATED:
        return redirect("booking:confirmation", booking_id=booking.id)
    service = stripe_checkout.service_of(booking)
    if wix_ecom.in_use():
        return _wix_unfinished(request, booking, service)
    checkout = StripeCheckout.objects.filter(booking_id=booking.id).order_by("-attempt").first()
    state = "none"  # never reached Stripe: offer to pay
    if checkout is not None and checkout.status == StripeCheckout.Status.OPEN:
        try:
            status = stripe_api.retrieve_checkout_session(checkout.api_base, checkout.session_id).get("status")
        except stripe_api.PaymentError:
            status = "open"  # Stripe is out of reach: go by what we know, which is enough to offer the way back
        if status == "open" and checkout.expires_at > timezone.now():
            state = "open"
        else:
            state = "processing" if status == "complete" else "ended"
    elif checkout is not None:
        state = {"complete": "processing", "expired": "ended", "failed": "ended"}.get(checkout.status, "none")
    context = {
        "booking": booking,
        "service": service,
        "amounts": pricing.for_booking(booking, service),
        "checkout": checkout,
        "state": state,
        "can_pay_online": stripe_checkout.can_pay_online(service),
    }
    return render(request, "payments/booking_payment.html", context)


def _payment_page(request: HttpRequest, booking_id: UUID) -> str:
    return reverse("payments:booking_payment", args=[booking_id])


@limits.booking_posts(back=_payment_page)
@require_POST
def resume_payment(request: HttpRequest, booking_id: UUID) -> HttpResponse:
    """Back to Stripe: the open session if there is one, else a new one (holding the time again if it is free)."""
    booking = _own_booking(request, booking_id)
    if booking.status != BookingStatus.CREATED:
        return redirect("booking:confirmation", booking_id=booking.id)
    service = stripe_checkout.service_of(booking)
    if wix_ecom.in_use():
        return _resume_wix(request, booking, service)
    if not stripe_checkout.can_pay_online(service):
        return error_page(request, "This booking cannot be paid online right now.", 409)
    try:
        stripe_checkout.check_live_holds(request, booking.id)
    except stripe_checkout.TooManyHolds as error:
        return limits.too_many(request, error.message, _payment_page(request, booking.id))
    try:
        url = stripe_checkout.start_checkout(booking, request)
    except SlotNotAvailable:
        messages.error(request, JUST_TAKEN)
        return redirect("booking:slots", slug=service.slug)
    except BookingsError as error:
        return error_page(request, error)
    return leave_for(request, url)


@require_POST
def release_booking_time(request: HttpRequest, booking_id: UUID) -> HttpResponse:
    """The customer gives up paying for this time: its session ends, its hold is released, they choose again."""
    booking = _own_booking(request, booking_id)
    service = stripe_checkout.service_of(booking)
    if booking.status == BookingStatus.CREATED and wix_ecom.in_use():
        # Wix keeps the unpaid booking until its checkout lapses; there is no call to give its time up sooner.
        messages.info(request, "Choose another time; your answers are kept. The unpaid booking lapses by itself.")
    elif booking.status == BookingStatus.CREATED:
        providers.abandon_checkout(booking.id)
        messages.info(request, "The time you held is free again. Choose another time; your answers are kept.")
    return redirect("booking:slots", slug=service.slug)


# ---- the Wix site's checkout (payments/wix_ecom.py) ----------------------------------------------------------------


@require_GET
def wix_return(request: HttpRequest, booking_id: UUID) -> HttpResponse:
    """The thank-you callback of Wix's hosted checkout. Reaching it proves nothing: the order it names is read back
    and kept only when it is this booking's; the confirmation page then shows what the booking itself says."""
    booking = _own_booking(request, booking_id)
    order_id = request.GET.get("orderId", "")
    if order_id and len(order_id) <= 64:
        try:
            wix_ecom.verify_return(booking.id, order_id)
        except BookingsError as error:
            logger.warning("Could not read order %s back from Wix: %s", order_id, error.message)
    return redirect("booking:confirmation", booking_id=booking.id)


def _wix_unfinished(request: HttpRequest, booking: Booking, service) -> HttpResponse:
    """Wix's post-flow callback, for a booking still CREATED: the checkout was left, or not finished yet."""
    context = {"booking": booking, "service": service, "checkout": wix_ecom.latest(booking.id),
               "can_pay_online": wix_ecom.offers(service)}
    return render(request, "payments/wix_unfinished.html", context)


def _resume_wix(request: HttpRequest, booking: Booking, service) -> HttpResponse:
    if not wix_ecom.offers(service):
        return error_page(request, "This booking cannot be paid online right now.", 409)
    try:
        url = wix_ecom.start(booking, request)
    except BookingsError as error:
        return error_page(request, error)
    return leave_for(request, url)
