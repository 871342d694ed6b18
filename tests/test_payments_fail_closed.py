"""Payments fail closed: without STRIPE_SANDBOX and a Stripe key there is no sandbox and no online payment, the
webhook refuses every event while its secret is empty, and a paid session whose amount is not the checkout's does
not confirm the booking."""

import logging

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from booking import models
from payments.models import StripeCheckout, StripeEvent
from tests.test_payments_helpers import book, event_body, fill_details, held_checkout, make_studio, sign

pytestmark = [pytest.mark.usefixtures("frozen_clock"), pytest.mark.django_db]


@pytest.fixture
def studio():
    return make_studio()


@pytest.fixture
def production(settings):
    """DEBUG off, no sandbox, no Stripe key: a deploy that forgot its keys."""
    settings.DEBUG, settings.STRIPE_SANDBOX = False, False
    settings.STRIPE_SECRET_KEY = settings.STRIPE_WEBHOOK_SECRET = ""


def test_the_sandbox_answers_404(client, production):
    assert client.get("/_sandbox/stripe/checkout/cs_test_anything/").status_code == 404
    assert client.post("/_sandbox/stripe/checkout/cs_test_anything/action/", {"action": "pay"}).status_code == 404
    response = client.post("/_sandbox/stripe/v1/checkout/sessions", {"mode": "payment"},
                           headers={"Authorization": "Bearer sk_test_sandbox_dev_only"})
    assert response.status_code == 404


def test_a_missing_key_is_not_the_sandbox(client, settings, studio):
    """The old rule (sandbox whenever no key) is gone: the sandbox is on only when asked for."""
    settings.STRIPE_SANDBOX, settings.STRIPE_SECRET_KEY = False, ""
    page = client.get(reverse("booking:review", args=["massage"]))  # no draft: sends to the times
    assert page.status_code == 302
    assert client.get("/_sandbox/stripe/checkout/cs_test_anything/").status_code == 404


def test_online_payment_is_not_offered_and_pages_say_so(client, production, studio):
    slots = client.get(reverse("booking:slots", args=["massage"])).content.decode()
    assert "Online payment is unavailable right now, so this service cannot be booked online" in slots
    assert "cannot be booked online at the moment" in client.get("/").content.decode()

    fill_details(client, studio["massage"])
    review = client.get(reverse("booking:review", args=["massage"]))
    html = review.content.decode()
    assert review.context["providers"] == []
    assert 'name="payment"' not in html and "Book now" not in html
    assert "online payment is unavailable right now, so it cannot be booked online at the moment" in html
    key = review.context["draft"].submission_key
    refused = client.post(reverse("booking:review", args=["massage"]), {"submission_key": key, "payment": "stripe"})
    assert refused.status_code == 400
    assert not models.Booking.objects.exists()


def test_a_service_also_paid_in_person_offers_only_that(client, production, studio):
    fill_details(client, studio["stone"])
    review = client.get(reverse("booking:review", args=["hot-stone"]))
    assert [p.name for p in review.context["providers"]] == ["in_person"]
    assert "If you pay online" not in review.content.decode()
    assert "cannot be booked online" not in client.get(reverse("booking:slots", args=["hot-stone"])).content.decode()


def test_a_booking_waiting_for_payment_cannot_go_to_pay(client, engine, production, studio):
    booking = book(engine, studio["massage"])
    session = client.session
    session["my_bookings"] = [booking.id]
    session.save()
    page = client.get(reverse("payments:booking_payment", args=[booking.id]))
    assert page.status_code == 200 and "Pay online" not in page.content.decode()
    response = client.post(reverse("payments:resume_payment", args=[booking.id]))
    assert response.status_code == 409 and "cannot be paid online right now" in response.content.decode()
    assert not StripeCheckout.objects.exists()


@pytest.mark.parametrize("key", ["", "sk_test_realkey0000000000001234"])
def test_the_webhook_refuses_every_event_while_its_secret_is_empty(client, engine, settings, studio, caplog, key):
    settings.STRIPE_SANDBOX, settings.STRIPE_SECRET_KEY, settings.STRIPE_WEBHOOK_SECRET = False, key, ""
    booking = book(engine, studio["massage"])
    body = event_body("checkout.session.completed", held_checkout(engine, booking))
    url = reverse("payments:stripe_webhook")
    # Signed with an empty key (what verifying with an empty secret would accept), and with some other key.
    for signature in (sign(body, secret=""), sign(body, secret="whsec_guess"), ""):
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="payments"):
            response = client.post(url, body, content_type="application/json", headers={"Stripe-Signature": signature})
        assert response.status_code == 403
        errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert len(errors) == 1 and "STRIPE_WEBHOOK_SECRET is not set" in errors[0].getMessage()
    assert not StripeEvent.objects.exists()
    assert models.Booking.objects.get().status == "CREATED"


def paid_event(checkout, amount: int, currency: str) -> bytes:
    body = event_body("checkout.session.completed", checkout, amount=amount)
    return body.replace(b'"usd"', f'"{currency}"'.encode())


@pytest.mark.parametrize(("amount", "currency"), [(100, "usd"), (8000, "eur"), (16000, "usd")])
def test_a_session_paid_for_another_amount_does_not_confirm(client, engine, studio, caplog, amount, currency):
    booking = book(engine, studio["massage"])
    checkout = held_checkout(engine, booking)  # $80.00 for one participant
    body = paid_event(checkout, amount, currency)
    with caplog.at_level(logging.ERROR, logger="payments"):
        response = client.post(reverse("payments:stripe_webhook"), body, content_type="application/json",
                               headers={"Stripe-Signature": sign(body)})
    assert response.status_code == 200
    assert models.Booking.objects.get().status == "CREATED"
    checkout.refresh_from_db()
    assert checkout.outcome.startswith("amount mismatch") and not checkout.paid_booking
    assert f"paid {amount} {currency.upper()}" in checkout.outcome and "expected 8000 USD" in checkout.outcome
    assert [r.levelno for r in caplog.records if "amount mismatch" in r.getMessage()] == [logging.ERROR]

    # Staff see it in the list of checkouts.
    staff = get_user_model().objects.create_superuser("boss", "boss@example.com", "pw-for-tests")
    client.force_login(staff)
    listing = client.get(reverse("admin:payments_stripecheckout_changelist")).content.decode()
    assert "amount mismatch" in listing

    # The same event again changes nothing; the booking is still waiting.
    again = paid_event(checkout, amount, currency)
    client.post(reverse("payments:stripe_webhook"), again, content_type="application/json",
                headers={"Stripe-Signature": sign(again)})
    assert models.Booking.objects.get().status == "CREATED"


def test_the_right_amount_for_several_participants_confirms(client, engine, studio):
    models.BookingPolicy.objects.update(max_participants_per_booking=4)
    booking = book(engine, studio["massage"], participants=2)
    checkout = held_checkout(engine, booking, amount="160.00")
    body = event_body("checkout.session.completed", checkout)
    assert b'"amount_total": 16000' in body
    client.post(reverse("payments:stripe_webhook"), body, content_type="application/json",
                headers={"Stripe-Signature": sign(body)})
    assert models.Booking.objects.get().status == "CONFIRMED"
