"""Customers' emailed links: the token, the booking page it opens, canceling and rescheduling through it, and the
emails that carry it. Real database, the pages through Django's test client, on both backends: the embedded engine,
and the wix backend against the Wix sandbox under a live server (the tables asserted are the ones behind it)."""

import hashlib
import logging
import re
import smtplib
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.test import Client
from django.urls import reverse

from booking import models
from booking.errors import NotFound
from booking.models.catalog import ServiceType
from booking.port import Caller, ContactDetails, CreateBookingRequest, Resource, Slot
from notifications.models import Message
from tests.catalog import ANSWERS, make_business, make_class, make_form, make_policy, make_service, make_staff, weekdays
from tests.test_classes import class_request, course_request
from tests.test_views import fill_details, submit_review

NY = ZoneInfo("America/New_York")
LINK = re.compile(r"http://testserver(/manage/[A-Za-z0-9_-]{43}/)")

pytestmark = [pytest.mark.usefixtures("frozen_clock"), pytest.mark.django_db(transaction=True)]


@pytest.fixture(params=["local", "wix"])
def studio(request, settings):
    if request.param == "wix":
        request.getfixturevalue("wix_site")
    settings.SITE_URL = "http://testserver"  # the test client's host, so that emailed links can be followed
    make_business()
    make_policy(cancellation_enabled=True, limit_latest_cancellation=True, latest_cancellation_in_minutes=48 * 60,
                reschedule_enabled=True, limit_latest_reschedule=True, latest_reschedule_in_minutes=48 * 60,
                max_participants_per_booking=4)
    ana = make_staff("Ana", weekdays(time(9), time(17)))
    bob = make_staff("Bob", weekdays(time(9), time(17)))
    sam = make_staff("Sam", weekdays(time(8), time(21)))
    massage = make_service([ana, bob], form=make_form())
    yoga = make_class(sam, [(2, time(18)), (3, time(18))], capacity=3)  # Wednesdays and Thursdays
    pottery = make_class(sam, [(4, time(18))], name="Pottery", type=ServiceType.COURSE, starts_on=date(2026, 3, 6),
                         ends_on=date(2026, 3, 27))
    return {"ana": ana, "bob": bob, "massage": massage, "yoga": yoga, "pottery": pottery}


@pytest.fixture
def engine(studio):
    """The configured backend behind the port: the embedded engine, or the wix backend with a visitor session of its
    own (the bookings the tests make are another visitor's than the test client's)."""
    from booking.backends import get_backend
    from booking.backends.wix import auth

    with auth.bound_session({}):
        yield get_backend()


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=NY)


def book(engine, service, start=None, staff=None, *, request=None):
    """A booking made and confirmed through the engine (paid in person): an appointment at `start`, or `request`."""
    if request is None:
        request = CreateBookingRequest(
            slot=Slot(str(service.pk), start, start + timedelta(hours=1), "America/New_York",
                      resource=Resource(str(staff.pk), staff.name) if staff else None),
            contact_details=ContactDetails("", "", ""), form_submission=ANSWERS, selected_payment_option="OFFLINE")
    booking = engine.create_booking(request)
    return engine.confirm_or_decline_booking(booking.id, payment_status="NOT_PAID")


def sessions(service):
    return list(models.ClassSession.objects.filter(service=service).order_by("start"))


def open_link(client, engine, booking):
    """Follow a fresh link for the booking; returns the booking's page (after the redirect that drops the token)."""
    token = engine.get_anonymous_action_token(booking.id)
    page = client.get(reverse("booking:manage_link", args=[token]), follow=True)
    assert page.redirect_chain == [(reverse("booking:manage", args=[booking.id]), 302)]
    return page


def snapshot(booking_id):
    """What a refused or read-only request must leave as it was."""
    row = models.Booking.objects.get(public_id=booking_id)
    return (row.status, row.revision, row.start, row.staff_id, row.session_id, row.updated_at,
            models.BookingChange.objects.count())


def stored(booking):
    return models.Booking.objects.get(public_id=booking.id)


# ---- the token -------------------------------------------------------------------------------------------------


GONE = "This link no longer opens a booking. If you have a booking with us, use the link in your latest email."


def assert_gone(page):
    """The one neutral answer of a link or page that opens no booking: same status, same words."""
    assert page.status_code == 404
    html = page.content.decode()
    assert GONE in html
    words = re.sub(r'nonce="[^"]*"', "", html)  # a random CSP nonce can spell anything
    assert "Massage" not in words and "Ana" not in words  # nothing about any booking


def test_only_the_tokens_digest_is_stored(client, engine, studio):
    booking = book(engine, studio["massage"], at(4, 9), studio["ana"])
    token = engine.get_anonymous_action_token(booking.id)
    # Stored as its digest (the confirmation email's link is another token, with a row of its own).
    row = models.AnonymousActionToken.objects.get(digest=hashlib.sha256(token.encode()).hexdigest())
    # Opened in a browser: the session keeps the digest; the token itself stays with the customer, in a cookie
    # sent only to that booking's pages.
    client.get(reverse("booking:manage_link", args=[token]))
    assert client.session["manage_links"] == {booking.id: row.digest}
    cookie = client.cookies[f"manage_{booking.id}"]
    assert (cookie.value, cookie["path"], cookie["httponly"], cookie["samesite"]) == (
        token, f"/bookings/{booking.id}/", True, "Lax")
    with connection.cursor() as cursor:  # nowhere in the database, in any table, the session table included
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (our own table names)
            rows = cursor.fetchall()
            if table == "django_session":
                assert rows, "the session is stored in the database"
                rows = [(models_session.get_decoded(),) for models_session in Session.objects.all()]
            assert not any(token in str(value) for record in rows for value in record), table
    assert engine.get_anonymous_action_token(booking.id) != token  # each email gets its own


def test_opening_a_link_cycles_the_session_key(client, engine, studio):
    booking = book(engine, studio["massage"], at(4, 9), studio["ana"])
    client.get(reverse("booking:services"))
    client.session.save()
    planted = client.session.session_key
    client.cookies["sessionid"] = planted  # say a session id was planted in this browser beforehand
    open_link(client, engine, booking)
    assert client.session.session_key != planted
    assert not Session.objects.filter(session_key=planted).exists()


@pytest.mark.parametrize("token", ["x" * 43, "abc", "not a token at all!" * 3])
def test_unknown_links_are_a_neutral_404(client, studio, token):
    assert_gone(client.get(reverse("booking:manage_link", args=[token])))
    assert "manage_links" not in client.session


def test_a_tampered_link_is_a_404(client, engine, studio):
    booking = book(engine, studio["massage"], at(4, 9), studio["ana"])
    token = engine.get_anonymous_action_token(booking.id)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert_gone(client.get(reverse("booking:manage_link", args=[tampered])))


def test_a_link_expires_when_its_booking_is_over(client, engine, studio):
    booking = book(engine, studio["massage"], at(4, 9), studio["ana"])
    token = engine.get_anonymous_action_token(booking.id)
    open_link(client, engine, booking)
    with time_machine.travel(at(4, 10), tick=False):
        assert_gone(client.get(reverse("booking:manage_link", args=[token])))
        # The page it opened earlier in this browser expires with it.
        assert_gone(client.get(reverse("booking:manage", args=[booking.id])))


@pytest.mark.parametrize("close", ["cancel", "decline"])
def test_a_link_stops_working_once_its_booking_is_canceled_or_declined(client, engine, studio, close):
    if close == "decline":  # a request waiting for approval, which staff then decline
        models.Service.objects.filter(pk=studio["massage"].pk).update(require_manual_approval=True)
    booking = book(engine, studio["massage"], at(4, 9), studio["ana"])
    token = engine.get_anonymous_action_token(booking.id)
    open_link(client, engine, booking)
    if close == "cancel":
        engine.cancel_booking(booking.id, revision=booking.revision, caller=Caller.STAFF)
    else:
        assert booking.status == "PENDING"
        engine.decline_booking(booking.id, revision=booking.revision)
    assert_gone(Client().get(reverse("booking:manage_link", args=[token])))
    before = snapshot(booking.id)
    for name in ("manage", "manage_cancel", "manage_reschedule"):
        assert_gone(client.get(reverse(f"booking:{name}", args=[booking.id])))
    assert_gone(client.post(reverse("booking:manage_cancel", args=[booking.id]), {"revision": booking.revision + 1}))
    assert snapshot(booking.id) == before
    for call in (lambda: engine.get_booking_anonymously(token),
                 lambda: engine.cancel_booking_anonymously(token, revision=booking.revision + 1)):
        with pytest.raises(NotFound):
            call()


def test_unknown_expired_and_revoked_links_get_the_very_same_page(client, engine, studio):
    def main(page):
        html = page.content.decode()
        return page.status_code, html[html.index("<main"):html.index("</main>")]

    canceled = book(engine, studio["massage"], at(4, 9), studio["ana"])
    canceled_token = engine.get_anonymous_action_token(canceled.id)
    engine.cancel_booking(canceled.id, revision=canceled.revision, caller=Caller.STAFF)
    past = book(engine, studio["massage"], at(2, 9), studio["ana"])
    past_token = engine.get_anonymous_action_token(past.id)
    link = "booking:manage_link"
    with time_machine.travel(at(2, 11), tick=False):
        pages = {main(Client().get(reverse(link, args=[token]))) for token in (canceled_token, past_token, "x" * 43)}
        pages.add(main(Client().get(reverse("booking:manage", args=[past.id]))))
    assert len(pages) == 1 and next(iter(pages))[0] == 404


def test_the_pages_need_the_link_in_this_browser(client, engine, studio):
    booking = book(engine, studio["massage"], at(4, 9), studio["ana"])
    for name in ("manage", "manage_cancel", "manage_reschedule"):
        assert_gone(client.get(reverse(f"booking:{name}", args=[booking.id])))
    assert_gone(client.post(reverse("booking:manage_cancel", args=[booking.id]), {"revision": 2}))
    assert stored(booking).status == "CONFIRMED"


def test_the_pages_need_both_the_session_and_the_cookie(client, engine, studio):
    booking = book(engine, studio["massage"], at(4, 9), studio["ana"])
    other = book(engine, studio["massage"], at(5, 9), studio["ana"])
    open_link(client, engine, booking)
    url = reverse("booking:manage", args=[booking.id])
    cookie = f"manage_{booking.id}"
    token = client.cookies[cookie].value

    thief = Client()  # the cookie alone, without the session that opened the link
    thief.cookies[cookie] = token
    assert_gone(thief.get(url))

    client.cookies[cookie] = engine.get_anonymous_action_token(other.id)  # a real token, for another booking
    assert_gone(client.get(url))
    client.cookies[cookie] = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert_gone(client.get(url))
    del client.cookies[cookie]
    assert_gone(client.get(url))
    client.cookies[cookie] = token
    assert client.get(url).status_code == 200


# ---- the booking's page ----------------------------------------------------------------------------------------


def test_the_booking_page_shows_the_booking_and_changes_nothing(client, engine, studio):
    booking = book(engine, studio["massage"], at(4, 9), studio["ana"])
    token = engine.get_anonymous_action_token(booking.id)
    before = snapshot(booking.id), models.AnonymousActionToken.objects.count()
    page = client.get(reverse("booking:manage_link", args=[token]), follow=True)
    assert page.status_code == 200
    html = page.content.decode()
    for text in ("Massage", "Wednesday 4 March 2026, 9:00 AM – 10:00 AM", "America/New_York", "Ana",
                 "Main room, 1 Main St", "Confirmed", "Pay at your visit", "$80.00", "Cancel this booking",
                 "Choose another time"):
        assert text in html, text
    assert f"?staff={studio['ana'].pk}" in html  # the times page starts with her times
    assert token not in html
    client.get(reverse("booking:manage", args=[booking.id]))
    assert (snapshot(booking.id), models.AnonymousActionToken.objects.count()) == before


def test_the_booking_page_says_why_it_cannot_be_changed(client, engine, studio):
    booking = book(engine, studio["massage"], at(2, 9), studio["ana"])  # 26 hours ahead; the windows close at 48
    html = open_link(client, engine, booking).content.decode()
    assert ("Bookings can be canceled online until 48 h before they start; for this one that was Saturday 28 "
            "February 2026, 9:00 AM (America/New_York).") in html
    assert "can be moved online until 48 h" in html
    assert "Cancel this booking" not in html and "Choose another time" not in html
    assert "+1 555 0100" in html  # how to reach the business instead


# ---- cancel ----------------------------------------------------------------------------------------------------


def test_a_customer_cancels_from_the_link(client, engine, studio):
    booking = book(engine, studio["massage"], at(4, 9), studio["ana"])
    open_link(client, engine, booking)
    url = reverse("booking:manage_cancel", args=[booking.id])
    confirm = client.get(url)
    html = confirm.content.decode()
    assert confirm.status_code == 200 and "Cancel this booking?" in html
    assert f'name="revision" value="{booking.revision}"' in html and "csrfmiddlewaretoken" in html
    assert stored(booking).status == "CONFIRMED"  # the question changes nothing

    done = client.post(url, {"revision": booking.revision}, follow=True)
    # Its link opens nothing now: the customer is told on the services page, and this browser forgets the link.
    assert done.redirect_chain == [(reverse("booking:services"), 302)]
    assert "Your booking of Massage on Wednesday 4 March 2026, 9:00 AM is canceled." in done.content.decode()
    assert stored(booking).status == "CANCELED"
    change = models.BookingChange.objects.filter(booking__public_id=booking.id).last()
    assert (change.event, change.actor) == ("canceled", "customer")
    assert client.session["manage_links"] == {}
    assert client.cookies[f"manage_{booking.id}"].value == ""
    assert_gone(client.get(reverse("booking:manage", args=[booking.id])))


def test_cancel_needs_the_csrf_token(engine, studio):
    client = Client(enforce_csrf_checks=True)
    booking = book(engine, studio["massage"], at(4, 9), studio["ana"])
    open_link(client, engine, booking)
    before = snapshot(booking.id)
    assert client.post(reverse("booking:manage_cancel", args=[booking.id]), {"revision": 2}).status_code == 403
    assert snapshot(booking.id) == before


def test_cancel_is_refused_once_the_policy_window_closed(client, engine, studio):
    booking = book(engine, studio["massage"], at(2, 9), studio["ana"])
    open_link(client, engine, booking)
    before = snapshot(booking.id)
    url = reverse("booking:manage_cancel", args=[booking.id])
    assert client.get(url).status_code == 403
    page = client.post(url, {"revision": booking.revision})
    assert page.status_code == 403
    assert "can be canceled online until 48 h before they start" in page.content.decode()
    assert snapshot(booking.id) == before


def test_a_policy_that_keeps_links_from_canceling_is_followed(client, engine, studio):
    models.BookingPolicy.objects.update(cancellation_allow_anonymous=False)
    booking = book(engine, studio["massage"], at(4, 9), studio["ana"])
    open_link(client, engine, booking)
    page = client.post(reverse("booking:manage_cancel", args=[booking.id]), {"revision": booking.revision})
    assert page.status_code == 403
    assert "This booking cannot be canceled online." in page.content.decode()
    assert stored(booking).status == "CONFIRMED"


def test_a_stale_revision_is_a_409_and_changes_nothing(client, engine, studio):
    booking = book(engine, studio["massage"], at(4, 9), studio["ana"])
    open_link(client, engine, booking)
    ana = studio["ana"]
    engine.reschedule_booking(booking.id, revision=booking.revision, caller=Caller.STAFF, slot=Slot(  # staff, meanwhile
        str(studio["massage"].pk), at(4, 11), at(4, 12), "America/New_York", resource=Resource(str(ana.pk), ana.name)))
    before = snapshot(booking.id)
    page = client.post(reverse("booking:manage_cancel", args=[booking.id]), {"revision": booking.revision})
    assert page.status_code == 409
    assert "This booking changed since you opened this page. Reload to see it as it is now." in page.content.decode()
    assert snapshot(booking.id) == before


def test_a_replayed_cancel_is_the_neutral_404(client, engine, studio):
    booking = book(engine, studio["massage"], at(4, 9), studio["ana"])
    cookies = open_link(client, engine, booking).client.cookies.output()
    url = reverse("booking:manage_cancel", args=[booking.id])
    client.post(url, {"revision": booking.revision}, follow=True)
    before = snapshot(booking.id)
    client.cookies.load(cookies.replace("Set-Cookie: ", ""))  # the replay carries the link's cookie again
    assert_gone(client.post(url, {"revision": booking.revision}))
    assert snapshot(booking.id) == before


@pytest.mark.parametrize("data", [{}, {"revision": "two"}])
def test_a_cancel_without_a_revision_is_a_400(client, engine, studio, data):
    booking = book(engine, studio["massage"], at(4, 9), studio["ana"])
    open_link(client, engine, booking)
    assert client.post(reverse("booking:manage_cancel", args=[booking.id]), data).status_code == 400
    assert stored(booking).status == "CONFIRMED"


# ---- reschedule ------------------------------------------------------------------------------------------------


def test_an_appointment_moves_to_another_time(client, engine, studio):
    booking = book(engine, studio["massage"], at(4, 9), studio["ana"])
    page = open_link(client, engine, booking)
    times = client.get(page.context["reschedule_url"])
    assert times.status_code == 200 and times.context["staff"] == str(studio["ana"].pk)
    times = client.get(page.context["reschedule_url"] + "&month=2026-03&day=2026-03-05")
    [move_url] = [time.href for time in times.context["times"] if time.slot.start_date == at(5, 11)]

    confirm = client.get(move_url)
    html = confirm.content.decode()
    assert confirm.status_code == 200 and "Move your booking?" in html
    assert "Thursday 5 March 2026, 11:00 AM – 12:00 PM" in html
    assert stored(booking).start == at(4, 9)  # the question changes nothing

    form = confirm.context["choice"]
    done = client.post(reverse("booking:manage_reschedule", args=[booking.id]),
                       {"revision": booking.revision, "start": form.start, "end": form.end, "staff": form.staff},
                       follow=True)
    assert done.redirect_chain == [(reverse("booking:manage", args=[booking.id]), 302)]
    html = done.content.decode()
    assert "Your booking has moved to Thursday 5 March 2026, 11:00 AM." in html
    assert "Thursday 5 March 2026, 11:00 AM – 12:00 PM" in html
    moved = stored(booking)
    assert (moved.start, moved.staff, moved.status) == (at(5, 11), studio["ana"], "CONFIRMED")
    change = models.BookingChange.objects.filter(booking=moved).last()
    assert (change.event, change.actor) == ("rescheduled", "customer")


def test_the_times_page_pages_by_month_and_answers_htmx_with_its_fragments(client, engine, studio):
    booking = book(engine, studio["massage"], at(4, 9), studio["ana"])
    open_link(client, engine, booking)
    url = reverse("booking:manage_reschedule", args=[booking.id]) + "?month=2026-04&staff=any"
    page = client.get(url, headers={"HX-Request": "true", "HX-Target": "picker"})
    html = page.content.decode()
    assert page.status_code == 200 and html.lstrip().startswith('<section id="picker"')
    assert "April 2026</h2>" in html and "?month=2026-05&amp;staff=any" in html
    assert "?month=2026-04&amp;day=2026-04-06&amp;staff=any" in html
    here = reverse("booking:manage_reschedule", args=[booking.id])
    assert here + "?start=2026-04-01T09" in html  # the month's first open day, leading to "Move your booking?"
    day = client.get(here + "?month=2026-04&day=2026-04-06&staff=any", headers={"HX-Request": "true",
                                                                               "HX-Target": "times"})
    html = day.content.decode()
    assert html.lstrip().startswith('<section id="times"') and here + "?start=2026-04-06T09" in html


def test_a_time_taken_meanwhile_is_a_409_with_the_times_again(client, engine, studio):
    booking = book(engine, studio["massage"], at(4, 9), studio["ana"])
    open_link(client, engine, booking)
    book(engine, studio["massage"], at(5, 11), studio["ana"])  # someone else takes it
    before = snapshot(booking.id)
    page = client.post(reverse("booking:manage_reschedule", args=[booking.id]), {
        "revision": booking.revision, "start": "2026-03-05T11:00:00-05:00", "end": "2026-03-05T12:00:00-05:00",
        "staff": str(studio["ana"].pk)})
    assert page.status_code == 409
    html = page.content.decode()
    assert "this time was just taken" in html and 'id="picker"' in html
    assert snapshot(booking.id) == before


@pytest.mark.parametrize("query", ["month=someday", "day=2027-06-01", "tz=Mars/Olympus", "staff=0",
                                   "start=2026-03-05T11:00:00-05:00&end=2026-03-05T12:00:00-05:00&staff={ana}&tz=Mars/Olympus"])
def test_bad_addresses_of_the_times_page_are_a_400(client, engine, studio, query):
    booking = book(engine, studio["massage"], at(4, 9), studio["ana"])
    book(engine, studio["massage"], at(5, 11), studio["ana"])  # the last query asks for this taken time
    open_link(client, engine, booking)
    page = client.get(reverse("booking:manage_reschedule", args=[booking.id]) + "?" + query.format(
        ana=studio["ana"].pk))
    assert page.status_code == 400 and "See your booking as it is now" in page.content.decode()


def test_a_stale_revision_on_reschedule_is_a_409(client, engine, studio):
    booking = book(engine, studio["massage"], at(4, 9), studio["ana"])
    open_link(client, engine, booking)
    page = client.post(reverse("booking:manage_reschedule", args=[booking.id]), {
        "revision": booking.revision - 1, "start": "2026-03-05T11:00:00-05:00", "end": "2026-03-05T12:00:00-05:00",
        "staff": "any"})
    assert page.status_code == 409 and "This booking changed since you opened this page" in page.content.decode()
    assert stored(booking).start == at(4, 9)


def test_a_class_booking_moves_to_another_session(client, engine, studio):
    yoga = studio["yoga"]
    first, second = sessions(yoga)[:2]
    booking = book(engine, yoga, request=class_request(str(first.public_id), yoga, participants=2))
    open_link(client, engine, booking)
    url = reverse("booking:manage_reschedule", args=[booking.id])
    html = client.get(url).content.decode()
    # The booking's own Wednesday has nothing else to move to; the first day that has is chosen.
    assert 'aria-label="Wednesday 4 March, full or closed"' in html
    assert "Thursday 5 March</h2>" in html and f"?event={second.public_id}" in html
    own_day = client.get(url + "?month=2026-03&day=2026-03-04").content.decode()
    assert "<strong>Your booking</strong>" in own_day and f"?event={first.public_id}" not in own_day

    confirm = client.get(f"{url}?event={second.public_id}")
    assert confirm.status_code == 200 and "Thursday 5 March 2026, 6:00 PM" in confirm.content.decode()
    done = client.post(url, {"revision": booking.revision, "event": str(second.public_id)}, follow=True)
    assert "Your booking has moved to Thursday 5 March 2026, 6:00 PM." in done.content.decode()
    assert stored(booking).session == second


def test_a_full_session_is_a_409_with_the_sessions_again(client, engine, studio):
    yoga = studio["yoga"]
    first, second = sessions(yoga)[:2]
    booking = book(engine, yoga, request=class_request(str(first.public_id), yoga, participants=2))
    book(engine, yoga, request=class_request(str(second.public_id), yoga, participants=2))  # 1 place left of 3
    open_link(client, engine, booking)
    url = reverse("booking:manage_reschedule", args=[booking.id])
    html = client.get(url).content.decode()
    assert 'aria-label="Thursday 5 March, full or closed"' in html  # too few places for two
    assert "Wednesday 11 March</h2>" in html
    thursday = client.get(url + "?day=2026-03-05").content.decode()
    assert "1 spot left" in thursday and f"?event={second.public_id}" not in thursday
    page = client.post(url, {"revision": booking.revision, "event": str(second.public_id)})
    assert page.status_code == 409 and 'id="picker"' in page.content.decode()
    assert stored(booking).session == first


def test_a_course_cannot_be_moved(client, engine, studio):
    pottery = studio["pottery"]
    booking = book(engine, pottery, request=course_request(pottery))
    html = open_link(client, engine, booking).content.decode()
    assert "A course cannot be moved to other dates." in html and "Cancel this booking" in html
    before = snapshot(booking.id)
    url = reverse("booking:manage_reschedule", args=[booking.id])
    assert client.get(url).status_code == 403
    page = client.post(url, {"revision": booking.revision, "event": str(sessions(pottery)[1].public_id)})
    assert page.status_code == 403 and "A course cannot be moved" in page.content.decode()
    assert snapshot(booking.id) == before


def test_a_part_of_a_package_is_not_moved_alone(client, engine, studio):
    facial = make_service([studio["bob"]], name="Facial")
    parts = [
        CreateBookingRequest(slot=Slot(str(service.pk), at(4, hour), at(4, hour + 1), "America/New_York",
                                       resource=Resource(str(staff.pk), staff.name)),
                             contact_details=ContactDetails("", "", ""), form_submission=ANSWERS,
                             selected_payment_option="OFFLINE")
        for service, staff, hour in [(studio["massage"], studio["ana"], 9), (facial, studio["bob"], 10)]
    ]
    first = engine.create_multi_service_booking(parts).bookings[0]
    first = engine.confirm_or_decline_booking(first.id, payment_status="NOT_PAID")
    html = open_link(client, engine, first).content.decode()
    assert "This booking cannot be moved online." in html and "Cancel this booking" in html
    page = client.post(reverse("booking:manage_reschedule", args=[first.id]), {
        "revision": first.revision, "start": "2026-03-05T09:00:00-05:00", "end": "2026-03-05T10:00:00-05:00",
        "staff": "any"})
    assert page.status_code == 403 and stored(first).start == at(4, 9)


# ---- emails ----------------------------------------------------------------------------------------------------


WEDNESDAY = {"start": "2026-03-04T09:00:00-05:00", "end": "2026-03-04T10:00:00-05:00"}


def book_through_the_pages(client, service, django_capture_on_commit_callbacks):
    fill_details(client, service, **WEDNESDAY)
    with django_capture_on_commit_callbacks(execute=True):
        response = submit_review(client, service)
    assert response.status_code == 302
    return client.get(response.url)


def test_a_confirmed_booking_is_emailed_with_a_working_link(client, studio, django_capture_on_commit_callbacks):
    confirmation = book_through_the_pages(client, studio["massage"], django_capture_on_commit_callbacks)
    assert "We emailed a link to change or cancel this booking to ada@example.com." in confirmation.content.decode()
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["ada@example.com"] and email.subject == "Your booking is confirmed: Massage"
    for text in ("Wednesday 4 March 2026, 9:00 AM – 10:00 AM (America/New_York)", "Where: Main room, 1 Main St",
                 "Status: Confirmed", "Price: $80.00", "Payment: Pay at your visit"):
        assert text in email.body, text
    link = LINK.search(email.body).group(1)

    stranger = Client()  # the link works in any browser, such as the customer's phone
    page = stranger.get(link, follow=True)
    assert page.status_code == 200 and "Wednesday 4 March 2026, 9:00 AM" in page.content.decode()


def test_cancel_and_reschedule_are_emailed(client, engine, studio, django_capture_on_commit_callbacks):
    booking = book(engine, studio["massage"], at(4, 9), studio["ana"])
    open_link(client, engine, booking)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("booking:manage_reschedule", args=[booking.id]), {
            "revision": booking.revision, "start": "2026-03-05T11:00:00-05:00",
            "end": "2026-03-05T12:00:00-05:00", "staff": "any"})
    moved = mail.outbox[-1]
    assert moved.subject == "Your booking has moved: Massage"
    assert "Thursday 5 March 2026, 11:00 AM – 12:00 PM (America/New_York)" in moved.body
    link = LINK.search(moved.body).group(1)
    assert Client().get(link, follow=True).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("booking:manage_cancel", args=[booking.id]), {"revision": booking.revision + 1})
    canceled = mail.outbox[-1]
    assert canceled.subject == "Your booking is canceled: Massage"
    assert "Status: Canceled" in canceled.body and not LINK.search(canceled.body)


def test_a_request_waiting_for_approval_is_emailed_with_its_link(client, studio, django_capture_on_commit_callbacks):
    studio["massage"].require_manual_approval = True
    studio["massage"].save()
    book_through_the_pages(client, studio["massage"], django_capture_on_commit_callbacks)
    email = mail.outbox[-1]
    assert email.subject == "We have your booking request: Massage"
    assert "Status: Waiting for Test Studio to approve it" in email.body and LINK.search(email.body)


def test_a_booking_waiting_for_online_payment_gets_no_email_yet(engine, studio, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        engine.create_booking(CreateBookingRequest(
            slot=Slot(str(studio["massage"].pk), at(4, 9), at(4, 10), "America/New_York"),
            contact_details=ContactDetails("", "", ""), form_submission=ANSWERS, selected_payment_option="OFFLINE"))
    assert mail.outbox == []


class BrokenEmailBackend(BaseEmailBackend):
    """A mail server that is down; it keeps what it was asked to send, to look for the link in the logs."""

    bodies: list[str] = []

    def send_messages(self, email_messages):
        self.bodies.extend(message.body for message in email_messages)
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def test_a_link_whose_booking_is_gone_is_logged_without_its_token(client, studio, caplog):
    token = "T0ken-of-a-booking-that-is-gone_0123456789abcdefghij"
    answer = client.get(reverse("booking:manage_link", args=[token]))
    assert 400 <= answer.status_code < 500
    assert "/manage/<token>/" in caplog.text and token not in caplog.text


def test_a_failed_email_does_not_break_the_booking_and_no_token_is_logged(
        client, engine, studio, settings, caplog, django_capture_on_commit_callbacks):
    caplog.set_level(logging.DEBUG)
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.BrokenEmailBackend"}}
    BrokenEmailBackend.bodies.clear()
    confirmation = book_through_the_pages(client, studio["massage"], django_capture_on_commit_callbacks)
    assert confirmation.status_code == 200 and "You're booked" in confirmation.content.decode()
    assert models.Booking.objects.get().status == "CONFIRMED"
    # The email waits in the outbox for its next attempt, with the error for staff to see.
    [message] = Message.objects.filter(kind="confirmed")
    assert (message.status, message.attempts) == ("pending", 1) and "SMTPServerDisconnected" in message.last_error
    token = LINK.search(BrokenEmailBackend.bodies[0]).group(1).split("/")[2]

    # Refusals are logged by Django as warnings with their path: the path no longer carries the token.
    booking = models.Booking.objects.get()
    client.get(f"/manage/{token}/")
    client.post(reverse("booking:manage_cancel", args=[booking.public_id]), {"revision": 1})  # stale: 409
    client.post(reverse("booking:manage_reschedule", args=[booking.public_id]), {"revision": booking.revision})
    assert any(record.levelno == logging.WARNING and record.name == "django.request" for record in caplog.records)
    assert token not in caplog.text


def test_production_warns_when_emailed_links_would_point_at_this_machine(settings):
    from booking.checks import site_url

    settings.DEBUG, settings.SITE_URL = False, "http://127.0.0.1:8000"
    assert [w.id for w in site_url()] == ["booking.W001"]
    settings.SITE_URL = "https://book.example.com"
    assert site_url() == []
    settings.DEBUG, settings.SITE_URL = True, "http://127.0.0.1:8000"
    assert site_url() == []
