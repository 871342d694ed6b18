"""Stripe's webhook through Django's test client, with the event fixtures in tests/fixtures/stripe/ signed as Stripe
signs them: verification, each event once, any order, and what each event does to the booking."""

import logging
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from booking import models
from booking.errors import SlotNotAvailable
from booking.port import Caller
from payments import stripe_api
from payments.models import StripeCheckout, StripeEvent, StripeRefund
from tests.test_payments_helpers import book, event_body, held_checkout, make_studio, post_event, sign

pytestmark = [pytest.mark.usefixtures("frozen_clock"), pytest.mark.django_db]


@pytest.fixture
def studio():
    return make_studio()


def stored(booking):
    return models.Booking.objects.get(public_id=booking.id)


def test_it_confirms_a_paid_booking_as_paid(client, engine, studio):
    booking = book(engine, studio["massage"])
    checkout = held_checkout(engine, booking)
    response = post_event(client, event_body("checkout.session.completed", checkout))
    assert response.status_code == 200
    row = stored(booking)
    assert (row.status, row.payment_status, row.double_booked, row.hold_expires_at) == ("CONFIRMED", "PAID", False,
                                                                                        None)
    checkout.refresh_from_db()
    assert checkout.status == "complete" and checkout.paid_booking and checkout.payment_intent.startswith("pi_")
    assert StripeEvent.objects.get().outcome == "processed"


def test_a_deposit_makes_the_booking_partially_paid(client, engine, studio):
    booking = book(engine, studio["stone"], hour=10)
    checkout = held_checkout(engine, booking, deposit=True, amount="20.00")
    assert post_event(client, event_body("checkout.session.completed", checkout)).status_code == 200
    assert (stored(booking).status, stored(booking).payment_status) == ("CONFIRMED", "PARTIALLY_PAID")


def test_a_service_that_needs_approval_waits_for_it_once_paid(client, engine, studio):
    booking = book(engine, studio["facial"])
    checkout = held_checkout(engine, booking)
    post_event(client, event_body("checkout.session.completed", checkout))
    assert (stored(booking).status, stored(booking).payment_status) == ("PENDING", "PAID")


def test_a_repeated_event_is_processed_once(client, engine, studio):
    booking = book(engine, studio["massage"])
    checkout = held_checkout(engine, booking)
    body = event_body("checkout.session.completed", checkout)
    first, second = post_event(client, body), post_event(client, body)
    assert (first.status_code, second.status_code) == (200, 200)
    assert second.json()["detail"] == "Already processed."
    assert StripeEvent.objects.count() == 1
    assert list(models.BookingChange.objects.values_list("event", flat=True)) == ["created", "confirmed"]


def test_two_events_about_one_payment_settle_the_booking_once(client, engine, studio):
    """Stripe may send completed and async_payment_succeeded (two event ids) for one session."""
    booking = book(engine, studio["massage"])
    checkout = held_checkout(engine, booking)
    post_event(client, event_body("checkout.session.completed", checkout))
    response = post_event(client, event_body("checkout.session.async_payment_succeeded", checkout))
    assert response.json()["detail"] == "already settled"
    assert StripeEvent.objects.count() == 2
    assert models.BookingChange.objects.filter(event="confirmed").count() == 1


def test_an_expiry_that_arrives_after_the_payment_changes_nothing(client, engine, studio):
    booking = book(engine, studio["massage"])
    checkout = held_checkout(engine, booking)
    post_event(client, event_body("checkout.session.completed", checkout))
    response = post_event(client, event_body("checkout.session.expired", checkout))
    assert response.status_code == 200
    assert (stored(booking).status, stored(booking).payment_status) == ("CONFIRMED", "PAID")
    checkout.refresh_from_db()
    assert checkout.paid_booking and checkout.payment_status == "paid"


def test_a_late_unpaid_completion_does_not_undo_a_payment_that_cleared(client, engine, studio):
    booking = book(engine, studio["massage"])
    checkout = held_checkout(engine, booking)
    post_event(client, event_body("checkout.session.async_payment_succeeded", checkout))
    post_event(client, event_body("checkout.session.completed.unpaid", checkout))
    checkout.refresh_from_db()
    assert (stored(booking).status, stored(booking).payment_status) == ("CONFIRMED", "PAID")
    assert checkout.payment_status == "paid"


def test_a_delayed_payment_keeps_the_hold_until_it_clears(client, engine, studio):
    booking = book(engine, studio["massage"])
    checkout = held_checkout(engine, booking)
    response = post_event(client, event_body("checkout.session.completed.unpaid", checkout))
    assert response.json()["detail"] == "waiting for the payment to clear"
    assert stored(booking).status == "CREATED" and stored(booking).hold_expires_at == checkout.expires_at
    post_event(client, event_body("checkout.session.async_payment_succeeded", checkout))
    assert (stored(booking).status, stored(booking).payment_status) == ("CONFIRMED", "PAID")


@pytest.mark.parametrize("fixture", ["checkout.session.expired", "checkout.session.async_payment_failed"])
def test_an_expired_or_failed_checkout_releases_the_hold_and_the_customer_can_try_again(client, engine, studio,
                                                                                       fixture):
    booking = book(engine, studio["massage"])
    checkout = held_checkout(engine, booking)
    assert post_event(client, event_body(fixture, checkout)).status_code == 200
    assert (stored(booking).status, stored(booking).hold_expires_at) == ("CREATED", None)
    # The time is free for anyone again, and the same customer can start a new checkout.
    again = held_checkout(engine, booking)
    assert again.attempt == 2
    assert stored(booking).hold_expires_at is not None


def test_an_old_expired_checkout_does_not_release_the_hold_of_a_newer_one(client, engine, studio):
    booking = book(engine, studio["massage"])
    old = held_checkout(engine, booking)
    StripeCheckout.objects.filter(pk=old.pk).update(status="expired")
    newer = held_checkout(engine, booking)
    response = post_event(client, event_body("checkout.session.expired", old))
    assert response.json()["detail"] == "a newer checkout holds the time"
    assert stored(booking).hold_expires_at == newer.expires_at


def test_a_payment_after_the_time_was_taken_is_confirmed_as_double_booked(client, engine, studio):
    """Wix's rule: a paid booking is confirmed even when its time is gone, flagged doubleBooked for staff."""
    booking = book(engine, studio["massage"])
    checkout = held_checkout(engine, booking)
    with time_machine.travel(timezone.now() + timedelta(minutes=40), tick=False):
        rival = book(engine, studio["massage"], option="ONLINE")
        rival = engine.confirm_or_decline_booking(rival.id, payment_status="PAID")
        assert rival.status == "CONFIRMED"
        with pytest.raises(SlotNotAvailable):
            engine.hold_booking(booking.id, expires_at=timezone.now() + timedelta(minutes=31))
        response = post_event(client, event_body("checkout.session.async_payment_succeeded", checkout))
    assert response.status_code == 200 and "double-booked" in response.json()["detail"]
    row = stored(booking)
    assert (row.status, row.payment_status, row.double_booked) == ("CONFIRMED", "PAID", True)
    assert not StripeRefund.objects.exists()
    admin_rows = models.Booking.objects.filter(double_booked=True)
    assert list(admin_rows.values_list("public_id", flat=True)) == [row.public_id]


def test_with_the_setting_a_payment_after_the_time_was_taken_is_refunded_instead(
        client, engine, studio, settings, django_capture_on_commit_callbacks):
    settings.PAYMENTS_REFUND_LATE_PAYMENTS = True
    booking = book(engine, studio["massage"])
    checkout = held_checkout(engine, booking)
    with time_machine.travel(timezone.now() + timedelta(minutes=40), tick=False):
        rival = book(engine, studio["massage"])
        engine.confirm_or_decline_booking(rival.id, payment_status="PAID")
        with django_capture_on_commit_callbacks() as callbacks:
            response = post_event(client, event_body("checkout.session.async_payment_succeeded", checkout))
    assert response.json()["detail"] == "declined: paid after the time was taken"
    row = stored(booking)
    assert (row.status, row.double_booked) == ("DECLINED", False)
    refund = StripeRefund.objects.get()
    assert (refund.checkout_id, refund.amount, refund.status) == (checkout.pk, checkout.amount, "requested")
    # The call to Stripe waits for the commit (and is then made; see test_stripe_sandbox for the whole round).
    assert any(getattr(c, "__qualname__", "").startswith("request_refund") for c in callbacks)


def test_with_the_setting_a_late_payment_for_a_free_time_is_simply_confirmed(client, engine, studio, settings):
    settings.PAYMENTS_REFUND_LATE_PAYMENTS = True
    booking = book(engine, studio["massage"])
    checkout = held_checkout(engine, booking)
    with time_machine.travel(timezone.now() + timedelta(minutes=40), tick=False):
        post_event(client, event_body("checkout.session.async_payment_succeeded", checkout))
    assert (stored(booking).status, stored(booking).payment_status) == ("CONFIRMED", "PAID")
    assert not StripeRefund.objects.exists()


def test_a_payment_for_a_booking_declined_meanwhile_is_refunded(client, engine, studio):
    booking = book(engine, studio["massage"])
    checkout = held_checkout(engine, booking)
    engine.decline_booking(booking.id, revision=booking.revision)
    post_event(client, event_body("checkout.session.completed", checkout))
    assert stored(booking).status == "DECLINED"
    assert StripeRefund.objects.get().reason == "booking declined"


def test_a_second_payment_for_a_paid_booking_is_refunded_as_a_duplicate(client, engine, studio):
    booking = book(engine, studio["massage"])
    first = held_checkout(engine, booking)
    StripeCheckout.objects.filter(pk=first.pk).update(status="expired")
    second = held_checkout(engine, booking)
    post_event(client, event_body("checkout.session.completed", second))
    post_event(client, event_body("checkout.session.completed", first))
    assert StripeRefund.objects.get().checkout_id == first.pk
    assert StripeRefund.objects.get().reason == "duplicate"
    assert stored(booking).payment_status == "PAID"


def test_charge_refunded_marks_the_booking_refunded(client, engine, studio):
    booking = book(engine, studio["massage"])
    checkout = held_checkout(engine, booking)
    post_event(client, event_body("checkout.session.completed", checkout))
    checkout.refresh_from_db()
    partly = event_body("charge.refunded", checkout, amount_refunded=1000, refunded="false",
                        payment_intent=checkout.payment_intent)
    assert post_event(client, partly).json()["detail"] == "partly refunded; the booking is unchanged"
    assert stored(booking).payment_status == "PAID"
    whole = event_body("charge.refunded", checkout, amount_refunded=8000, refunded="true",
                       payment_intent=checkout.payment_intent)
    assert post_event(client, whole).json()["detail"] == "booking marked REFUNDED"
    change = models.BookingChange.objects.filter(booking__public_id=booking.id).last()
    assert (change.to_payment_status, change.actor) == ("REFUNDED", "system")
    assert change.reason == "Stripe refunded 80.00 USD (ch_test_3Pq0fixture0000000000000)"


def test_an_event_for_a_checkout_that_is_not_ours_is_acknowledged(client):
    body = event_body("checkout.session.completed", booking_id="1b5e0d1e-0000-4000-8000-000000000000",
                      session_id="cs_test_unknown", amount=100, payment="full")
    response = post_event(client, body)
    assert (response.status_code, response.json()["detail"]) == (200, "not one of our checkouts")


def test_an_unknown_event_type_is_acknowledged_and_ignored(client):
    response = post_event(client, event_body("customer.created"))
    assert (response.status_code, response.json()["detail"]) == (200, "Ignored.")
    assert StripeEvent.objects.get().outcome == "ignored"


def test_a_bad_signature_is_refused(client, engine, studio):
    booking = book(engine, studio["massage"])
    checkout = held_checkout(engine, booking)
    body = event_body("checkout.session.completed", checkout)
    tampered = body.replace(b'"payment_status": "paid"', b'"payment_status": "paid" ')
    for response in [
        post_event(client, body, signature=sign(body, secret="whsec_someone_else")),
        post_event(client, tampered, signature=sign(body)),
        post_event(client, body, signature=None),
        post_event(client, body, signature="t=1,v1=abc"),
        post_event(client, body, signature="garbage"),
    ]:
        assert response.status_code == 400
        assert response.json() == {"received": False, "detail": "Invalid Stripe-Signature."}
    assert not StripeEvent.objects.exists()
    assert stored(booking).status == "CREATED"


def test_a_stale_timestamp_is_refused(client, engine, studio):
    booking = book(engine, studio["massage"])
    body = event_body("checkout.session.completed", held_checkout(engine, booking))
    old = int(timezone.now().timestamp()) - 301
    assert post_event(client, body, signature=sign(body, timestamp=old)).status_code == 400
    assert post_event(client, body, signature=sign(body, timestamp=old + 2)).status_code == 200


def test_a_signed_body_that_is_not_an_event_is_refused(client):
    for body in [b"not json", b"[1, 2]", b'{"id": "evt_1", "type": "checkout.session.completed"}']:
        assert post_event(client, body).status_code == 400


def test_the_webhook_takes_posts_only(client):
    assert client.get(reverse("payments:stripe_webhook")).status_code == 405


def test_a_payment_for_a_booking_canceled_meanwhile_is_refunded(client, engine, studio):
    booking = book(engine, studio["massage"])
    checkout = held_checkout(engine, booking)
    engine.confirm_or_decline_booking(booking.id, payment_status="NOT_PAID")  # settled behind the payment's back
    engine.cancel_booking(booking.id, revision=stored(booking).revision, caller=Caller.STAFF)
    response = post_event(client, event_body("checkout.session.completed", checkout))
    assert response.status_code == 200
    assert StripeRefund.objects.get().reason == "booking canceled"


def test_no_secret_reaches_a_response_or_a_log_line(client, engine, studio, caplog, settings):
    settings.STRIPE_WEBHOOK_SECRET = "whsec_" + "s3cr3t" * 6
    caplog.set_level(logging.DEBUG)
    booking = book(engine, studio["massage"])
    body = event_body("checkout.session.completed", held_checkout(engine, booking))
    bad = post_event(client, body, signature=sign(body, secret="whsec_wrong"))
    good = post_event(client, body)
    assert (bad.status_code, good.status_code) == (400, 200)
    everything = caplog.text + bad.content.decode() + good.content.decode()
    assert settings.STRIPE_WEBHOOK_SECRET not in everything and "s3cr3t" not in everything
    assert stripe_api.describe_key("sk_test_abcdefgh12345678") == "sk_test_…5678"


def test_a_checkout_being_settled_is_a_409_until_its_claim_ends_or_goes_stale(client, engine, studio):
    """Another request holds the claim (it is calling the port): Stripe is told to retry. A claim left by a process
    that died mid-call is taken over once it is older than SETTLING_CLAIM."""
    from payments.stripe_checkout import SETTLING_CLAIM

    booking = book(engine, studio["massage"])
    checkout = held_checkout(engine, booking)
    body = event_body("checkout.session.completed", checkout)
    StripeCheckout.objects.filter(pk=checkout.pk).update(settling_since=timezone.now() - timedelta(seconds=5))
    busy = post_event(client, body)
    assert busy.status_code == 409 and "being recorded" in busy.json()["detail"]
    assert stored(booking).status == "CREATED" and not StripeEvent.objects.exists()
    StripeCheckout.objects.filter(pk=checkout.pk).update(
        settling_since=timezone.now() - SETTLING_CLAIM - timedelta(seconds=1))
    assert post_event(client, body).status_code == 200
    assert (stored(booking).status, stored(booking).payment_status) == ("CONFIRMED", "PAID")
    checkout.refresh_from_db()
    assert checkout.settling_since is None and checkout.fulfilled_at is not None and checkout.paid_booking
