"""What the payments tests share (this module holds no tests): a studio whose services are paid online, bookings
made through the engine, Stripe webhook fixtures (tests/fixtures/stripe/*.json) signed as Stripe signs them, and
the customer's steps through the pages."""

import json
import secrets
from datetime import datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import timezone

from booking.port import ContactDetails, CreateBookingRequest, Money, Slot
from bookingsite.sandboxes.stripe.state import signature_header
from payments import stripe_api
from payments.models import StripeCheckout
from tests.catalog import ANSWERS, make_business, make_form, make_policy, make_service, make_staff, weekdays

FIXTURES = Path(__file__).parent / "fixtures" / "stripe"
NY = ZoneInfo("America/New_York")
MONDAY_9 = "2026-03-02T09:00:00-05:00"
MONDAY_10 = "2026-03-02T10:00:00-05:00"


def make_studio() -> dict:
    """Ana works weekday mornings. Massage is paid online ($80); hot stone takes a $20 deposit online (or $90 in
    person); the facial is paid online and needs the business's approval."""
    make_business()
    make_policy(cancellation_enabled=True)
    ana = make_staff("Ana", weekdays(time(9), time(12)))
    form = make_form()
    return {
        "ana": ana,
        "massage": make_service([ana], form=form, pay_online=True, pay_in_person=False),
        "stone": make_service([ana], form=form, name="Hot stone", price=Decimal("90.00"), deposit=Decimal("20.00"),
                              pay_online=True, pay_deposit=True, pay_in_person=True),
        "facial": make_service([ana], form=form, name="Facial", pay_online=True, pay_in_person=False,
                               require_manual_approval=True),
    }


def book(engine, service, *, day: int = 2, hour: int = 9, option: str = "ONLINE", participants: int = 1):
    start = datetime(2026, 3, day, hour, tzinfo=NY)
    return engine.create_booking(CreateBookingRequest(
        slot=Slot(str(service.pk), start, start + timedelta(minutes=service.duration_minutes), "America/New_York"),
        contact_details=ContactDetails("Ada", "Lovelace", "ada@example.com"), form_submission=ANSWERS,
        selected_payment_option=option, total_participants=participants))


def held_checkout(engine, booking, *, deposit: bool = False, amount: str = "80.00", minutes: int = 31):
    """What start_checkout records before sending the customer to Stripe: the hold and our checkout row."""
    expires = timezone.now() + timedelta(minutes=minutes)
    engine.hold_booking(booking.id, expires_at=expires)
    return StripeCheckout.objects.create(
        booking_id=booking.id, attempt=StripeCheckout.objects.filter(booking_id=booking.id).count() + 1,
        revision=booking.revision, session_id="cs_test_" + secrets.token_hex(12), url="https://example.invalid/",
        status="open", amount=Decimal(amount), currency="USD", is_deposit=deposit, expires_at=expires,
        api_base="http://sandbox.invalid/_sandbox/stripe")


def event_body(name: str, checkout: StripeCheckout | None = None, **values) -> bytes:
    """A fixture with its {{placeholders}} filled in: the checkout's ids unless given."""
    if checkout is not None:
        values.setdefault("booking_id", checkout.booking_id)
        values.setdefault("session_id", checkout.session_id)
        values.setdefault("amount", stripe_api.to_minor_units(Money(checkout.amount, checkout.currency)))
        values.setdefault("payment", "deposit" if checkout.is_deposit else "full")
    values.setdefault("event_id", "evt_test_" + secrets.token_hex(12))
    values.setdefault("payment_intent", "pi_test_" + (checkout.session_id[8:] if checkout else "none"))
    text = (FIXTURES / f"{name}.json").read_text()
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", str(value))
    json.loads(text)  # a fixture left with a placeholder would not be JSON
    return text.encode()


def sign(body: bytes, *, secret: str | None = None, timestamp: int | None = None) -> str:
    secret = stripe_api.webhook_secret() if secret is None else secret
    return signature_header(body.decode(), secret, int(timezone.now().timestamp()) if timestamp is None else timestamp)


def post_event(client, body: bytes, signature: str | None = "sign"):
    headers = {} if signature is None else {"Stripe-Signature": sign(body) if signature == "sign" else signature}
    return client.post(reverse("payments:stripe_webhook"), body, content_type="application/json", headers=headers)


def fill_details(client, service, *, start=MONDAY_9, end=MONDAY_10, participants=None):
    data = {"start": start, "end": end, "staff": "any", **ANSWERS}
    if participants:
        data["participants"] = participants
    response = client.post(reverse("booking:details", args=[service.slug]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return response


def submit_review(client, service, payment: str = "stripe", **headers):
    page = client.get(reverse("booking:review", args=[service.slug]))
    key = page.context["draft"].submission_key
    return client.post(reverse("booking:review", args=[service.slug]), {"submission_key": key, "payment": payment},
                       headers=headers)
