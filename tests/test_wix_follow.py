"""Wix moves a booking sent to its checkout (the order approved or declined, wix-api.md §8.5); the site follows it
(payments/wix_follow.py) and tells the customer as when it confirms a booking itself: right after Create Order for
a booking paid in person, and by the worker's `wix_follow` job for the hosted checkout. Against the Wix sandbox
under a live server; each change is raised once however often, or by however many workers, it is seen."""

import threading

import pytest
from django.db import connection
from django.test import Client

from booking.backends import get_backend
from booking.backends.wix import auth
from booking.events import booking_event
from notifications import scheduled
from notifications.models import Message
from payments import wix_ecom
from payments.models import WixEcomCheckout
from tests.test_payments_helpers import book, make_studio
from tests.test_wix_ecom_contract import customer_request, ordered_in_person, paid_on_the_hosted_checkout

pytestmark = [pytest.mark.usefixtures("frozen_clock"), pytest.mark.django_db(transaction=True)]


@pytest.fixture
def studio(wix_site, settings):
    settings.WIX_CHECKOUT = "wix_ecom"
    return make_studio()


@pytest.fixture
def raised():
    """The domain events raised while the test runs after Create Booking's, as (event, booking id, previous
    status)."""
    events = []

    def receive(sender, *, event, booking_id, previous_status, **kwargs):
        if event != "created":
            events.append((event, booking_id, previous_status))

    booking_event.connect(receive, dispatch_uid="tests.wix_follow")
    yield events
    booking_event.disconnect(dispatch_uid="tests.wix_follow")


def emails(booking) -> list[tuple[str, str]]:
    return sorted(Message.objects.filter(booking_id=booking.id).values_list("kind", "recipient"))


def test_paid_on_the_hosted_checkout_the_customer_is_emailed_once_the_job_sees_it(studio, raised):
    booking, checkout = paid_on_the_hosted_checkout(studio, Client())
    # Reaching the return page tells us nothing we would announce: only the job reads and raises.
    assert emails(booking) == [] and checkout.seen_status == "CREATED"

    assert scheduled.wix_follow() == "1 followed, 1 changed"
    assert raised == [("confirmed", booking.id, "CREATED")]
    assert emails(booking) == [("confirmed", "ada@example.com")]
    assert WixEcomCheckout.objects.get(pk=checkout.pk).seen_status == "CONFIRMED"

    # Seen again, or followed no more (CONFIRMED is where the following ends): nothing more is raised.
    assert scheduled.wix_follow() == "0 followed, 0 changed"
    assert len(raised) == 1 and len(emails(booking)) == 1


def test_a_declined_payment_tells_the_customer_it_is_declined(studio, raised):
    booking, url = sent_to_the_hosted_checkout(studio)
    Client().post(url[url.index("/_sandbox/"):], {"action": "decline"})
    assert scheduled.wix_follow() == "1 followed, 1 changed"
    assert raised == [("declined", booking.id, "CREATED")]
    assert emails(booking) == [("declined", "ada@example.com")]


def sent_to_the_hosted_checkout(studio):
    with auth.bound_session({}):
        booking = book(get_backend(), studio["massage"])
        return booking, wix_ecom.start(booking, customer_request())


def test_an_unpaid_checkout_is_followed_and_nothing_is_raised(studio, raised):
    sent_to_the_hosted_checkout(studio)
    assert scheduled.wix_follow() == "1 followed, 0 changed"
    assert raised == [] and Message.objects.count() == 0


def test_paid_in_person_the_customer_is_emailed_right_after_create_order(studio, raised):
    booking, checkout = ordered_in_person(studio)
    assert raised == [("confirmed", booking.id, "CREATED")]
    assert ("confirmed", "ada@example.com") in emails(booking)
    assert checkout.seen_status == "CONFIRMED"
    assert scheduled.wix_follow() == "0 followed, 0 changed"
    assert len(raised) == 1


def test_two_workers_seeing_the_change_at_once_raise_it_once(studio, raised):
    booking, _ = paid_on_the_hosted_checkout(studio, Client())
    barrier, results = threading.Barrier(2), []

    def worker():
        try:
            barrier.wait()
            results.append(scheduled.wix_follow())
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert raised == [("confirmed", booking.id, "CREATED")]
    assert len(results) == 2 and sum(r.endswith(", 1 changed") for r in results) == 1
    assert emails(booking).count(("confirmed", "ada@example.com")) == 1


def test_the_job_does_nothing_on_the_embedded_engine(settings):
    settings.BOOKINGS_BACKEND = "local"
    assert scheduled.wix_follow() == "not in wix mode"
