"""The custom Stripe checkout in wix mode (the seed flow "custom checkout"): the Stripe webhook calls Wix's Confirm
Or Decline Booking with the payment status, through the port, against the Wix sandbox under a live server."""

import json
import threading

import pytest
from django.db import connection

from booking import models
from booking.backends import get_backend
from booking.errors import BookingsError
from bookingsite.sandboxes.wix import recorder
from payments import stripe_checkout
from payments.models import StripeCheckout, StripeEvent
from tests.test_payments_helpers import book, event_body, held_checkout, make_studio, post_event

pytestmark = [pytest.mark.usefixtures("frozen_clock"), pytest.mark.django_db(transaction=True)]


@pytest.fixture
def studio(wix_site):
    return make_studio()


def stored(booking):
    return models.Booking.objects.get(public_id=booking.id)


def test_a_paid_checkout_confirms_the_wix_booking_as_paid(client, studio):
    backend = get_backend()
    booking = book(backend, studio["massage"])
    checkout = held_checkout(backend, booking)
    assert post_event(client, event_body("checkout.session.completed", checkout)).status_code == 200
    assert (stored(booking).status, stored(booking).payment_status) == ("CONFIRMED", "PAID")
    [decision] = [r for r in recorder.requests if r["path"].endswith(":confirmOrDecline")]
    assert decision["body"] == {"paymentStatus": "PAID"} and decision["authorization"] == "app"


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


def test_wix_failing_to_confirm_gives_the_claim_back_and_stripes_retry_settles_it(client, studio):
    backend = get_backend()
    booking = book(backend, studio["massage"])
    checkout = held_checkout(backend, booking)
    body = event_body("checkout.session.completed", checkout)
    recorder.fail_next(":confirmOrDecline", 503)
    first = post_event(client, body)
    assert first.status_code == 409  # Stripe will retry
    checkout.refresh_from_db()
    assert (checkout.fulfilled_at, checkout.settling_since) == (None, None)
    assert not StripeEvent.objects.exists() and stored(booking).status == "CREATED"
    assert post_event(client, body).status_code == 200  # Stripe's retry of the same event
    assert (stored(booking).status, stored(booking).payment_status) == ("CONFIRMED", "PAID")
    checkout.refresh_from_db()
    assert checkout.paid_booking and checkout.settling_since is None and StripeEvent.objects.count() == 1


def test_the_webhook_and_the_return_page_at_once_settle_the_booking_once(client, studio):
    """Two callers of fulfil_session in real threads, each with its own database connection: one Confirm Or
    Decline reaches Wix; the other caller finds the checkout settled or being settled."""
    backend = get_backend()
    booking = book(backend, studio["massage"])
    checkout = held_checkout(backend, booking)
    session = json.loads(event_body("checkout.session.completed", checkout))["data"]["object"]
    start, answers = threading.Barrier(2), []

    def settle():
        start.wait()
        try:
            answers.append(stripe_checkout.fulfil_session(session))
        except BookingsError as error:
            answers.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=settle) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(answers) == 2 and sum(answer.startswith("confirmed") for answer in answers) == 1, answers
    assert set(answers) - {a for a in answers if a.startswith("confirmed")} <= {"already settled", "CHECKOUT_BUSY"}
    assert len([r for r in recorder.requests if r["path"].endswith(":confirmOrDecline")]) == 1
    assert (stored(booking).status, stored(booking).payment_status) == ("CONFIRMED", "PAID")
    assert StripeCheckout.objects.get(pk=checkout.pk).paid_booking
