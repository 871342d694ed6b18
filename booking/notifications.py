"""Emails to customers about their bookings, sent on the bookings' domain events (booking.events).

Each email states the booking as it is (service, time in the business's zone, place, status, price) and, while the
booking is active, carries a fresh link to manage it (a token from the port). They are sent synchronously once the
change has committed; a task queue can take them over later without changing what they say.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from booking.backends import get_backend
from booking.templatetags.booking_tags import money, price_label
from payments import pricing

logger = logging.getLogger(__name__)

# event → (subject, the first line of the email, the statuses the booking must still have for it to be true).
# "created" sends nothing: a booking waiting for its online payment is not the customer's yet (Wix notifies on
# confirmation too), and a free or pay-in-person booking is confirmed (or marked pending) in the same request.
EMAILS = {
    "confirmed": ("Your booking is confirmed", "Your booking is confirmed. We look forward to seeing you.",
                  {"CONFIRMED"}),
    "marked_as_pending": ("We have your booking request",
                          "We have your booking request. Your time is held while we look at it; we will write again "
                          "once it is confirmed.", {"PENDING"}),
    "rescheduled": ("Your booking has moved", "Your booking has moved to a new time.",
                    {"CONFIRMED", "PENDING", "CREATED", "WAITING_LIST"}),
    "canceled": ("Your booking is canceled", "Your booking is canceled.", {"CANCELED"}),
    "declined": ("Your booking request was declined", "Sorry, we could not accept your booking.", {"DECLINED"}),
}

# Bookings whose email carries the manage link: the ones a customer can still change.
LINKED = frozenset({"CONFIRMED", "PENDING"})


def on_booking_event(sender, *, event: str, booking_id: str, revision: int, **kwargs) -> None:
    """booking.events.booking_event receiver. The change has committed already: an email that cannot be sent must
    not turn it into an error page, so the failure is logged (the booking id and event only, never the link)."""
    if event not in EMAILS:
        return
    try:
        send_booking_email(event, booking_id)
    except Exception:
        logger.exception("Could not email the customer about booking %s (%s)", booking_id, event)


def send_booking_email(event: str, booking_id: str) -> bool:
    """Email the customer about `event`; False when there is nothing true to say any more (the booking changed
    again before this ran: the later change's email tells how it stands)."""
    backend = get_backend()
    found = backend.query_extended_bookings(booking_ids=[booking_id])
    subject, headline, statuses = EMAILS[event]
    if not found or found[0].status not in statuses or not found[0].contact_details.email:
        return False
    booking = found[0]
    business = backend.get_business_info()
    services = backend.query_services(filter={"id": booking.service_id})
    service = services[0] if services else None
    manage_url = ""
    if booking.status in LINKED:
        token = backend.get_anonymous_action_token(booking.id)
        manage_url = settings.SITE_URL.rstrip("/") + reverse("booking:manage_link", args=[token])
    if event == "rescheduled" and booking.status == "PENDING":
        headline += " The new time waits for our approval; it is held for you meanwhile."
    context = {"booking": booking, "business": business, "headline": headline, "manage_url": manage_url,
               "price": _price(booking, service)}
    message = EmailMessage(
        subject=f"{subject}: {booking.title}",
        body=render_to_string("emails/booking_update.txt", context),
        to=[booking.contact_details.email],
        reply_to=[business.email] if business.email else None,
    )
    message.send()
    return True


def _price(booking, service) -> str:
    """The price as the booking pages show it: the total for everyone booked, or the service's label."""
    if service is None:
        return ""
    total = pricing.for_booking(booking, service).total
    return money(total) if total else price_label(service)
