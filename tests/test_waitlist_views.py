"""The waitlist's customer pages through Django's test client, on the real engine: joining from a full session,
the offer's email and link, taking the place (paid in person, or online through the Stripe sandbox), leaving, a
lapsed offer; and in wix mode, where no waitlist is offered."""

import re
from datetime import time, timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from booking import models
from booking.port import BookingStatus, Caller
from tests.catalog import NOW, make_business, make_class, make_policy, make_staff, weekdays
from tests.test_waitlist import book

LINK = re.compile(r"http://testserver(/manage/[A-Za-z0-9_-]{43}/)")
TUESDAY = "2026-03-03"


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def full_class(engine, settings, clock):
    settings.SITE_URL = "http://testserver"
    make_business()
    make_policy(cancellation_enabled=True, waitlist_enabled=True, waitlist_capacity=2,
                waitlist_reservation_minutes=15)
    yoga = make_class(make_staff("Sam", weekdays(time(8), time(20))), [(1, time(18, 30))], capacity=1)
    session = yoga.sessions.order_by("start").first()
    taken = book(engine, str(session.public_id), yoga, "taker@example.com")
    return {"yoga": yoga, "session": session, "event_id": str(session.public_id), "taken": taken}


def join_url(service):
    return reverse("booking:waitlist_join", args=[service.slug])


def join(client, full_class, **data):
    data = {"event": full_class["event_id"], "first_name": "Ada", "last_name": "Lovelace",
            "email": "ada@example.com", **data}
    return client.post(join_url(full_class["yoga"]), data)


def offer_link(engine, full_class, django_capture_on_commit_callbacks) -> str:
    """Cancel the taken place (as its customer) and return the path of the link in the offer's email."""
    taken = full_class["taken"]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        engine.cancel_booking(taken.id, revision=taken.revision, caller=Caller.CUSTOMER)
    [offer] = [m for m in mail.outbox if m.subject.startswith("A place is free for you")]
    return LINK.search(offer.body).group(1)


def entries():
    return list(models.Booking.objects.filter(session__isnull=False).exclude(email="taker@example.com")
                .values_list("email", "status"))


@pytest.mark.django_db
def test_a_full_session_offers_its_waitlist_and_one_with_places_does_not(client, full_class, engine):
    page = client.get(reverse("booking:slots", args=["yoga"]), {"day": TUESDAY}).content.decode()
    assert "Full" in page and "Join the waitlist" in page
    assert f'{join_url(full_class["yoga"])}?event={full_class["event_id"]}' in page
    taken = full_class["taken"]
    engine.cancel_booking(taken.id, revision=taken.revision, caller=Caller.STAFF)
    page = client.get(reverse("booking:slots", args=["yoga"]), {"day": TUESDAY}).content.decode()
    assert "1 spot left" in page and "Join the waitlist" not in page
    # An old link to the waitlist's page says to book instead, with no form.
    page = client.get(join_url(full_class["yoga"]), {"event": full_class["event_id"]}).content.decode()
    assert "This session has places again." in page and 'name="email"' not in page


@pytest.mark.django_db
def test_joining_the_waitlist_shows_the_confirmation(client, full_class):
    form = client.get(join_url(full_class["yoga"]), {"event": full_class["event_id"]})
    assert form.status_code == 200
    html = form.content.decode()
    assert "Join the waitlist" in html and "Tuesday 3 March 2026, 6:30 PM" in html and "15 minutes" in html
    assert 'name="csrfmiddlewaretoken"' in html
    done = join(client, full_class)
    assert done.status_code == 302
    assert done.url == reverse("booking:confirmation", args=[models.Booking.objects.get(email="ada@example.com")
                                                             .public_id])
    html = client.get(done.url).content.decode()
    assert "You're on the waitlist" in html and "ada@example.com" in html and "On the waiting list" in html
    assert entries() == [("ada@example.com", "WAITING_LIST")]


@pytest.mark.django_db
def test_bad_or_refused_joins_write_nothing(client, full_class):
    assert join(client, full_class, email="not an email").status_code == 400
    assert join(client, full_class, first_name="").status_code == 400
    assert entries() == []
    assert join(client, full_class).status_code == 302
    again = join(client, full_class, email="ADA@example.com")
    assert again.status_code == 409 and "already on the waitlist" in again.content.decode()
    assert join(client, full_class, email="bo@example.com").status_code == 302
    full = join(client, full_class, email="cy@example.com")
    assert full.status_code == 409 and "The waitlist for this session is full." in full.content.decode()
    assert 'name="email"' not in client.get(join_url(full_class["yoga"]), {"event": full_class["event_id"]}) \
        .content.decode()
    assert len(entries()) == 2
    # An unknown or malformed session, or a POST without the form's CSRF token, is refused too.
    assert client.get(join_url(full_class["yoga"]), {"event": "nope"}).status_code == 404
    assert client.get(join_url(full_class["yoga"])).status_code == 404
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(join_url(full_class["yoga"]), {"event": full_class["event_id"], "first_name": "Di",
                                                      "email": "di@example.com"}).status_code == 403
    assert len(entries()) == 2


@pytest.mark.django_db
def test_a_session_without_a_waitlist_has_no_join_page(client, full_class):
    models.BookingPolicy.objects.update(waitlist_enabled=False)
    page = client.get(reverse("booking:slots", args=["yoga"]), {"day": TUESDAY}).content.decode()
    assert "Full" in page and "Join the waitlist" not in page
    assert client.get(join_url(full_class["yoga"]), {"event": full_class["event_id"]}).status_code == 404
    assert join(client, full_class).status_code == 404
    assert entries() == []


@pytest.mark.django_db
def test_the_offer_link_takes_the_place_paid_in_person(client, full_class, engine,
                                                       django_capture_on_commit_callbacks):
    join(client, full_class)
    link = offer_link(engine, full_class, django_capture_on_commit_callbacks)
    other = Client()  # the email is opened in another browser
    page = other.get(link, follow=True)
    html = page.content.decode()
    assert page.status_code == 200 and "A place is free for you" in html
    assert "held for you until Sunday 1 March, 7:15 AM" in html and "Take the place" in html
    entry = models.Booking.objects.get(email="ada@example.com")
    assert entry.status == "WAITING_LIST"  # opening the link changes nothing
    with django_capture_on_commit_callbacks(execute=True):
        done = other.post(reverse("booking:waitlist_accept", args=[entry.public_id]), {"payment": "in_person"})
    assert done.status_code == 302 and done.url == reverse("booking:confirmation", args=[entry.public_id])
    assert "You're booked" in other.get(done.url).content.decode()
    entry.refresh_from_db()
    assert (entry.status, entry.payment_status, entry.selected_payment_option) == ("CONFIRMED", "NOT_PAID", "OFFLINE")
    assert "Your booking is confirmed: Yoga" in [m.subject for m in mail.outbox]


@pytest.mark.django_db(transaction=True)
def test_a_paid_class_taken_from_the_waitlist_goes_on_to_pay_online(client, full_class, engine, live_server, settings,
                                                                    django_capture_on_commit_callbacks):
    settings.STRIPE_API_BASE = live_server.url + "/_sandbox/stripe"
    yoga = models.Service.objects.get(pk=full_class["yoga"].pk)
    yoga.pay_online, yoga.pay_in_person = True, False
    yoga.save()  # a save, as the admin makes it: the catalog version moves with it
    join(client, full_class)
    client.get(offer_link(engine, full_class, django_capture_on_commit_callbacks))
    entry = models.Booking.objects.get(email="ada@example.com")
    html = client.get(reverse("booking:manage", args=[entry.public_id])).content.decode()
    assert 'name="payment" value="stripe"' in html and "in_person" not in html
    paying = client.post(reverse("booking:waitlist_accept", args=[entry.public_id]), {"payment": "stripe"})
    assert paying.status_code == 302 and "/_sandbox/stripe/checkout/" in paying.url
    entry.refresh_from_db()
    # Waiting for the payment, still holding the offered place (the checkout keeps the running hold).
    assert (entry.status, entry.selected_payment_option) == ("CREATED", "ONLINE")
    assert entry.hold_expires_at == NOW + timedelta(minutes=15)


@pytest.mark.django_db
def test_a_refused_accept_changes_nothing(client, full_class, engine, clock, django_capture_on_commit_callbacks):
    join(client, full_class)
    client.get(offer_link(engine, full_class, django_capture_on_commit_callbacks))
    entry = models.Booking.objects.get(email="ada@example.com")
    accept = reverse("booking:waitlist_accept", args=[entry.public_id])
    assert client.post(accept, {"payment": "barter"}).status_code == 400
    assert client.get(accept).status_code == 405  # GET never takes a place
    assert Client().post(accept, {"payment": "in_person"}).status_code == 404  # a browser without the link
    clock.shift(timedelta(minutes=15))
    page = client.get(reverse("booking:manage", args=[entry.public_id])).content.decode()
    assert "You are on the waitlist" in page and "Take the place" not in page
    # A place in the line is for its own session: it cannot be moved to another, whatever the policy.
    models.BookingPolicy.objects.update(reschedule_enabled=True, reschedule_allow_anonymous=True)
    assert client.get(reverse("booking:manage_reschedule", args=[entry.public_id])).status_code == 403
    late = client.post(accept, {"payment": "in_person"})
    assert late.status_code == 409 and "not taken up in time" in late.content.decode()
    entry.refresh_from_db()
    assert (entry.status, entry.revision) == ("WAITING_LIST", 2)  # joined, offered: nothing since


@pytest.mark.django_db
def test_leaving_gives_the_place_to_the_next(client, full_class, engine, django_capture_on_commit_callbacks):
    join(client, full_class)
    join(Client(), full_class, email="bo@example.com", first_name="Bo")
    client.get(offer_link(engine, full_class, django_capture_on_commit_callbacks))
    entry = models.Booking.objects.get(email="ada@example.com")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        left = client.post(reverse("booking:waitlist_leave", args=[entry.public_id]))
    assert left.status_code == 302 and left.url == reverse("booking:services")
    assert "You have left the waitlist for Yoga." in client.get(left.url).content.decode()
    assert entries() == [("ada@example.com", "CANCELED"), ("bo@example.com", "WAITING_LIST")]
    assert [m.to for m in mail.outbox] == [["bo@example.com"]]  # Bo's offer, and no "canceled" email for Ada
    assert client.get(reverse("booking:manage", args=[entry.public_id])).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_in_wix_mode_a_full_session_offers_no_waitlist(client, wix_site, engine, settings, clock):
    settings.SITE_URL = "http://testserver"
    make_business()
    make_policy(waitlist_enabled=True)
    yoga = make_class(make_staff("Sam", weekdays(time(8), time(20))), [(1, time(18, 30))], capacity=1)
    session = yoga.sessions.order_by("start").first()
    book(engine, str(session.public_id), yoga, "taker@example.com")
    page = client.get(reverse("booking:slots", args=["yoga"]), {"day": TUESDAY})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Full" in html and "Join the waitlist" not in html
    url = reverse("booking:waitlist_join", args=["yoga"])
    assert client.get(url, {"event": str(session.public_id)}).status_code == 404
    assert client.post(url, {"event": str(session.public_id), "first_name": "Ada",
                             "email": "ada@example.com"}).status_code == 404
    assert not models.Booking.objects.filter(status=BookingStatus.WAITING_LIST).exists()
