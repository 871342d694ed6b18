"""What each email says: the kinds of message, who gets them, and the email (HTML, plain text, calendar file) for an
outbox row, rendered from the bookings as they are when it is sent (read through the bookings port)."""

from dataclasses import dataclass
from email.utils import formataddr
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, timezone

from booking.backends import get_backend
from booking.errors import NotFound
from booking.templatetags.booking_tags import money
from payments import pricing

from . import calendar


@dataclass(frozen=True)
class Kind:
    subject: str
    headline: str
    statuses: frozenset  # the status every booking of the message must still have for it to be true
    to_business: bool = False
    method: str | None = None  # the calendar file's METHOD, or None for no file


ACTIVE = frozenset({"CONFIRMED", "PENDING", "CREATED", "WAITING_LIST"})
KINDS = {
    "confirmed": Kind("Your booking is confirmed", "Your booking is confirmed. We look forward to seeing you.",
                      frozenset({"CONFIRMED"}), method=calendar.REQUEST),
    "marked_as_pending": Kind("We have your booking request",
                              "We have your booking request. Your time is held while we look at it; we will write "
                              "again once it is confirmed.", frozenset({"PENDING"}), method=calendar.REQUEST),
    "rescheduled": Kind("Your booking has moved", "Your booking has moved to a new time.", ACTIVE,
                        method=calendar.REQUEST),
    "participants_updated": Kind("Your booking has changed", "The number of people on your booking has changed.",
                                 ACTIVE),
    "canceled": Kind("Your booking is canceled", "Your booking is canceled.", frozenset({"CANCELED"}),
                     method=calendar.CANCEL),
    "declined": Kind("Your booking request was declined", "Sorry, we could not accept your booking.",
                     frozenset({"DECLINED"}), method=calendar.CANCEL),
    "reminder": Kind("Reminder: your booking", "A reminder of your booking. We look forward to seeing you.",
                     frozenset({"CONFIRMED"}), method=calendar.REQUEST),
    "pending_notice": Kind("Your booking still waits for approval",
                           "Your booking request has not been approved yet. Your time is still held for you; we "
                           "will write again once it is confirmed.", frozenset({"PENDING"})),
    # A place held for the next customer on a class's waitlist; filed in the offer's own transaction (outbox.py).
    "waitlist_offer": Kind("A place is free for you", "A place has come free in the class you are waiting for. It is "
                           "held for you until {until}; take it up or decline it from the link below, and if you "
                           "do neither it goes to the next person waiting.", frozenset({"WAITING_LIST"})),
    "business_new": Kind("New booking", "A new booking was made.", frozenset({"CONFIRMED"}), to_business=True),
    "business_double_booked": Kind("Double booking", "A booking was confirmed although its time was already taken "
                                   "(double booked). Please check the schedule.", frozenset({"CONFIRMED"}),
                                   to_business=True),
    "business_pending": Kind("Booking waiting for approval", "A booking is waiting for your approval.",
                             frozenset({"PENDING"}), to_business=True),
    "business_canceled": Kind("Booking canceled", "A booking was canceled.", frozenset({"CANCELED"}),
                              to_business=True),
    "business_pending_notice": Kind("Still waiting for approval", "A booking that starts within 48 hours is still "
                                    "waiting for your approval.", frozenset({"PENDING"}), to_business=True),
}

# Bookings whose email carries the manage link: the ones a customer can still change.
LINKED = frozenset({"CONFIRMED", "PENDING"})


def load(booking_id: str):
    """The bookings a message is about: a package's (by its id) or one booking's; [] when unknown."""
    backend = get_backend()
    found = backend.query_extended_bookings(booking_ids=[booking_id])
    if found and found[0].multi_service_booking_id:
        return list(backend.get_multi_service_booking(found[0].multi_service_booking_id).bookings)
    if found:
        return found
    try:
        return list(backend.get_multi_service_booking(booking_id).bookings)
    except NotFound:
        return []


def subject_id(booking) -> str:
    """The id a message is filed under: the package's, so that a package gets one email, or the booking's."""
    return booking.multi_service_booking_id or booking.id


def build(message) -> EmailMultiAlternatives | None:
    """The email for an outbox row, or None when it is no longer true: the booking changed again (the later change
    has its own email), a later message of the same kind supersedes it (a package's bookings change one by one, and
    each change files the package's email again), or a reminder's booking moved (the new time has its own)."""
    kind = KINDS[message.kind]
    if type(message).objects.filter(booking_id=message.booking_id, kind=message.kind, pk__gt=message.pk).exists():
        return None
    bookings = load(message.booking_id)
    if not bookings or any(b.status not in kind.statuses for b in bookings):
        return None
    if message.version.startswith("start:") and message.version != start_version(bookings):
        return None
    backend = get_backend()
    business = backend.get_business_info()
    headline = kind.headline
    if message.kind == "rescheduled" and any(b.status == "PENDING" for b in bookings):
        headline += " The new time waits for our approval; it is held for you meanwhile."
    first = bookings[0]
    if message.kind == "waitlist_offer":
        until = first.waitlist_offer_expires_at
        if until is None or until <= timezone.now():
            return None  # the offer lapsed before the email could go: the place went to the next person
        when = dateformat.format(until.astimezone(ZoneInfo(business.time_zone)), "l j F, g:i A")
        headline = headline.format(until=when)
    manage_url = ""
    if not kind.to_business and (first.status in LINKED or message.kind == "waitlist_offer"):
        token = backend.get_anonymous_action_token(first.id)
        manage_url = settings.SITE_URL.rstrip("/") + reverse("booking:manage_link", args=[token])
    # One service: read just it; a package's several: read the catalogue once.
    wanted = None if len(bookings) > 1 else {"id": first.service_id}
    services = {s.id: s for s in backend.query_services(filter=wanted)}
    items = [_item(b, services.get(b.service_id), business, kind) for b in bookings]
    context = {"bookings": bookings, "items": items, "business": business, "headline": headline,
               "manage_url": manage_url, "to_business": kind.to_business, "kind": message.kind,
               "admin_url": _admin_url(first) if kind.to_business else "", "customer": first.contact_details,
               "title": " + ".join(b.title for b in bookings)}
    subject = f"{kind.subject}: {context['title']}"
    reply_to = first.contact_details.email if kind.to_business else business.email
    email = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("emails/booking.txt", context),
        from_email=formataddr((business.name, settings.DEFAULT_FROM_EMAIL)) if business.name else None,
        to=[message.recipient],
        reply_to=[reply_to] if reply_to else None,
    )
    email.attach_alternative(render_to_string("emails/booking.html", context), "text/html")
    if kind.method and not kind.to_business:
        details = f"{business.name}" + (f"\nManage your booking: {manage_url}" if manage_url else "")
        ics = calendar.calendar_file(bookings, business=business, method=kind.method, description=details)
        email.attach("booking.ics", ics, f"text/calendar; method={kind.method}; charset=UTF-8")
    email.sequence = max(b.revision for b in bookings)
    return email


def start_version(bookings) -> str:
    """The version of a reminder or pending notice: the (first) start, so a moved booking gets a new one."""
    return "start:" + min(b.start_date for b in bookings).isoformat()


def revision_version(bookings) -> str:
    """The version of an email about a change: the revisions (summed over a package, whose bookings change together)."""
    return f"r{sum(b.revision for b in bookings)}"


def _item(booking, service, business, kind):
    google = ""
    if not kind.to_business and booking.status in LINKED:
        google = calendar.google_calendar_url(booking, business=business, details=business.name)
    amounts = pricing.settlement(booking, service) if service is not None else {}
    return {"booking": booking, "place": calendar.place(booking), "google_url": google,
            "total": money(amounts["total"]) if amounts.get("total") else "",
            "due": money(amounts["due"]) if amounts.get("due") is not None and amounts.get("total") else ""}


def _admin_url(booking) -> str:
    """The booking in the admin (the embedded engine's), found by its id; absolute, from SITE_URL."""
    return settings.SITE_URL.rstrip("/") + reverse("admin:booking_booking_changelist") + f"?q={booking.id}"
