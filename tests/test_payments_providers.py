"""What a customer is offered and charged: providers by the service's payment settings, the price breakdown, minor
units at the Stripe boundary, in-person and free bookings, staff marking a visit as paid, and the system check."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from booking import models
from booking.models.catalog import RateType
from booking.port import Money
from payments import pricing, stripe_api
from payments.checks import stripe_settings
from payments.providers import PROVIDERS, offered_providers
from tests.catalog import FREE
from tests.test_payments_helpers import book, make_studio

pytestmark = [pytest.mark.usefixtures("frozen_clock"), pytest.mark.django_db]


@pytest.fixture
def studio():
    return make_studio()


def offered(engine, service) -> list[str]:
    return [p.name for p in offered_providers(engine.query_services(filter={"id": str(service.pk)})[0])]


@pytest.mark.parametrize(("values", "expected"), [
    ({"pay_online": True, "pay_in_person": False}, ["stripe"]),
    ({"pay_online": True, "pay_in_person": True}, ["stripe", "in_person"]),
    ({"pay_online": False, "pay_in_person": True}, ["in_person"]),
    ({"pay_online": True, "pay_deposit": True, "deposit": Decimal("20"), "pay_in_person": True},
     ["stripe_deposit", "in_person"]),
    ({"rate_type": RateType.VARIED, "pay_online": True, "pay_in_person": False}, ["stripe"]),
    ({"rate_type": RateType.CUSTOM, "price": None, "custom_price_description": "Quoted at the visit",
      "pay_in_person": False}, ["in_person"]),
    (FREE, ["free"]),
])
def test_it_offers_what_the_service_allows(engine, studio, values, expected):
    service = studio["massage"]
    for field, value in values.items():
        setattr(service, field, value)
    service.save()
    assert offered(engine, service) == expected


def test_the_breakdown_shows_the_deposit_and_what_is_due_at_the_visit(engine, studio):
    stone = engine.query_services(filter={"id": str(studio["stone"].pk)})[0]
    amounts = pricing.breakdown(stone, participants=2)
    assert (amounts.total, amounts.online, amounts.at_visit, amounts.is_deposit) == (
        Money(Decimal("180.00"), "USD"), Money(Decimal("40.00"), "USD"), Money(Decimal("140.00"), "USD"), True)
    massage = engine.query_services(filter={"id": str(studio["massage"].pk)})[0]
    assert pricing.breakdown(massage).at_visit == Money(Decimal("0.00"), "USD")


def test_amounts_become_minor_units_only_at_the_stripe_boundary():
    assert stripe_api.to_minor_units(Money(Decimal("110.00"), "USD")) == 11000
    assert stripe_api.to_minor_units(Money(Decimal("0.5"), "EUR")) == 50
    assert stripe_api.to_minor_units(Money(Decimal("5000"), "JPY")) == 5000
    assert stripe_api.to_minor_units(Money(Decimal("1.250"), "KWD")) == 1250
    assert stripe_api.from_minor_units(11000, "usd") == Decimal("110.00")
    with pytest.raises(ValueError, match="more decimals"):
        stripe_api.to_minor_units(Money(Decimal("10.005"), "USD"))
    with pytest.raises(ValueError):
        stripe_api.to_minor_units(Money(Decimal("10.5"), "JPY"))


def test_in_person_and_free_bookings_are_settled_at_once(engine, studio):
    in_person = book(engine, studio["stone"], option="OFFLINE")
    assert PROVIDERS["in_person"].complete(in_person, None).payment_status == "NOT_PAID"
    studio["massage"].__dict__.update(FREE)
    studio["massage"].save()
    free = book(engine, studio["massage"], hour=11, option="UNDEFINED")
    assert PROVIDERS["free"].complete(free, None).payment_status == "EXEMPT"


@pytest.fixture
def staff_client(client):
    client.force_login(User.objects.create_superuser("boss", "boss@example.com", "pw"))
    return client


def mark_paid(staff_client, *bookings):
    return staff_client.post(reverse("admin:booking_booking_changelist"), {
        "action": "mark_paid_in_person", "_selected_action": [models.Booking.objects.get(public_id=b.id).pk
                                                              for b in bookings]}, follow=True)


def test_staff_mark_an_in_person_booking_as_paid(engine, studio, staff_client):
    booking = engine.confirm_or_decline_booking(book(engine, studio["stone"], option="OFFLINE").id,
                                                payment_status="NOT_PAID")
    response = mark_paid(staff_client, booking)
    assert "Marked 1 booking(s) as paid." in response.content.decode()
    change = models.BookingChange.objects.filter(booking__public_id=booking.id).last()
    assert (change.event, change.to_payment_status, change.actor) == ("updated", "PAID", "staff")
    assert change.reason == "paid in person, marked by boss"


def test_staff_can_only_mark_bookings_with_money_due(engine, studio, staff_client):
    created = book(engine, studio["massage"])
    paid = engine.confirm_or_decline_booking(book(engine, studio["stone"], hour=11).id, payment_status="PAID")
    response = mark_paid(staff_client, created, paid).content.decode()
    assert response.count("only confirmed or pending bookings with money still due") == 2
    assert models.Booking.objects.filter(payment_status="PAID").count() == 1


def test_the_review_page_offers_pay_online_with_the_price(client, studio):
    from tests.test_payments_helpers import fill_details

    fill_details(client, studio["massage"])
    page = client.get(reverse("booking:review", args=["massage"])).content.decode()
    assert 'name="payment" value="stripe"' in page and "Pay online: $80.00." in page


def test_production_with_the_sandbox_on_is_refused(settings):
    settings.DEBUG, settings.STRIPE_SANDBOX, settings.STRIPE_SECRET_KEY = False, True, ""
    assert [e.id for e in stripe_settings()] == ["payments.E001"]
    settings.DEBUG = True
    assert stripe_settings() == []
    settings.DEBUG, settings.STRIPE_SANDBOX = False, False  # no key does not turn the sandbox on
    assert stripe_settings() == []


def test_real_keys_need_a_webhook_secret_and_are_never_shown_whole(settings):
    settings.DEBUG, settings.STRIPE_SANDBOX = False, False
    settings.STRIPE_SECRET_KEY, settings.STRIPE_WEBHOOK_SECRET = "pk_live_notasecretkey9876", ""
    problems = stripe_settings()
    assert [e.id for e in problems] == ["payments.E002", "payments.W001"]
    assert all("notasecretkey" not in str(problem) for problem in problems)
    assert "pk_live_…9876" in str(problems[1])
    settings.STRIPE_SECRET_KEY, settings.STRIPE_WEBHOOK_SECRET = "sk_live_abc123", "whsec_abc"
    assert stripe_settings() == []


def render_rows(engine, service, booking=None) -> str:
    from django.template import Context, Template

    service = engine.query_services(filter={"id": str(service.pk)})[0]
    template = Template("{% load payment_tags %}<dl>{% payment_rows service booking %}</dl>")
    return " ".join(template.render(Context({"service": service, "booking": booking})).split())


def test_the_steps_show_the_deposit_and_what_is_due_at_the_visit(engine, studio):
    rows = render_rows(engine, studio["stone"])
    assert "<dt>Price</dt><dd>$90.00</dd>" in rows
    assert "<dt>If you pay online</dt><dd>$20.00 deposit now, $70.00 at your visit</dd>" in rows


@pytest.mark.parametrize(("status", "expected"), [
    ("PARTIALLY_PAID", "<dt>Deposit paid</dt><dd>$20.00</dd></div> <div><dt>Due at your visit</dt><dd>$70.00</dd>"),
    ("PAID", "<dt>Paid</dt><dd>$90.00</dd>"),
    ("NOT_PAID", "<dt>Due at your visit</dt><dd>$90.00</dd>"),
])
def test_a_booking_shows_what_was_paid_and_what_is_due(engine, studio, status, expected):
    booking = engine.confirm_or_decline_booking(book(engine, studio["stone"]).id, payment_status=status)
    rows = render_rows(engine, studio["stone"], booking)
    assert expected in rows
