"""The calendar side of an email: an iCalendar file (RFC 5545/5546) and an "Add to Google Calendar" link.

Each booking is one VEVENT whose UID is fixed for the booking's life and whose SEQUENCE is the booking's revision,
which the engine raises on every change and stores on the booking: a moved booking's file (METHOD:REQUEST, same UID,
higher SEQUENCE) updates the event a calendar already holds, and a canceled one's (METHOD:CANCEL) removes it. Times
are written in UTC (DTSTART:...Z), which every client reads the same way; the business's zone is in the text.
"""

from datetime import UTC
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress

REQUEST, CANCEL = "REQUEST", "CANCEL"
PRODID = "-//Bookingsite//Bookings//EN"


def uid(booking_id: str) -> str:
    return f"booking-{booking_id}@{urlsplit(settings.SITE_URL).hostname or 'localhost'}"


def place(booking) -> str:
    location = booking.slot.location
    if location is None:
        return ""
    return ", ".join(part for part in (location.name, location.formatted_address) if part)


def calendar_file(bookings, *, business, method: str, description: str = "") -> bytes:
    organizer = vCalAddress(f"mailto:{business.email or settings.DEFAULT_FROM_EMAIL}")
    organizer.params["CN"] = business.name
    events = []
    for booking in bookings:
        attendee = vCalAddress(f"mailto:{booking.contact_details.email}")
        status = "CANCELLED" if method == CANCEL else ("TENTATIVE" if booking.status == "PENDING" else "CONFIRMED")
        events.append(Event.new(
            uid=uid(booking.id), sequence=booking.revision, stamp=timezone.now(),
            start=booking.start_date.astimezone(UTC), end=booking.end_date.astimezone(UTC),
            summary=f"{booking.title} ({business.name})", location=place(booking) or None,
            description=description or None, status=status, organizer=organizer, attendees=[attendee],
        ))
    return Calendar.new(method=method, prodid=PRODID, subcomponents=events).to_ical()


def google_calendar_url(booking, *, business, details: str = "") -> str:
    """Google Calendar's "create event" template link (calendar.google.com/calendar/render?action=TEMPLATE)."""
    stamp = "%Y%m%dT%H%M%SZ"
    dates = f"{booking.start_date.astimezone(UTC):{stamp}}/{booking.end_date.astimezone(UTC):{stamp}}"
    query = {"action": "TEMPLATE", "text": f"{booking.title} ({business.name})", "dates": dates,
             "ctz": business.time_zone, "details": details, "location": place(booking)}
    return "https://calendar.google.com/calendar/render?" + urlencode({k: v for k, v in query.items() if v})
