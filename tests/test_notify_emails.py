"""What the emails say: HTML and text with the same facts, a calendar file that parses back (UID, SEQUENCE, METHOD),
the Google Calendar link, one email for a package, and what the business is told."""

import re
from datetime import UTC, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.core import mail
from icalendar import Calendar
from playwright.sync_api import expect

from booking.backends import get_backend
from booking.port import Caller, ContactDetails, CreateBookingRequest, Resource, Slot
from notifications.models import Message
from tests.catalog import ANSWERS, NOW, make_service
from tests.notify_helpers import WEDNESDAY_10, book, make_studio, move, stored, work

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def studio():
    return make_studio()


def calendar_of(email):
    [(name, content, mimetype)] = email.attachments
    assert name == "booking.ics" and mimetype.startswith("text/calendar; method=")
    return Calendar.from_ical(content)


def html_of(email):
    [(html, mimetype)] = email.alternatives
    assert mimetype == "text/html"
    return html


def customer_emails():
    return [m for m in mail.outbox if m.to == ["ada@example.com"]]


def test_the_calendar_file_keeps_its_uid_and_raises_its_sequence_through_a_move_and_a_cancel(engine, studio):
    booking = book(engine, studio)
    moved = move(engine, studio, booking, WEDNESDAY_10 + timedelta(days=1))
    engine.cancel_booking(moved.id, revision=moved.revision, caller=Caller.STAFF)
    confirmed, rescheduled, canceled = customer_emails()
    calendars = [calendar_of(e) for e in (confirmed, rescheduled, canceled)]
    assert [str(c["METHOD"]) for c in calendars] == ["REQUEST", "REQUEST", "CANCEL"]
    events = [c.events[0] for c in calendars]
    assert len({str(e["UID"]) for e in events}) == 1 and str(events[0]["UID"]) == f"booking-{booking.id}@127.0.0.1"
    sequences = [int(e["SEQUENCE"]) for e in events]
    assert sequences == sorted(set(sequences)) and sequences[0] == booking.revision
    first, second = events[0], events[1]
    assert first.start == WEDNESDAY_10.astimezone(UTC)
    assert first.end == (WEDNESDAY_10 + timedelta(hours=1)).astimezone(UTC)
    assert str(first.start.tzinfo) == "UTC" and "DTSTART:20260304T150000Z" in confirmed.attachments[0][1]
    assert second.start == (WEDNESDAY_10 + timedelta(days=1)).astimezone(UTC)
    assert [str(e["STATUS"]) for e in events] == ["CONFIRMED", "CONFIRMED", "CANCELLED"]
    assert str(first["LOCATION"]) == "Main room, 1 Main St" and "Test Studio" in str(first["SUMMARY"])
    assert str(first["ORGANIZER"]) == "mailto:owner@studio.example"
    assert str(first["ATTENDEE"]) == "mailto:ada@example.com"
    stored = Message.objects.get(kind="rescheduled")
    assert stored.sequence == sequences[1]


def test_html_and_text_tell_the_same_facts_and_the_google_link_is_right(engine, studio):
    booking = book(engine, studio)
    [email] = customer_emails()
    html, text = html_of(email), email.body
    facts = ["Massage", "Wednesday 4 March 2026, 10:00 AM – 11:00 AM", "America/New_York", "Ana",
             "Main room, 1 Main St", "$80.00", "Confirmed", "Pay at your visit", "$80.00 due", "Test Studio",
             "1 Main St, Springfield", "/manage/"]
    assert [f for f in facts if f not in text] == [] and [f for f in facts if f not in html] == []
    assert "Add to Google Calendar" in html and "Add to Google Calendar" in text
    assert "<link" not in html and "<img" not in html and "<script" not in html and "<style" not in html
    assert email.from_email == "Test Studio <bookings@localhost>" and email.reply_to == ["owner@studio.example"]
    google = next(line.split(": ", 1)[1] for line in text.splitlines() if line.startswith("Add to Google Calendar"))
    parts = urlsplit(google)
    query = parse_qs(parts.query)
    assert (parts.netloc, parts.path, query["action"]) == ("calendar.google.com", "/calendar/render", ["TEMPLATE"])
    assert query["dates"] == ["20260304T150000Z/20260304T160000Z"] and query["ctz"] == ["America/New_York"]
    assert query["text"] == ["Massage (Test Studio)"] and booking.id not in google


def test_a_canceled_booking_has_no_manage_link_nor_google_link(engine, studio):
    booking = book(engine, studio)
    engine.cancel_booking(booking.id, revision=booking.revision, caller=Caller.STAFF)
    canceled = customer_emails()[-1]
    assert canceled.subject == "Your booking is canceled: Massage"
    assert "/manage/" not in canceled.body and "Google" not in canceled.body and "Canceled" in html_of(canceled)


def test_the_business_is_told_of_new_double_booked_pending_and_canceled_bookings(engine, studio, settings):
    booking = book(engine, studio)
    business = [m for m in mail.outbox if m.to == ["owner@studio.example"]]
    assert [m.subject for m in business] == ["New booking: Massage"]
    assert "Customer: Ada Lovelace, ada@example.com" in business[0].body and business[0].attachments == []
    assert business[0].reply_to == ["ada@example.com"]
    assert f"http://127.0.0.1:8000/admin/booking/booking/?q={booking.id}" in html_of(business[0])

    engine.cancel_booking(booking.id, revision=booking.revision, caller=Caller.STAFF)
    assert mail.outbox[-1].subject == "Booking canceled: Massage" and mail.outbox[-1].to == ["owner@studio.example"]

    # Each kind can be switched off.
    settings.NOTIFY_BUSINESS = ["pending"]
    mail.outbox.clear()
    book(engine, studio, start=WEDNESDAY_10 + timedelta(hours=5))
    assert [m.to for m in mail.outbox] == [["ada@example.com"]]


def test_a_request_waiting_for_approval_tells_the_business_with_a_link_to_it():
    studio = make_studio(require_manual_approval=True)
    booking = book(get_backend(), studio)
    [business] = [m for m in mail.outbox if m.to == ["owner@studio.example"]]
    assert business.subject == "Booking waiting for approval: Massage"
    assert f"See it in the admin: http://127.0.0.1:8000/admin/booking/booking/?q={booking.id}" in business.body
    # Approving it is the business's own doing: no "new booking" email follows, the customer hears it is confirmed.
    mail.outbox.clear()
    get_backend().confirm_booking(booking.id, revision=booking.revision)
    assert [(m.subject, m.to) for m in mail.outbox] == [("Your booking is confirmed: Massage", ["ada@example.com"])]


def test_a_booking_confirmed_as_double_booked_is_told_to_the_business_as_such():
    engine = get_backend()
    studio = make_studio(require_manual_approval=True)
    ana = studio["ana"]
    created = [engine.create_booking(CreateBookingRequest(
        slot=Slot(str(studio["massage"].pk), WEDNESDAY_10, WEDNESDAY_10 + timedelta(hours=1), "America/New_York",
                  resource=Resource(str(ana.pk), ana.name)),
        contact_details=ContactDetails("", "", ""), form_submission={**ANSWERS, "email": f"c{i}@example.com"},
        selected_payment_option="OFFLINE")) for i in range(2)]
    pending = [engine.mark_booking_as_pending(b.id, revision=b.revision) for b in created]
    assert [p.double_booked for p in pending] == [False, True]
    mail.outbox.clear()
    engine.confirm_booking(pending[1].id, revision=pending[1].revision)
    assert stored(pending[1]).double_booked
    assert [(m.subject, m.to) for m in mail.outbox] == [
        ("Your booking is confirmed: Massage", ["c1@example.com"]),
        ("Double booking: Massage", ["owner@studio.example"])]


def test_a_package_sends_one_email_with_one_event_per_booking(db_tasks):
    engine = get_backend()
    studio = make_studio()
    ana = studio["ana"]
    facial = make_service([ana], name="Facial", duration_minutes=45, slot_interval_minutes=15)
    parts = [(studio["massage"], WEDNESDAY_10, timedelta(hours=1)),
             (facial, WEDNESDAY_10 + timedelta(hours=1), timedelta(minutes=45))]
    package = engine.create_multi_service_booking([CreateBookingRequest(
        slot=Slot(str(service.pk), start, start + length, "America/New_York", resource=Resource(str(ana.pk), ana.name)),
        contact_details=ContactDetails("", "", ""), form_submission=ANSWERS, selected_payment_option="OFFLINE")
        for service, start, length in parts])
    for booking in package.bookings:  # as the package page settles each part
        engine.confirm_or_decline_booking(booking.id, payment_status="NOT_PAID")
    work()
    [email] = customer_emails()
    assert email.subject == "Your booking is confirmed: Massage + Facial"
    assert "Service: Massage" in email.body and "Service: Facial" in email.body
    assert "Wednesday 4 March 2026, 11:00 AM – 11:45 AM" in html_of(email)
    events = calendar_of(email).events
    assert [str(e["SUMMARY"]) for e in events] == ["Massage (Test Studio)", "Facial (Test Studio)"]
    assert {str(e["UID"]) for e in events} == {f"booking-{b.id}@127.0.0.1" for b in package.bookings}
    assert [m.subject for m in mail.outbox if m.to == ["owner@studio.example"]] == ["New booking: Massage + Facial"]
    assert set(Message.objects.values_list("booking_id", flat=True)) == {package.id}


@pytest.mark.browser
def test_the_html_email_shows_the_booking_in_a_browser(engine, studio, page):
    book(engine, studio)
    [email] = customer_emails()
    page.set_content(html_of(email))
    for text in ["Hello Ada,", "Your booking is confirmed.", "Massage", "Wednesday 4 March 2026, 10:00 AM – 11:00 AM",
                 "Ana", "Main room, 1 Main St", "$80.00 due", "Pay at your visit", "1 Main St, Springfield"]:
        expect(page.get_by_text(text, exact=False).first).to_be_visible()
    expect(page.get_by_role("link", name="Add to Google Calendar")).to_have_attribute(
        "href", re.compile(r"^https://calendar\.google\.com/calendar/render\?action=TEMPLATE&"))
    manage = page.get_by_role("link", name="See, change or cancel this booking")
    expect(manage).to_have_attribute("href", re.compile(r"^http://127\.0\.0\.1:8000/manage/"))
