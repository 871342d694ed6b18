"""The custom Stripe checkout in wix mode (the seed flow "custom checkout"): the Stripe webhook calls Wix's Confirm
Or Decline Booking with the payment status, through the port, against the Wix sandbox under a live server."""

import pytest
from django.db import connection

from booking import models
from booking.backends import get_backend
from bookingsite.sandboxes.wix import recorder
from tests.test_payments_helpers import book, event_body, held_checkout, make_studio, post_event

pytestmark = [pytest.mark.usefixtures("frozen_clock"), pytest.mark.django_db(transaction=True)]


@pytest.fixture
def studio(wix_site):
    return make_studio()


def stored(booking):
    return models.Booking.objects.get(public_id=booking.id)


# The webhook settles a checkout inside a transaction that locks its row and calls the port there. On SQLite that
# transaction holds the database's one write lock, which the sandbox (the same database, another thread) then waits
# for until the client's read timeout; a real Wix site does not share our database. PostgreSQL runs these.
shares_sqlites_write_lock = pytest.mark.skipif(
    connection.vendor == "sqlite", reason="the sandbox would wait for the webhook's SQLite write lock")


@shares_sqlites_write_lock
def test_a_paid_checkout_confirms_the_wix_booking_as_paid(client, studio):
    backend = get_backend()
    booking = book(backend, studio["massage"])
    checkout = held_checkout(backend, booking)
    assert post_event(client, event_body("checkout.session.completed", checkout)).status_code == 200
    assert (stored(booking).status, stored(booking).payment_status) == ("CONFIRMED", "PAID")
    [decision] = [r for r in recorder.requests if r["path"].endswith(":confirmOrDecline")]
    assert decision["body"] == {"paymentStatus": "PAID"} and decision["authorization"] == "app"


@shares_sqlites_write_lock
def test_a_payment_after_the_time_was_taken_is_confirmed_as_double_booked(client, studio):
    backend = get_backend()
    booking = book(backend, studio["massage"])
    checkout = held_checkout(backend, booking)  # Wix holds nothing: another customer can take the time
    other = book(backend, studio["massage"])
    backend.confirm_or_decline_booking(other.id, payment_status="NOT_PAID")
    post_event(client, event_body("checkout.session.completed", checkout))
    row = stored(booking)
    assert (row.status, row.payment_status, row.double_booked) == ("CONFIRMED", "PAID", True)


def test_a_hold_on_a_time_taken_meanwhile_is_refused(studio):
    from booking.errors import SlotNotAvailable

    backend = get_backend()
    booking = book(backend, studio["massage"])
    other = book(backend, studio["massage"])
    backend.confirm_or_decline_booking(other.id, payment_status="NOT_PAID")
    with pytest.raises(SlotNotAvailable):
        held_checkout(backend, booking)
