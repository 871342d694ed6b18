"""Contract tests of the Wix eCommerce calls (wix-api.md §8), against the sandbox under a live server: Create Checkout
and Create Redirect Session send Wix's documented shape and are answered with the keys of Wix's published examples;
orders are read with the app's identity; the parsers read Wix's own examples."""

from decimal import Decimal

import pytest
from django.test import RequestFactory

from booking.backends import get_backend
from booking.backends.wix import auth, ecom
from booking.errors import BookingsError, NotFound
from bookingsite.sandboxes.wix import recorder
from payments import wix_ecom
from payments.models import WixEcomCheckout
from tests.test_payments_helpers import book, make_studio
from tests.wix_samples import keys, sample

pytestmark = [pytest.mark.usefixtures("frozen_clock"), pytest.mark.django_db(transaction=True)]

CHECKOUT_FIELDS = {"lineItems", "customLineItems", "channelType", "checkoutInfo", "couponCode", "giftCardCode",
                   "overrideCheckoutUrl"}
REDIRECT_FIELDS = {"ecomCheckout", "bookingsCheckout", "eventsCheckout", "paidPlansCheckout", "login", "logout",
                   "auth", "storesProduct", "bookingsBook", "callbacks", "preferences"}
# What the site reads of a checkout, all in Wix's published example.
CHECKOUT_READ = {"checkout.id", "checkout.currency", "checkout.priceSummary.total.amount", "checkout.completed",
                 "checkout.calculationErrors", "checkout.lineItems[].catalogReference.catalogItemId",
                 "checkout.lineItems[].catalogReference.appId", "checkout.payNow.total.amount",
                 "checkout.payLater.total.amount"}


@pytest.fixture
def studio(wix_site, settings):
    settings.WIX_CHECKOUT = "wix_ecom"
    return make_studio()


def customer_request():
    return RequestFactory().get("/")


def made(entry_path: str) -> list[dict]:
    return [r for r in recorder.requests if r["path"] == "/_sandbox/wix" + entry_path]


def test_create_checkout_sends_the_booking_as_a_bookings_catalog_item(studio):
    backend, session = get_backend(), {}
    with auth.bound_session(session):
        booking = book(backend, studio["massage"])
        wix_ecom.start(booking, customer_request())
    [call] = made("/ecom/v1/checkouts")
    body = call["body"]
    assert call["method"] == "POST" and call["authorization"] == "visitor"
    assert set(body) <= CHECKOUT_FIELDS and body["channelType"] == "WEB"
    assert keys(sample("09-create-checkout-stores-minimal-request.json")) <= keys(body)
    [item] = body["lineItems"]
    assert item["catalogReference"] == {"catalogItemId": booking.id, "appId": ecom.BOOKINGS_APP_ID}
    assert body["checkoutInfo"]["buyerInfo"]["email"] == "ada@example.com"
    assert body["checkoutInfo"]["billingInfo"]["contactDetails"]["lastName"] == "Lovelace"


def test_the_sandboxs_checkout_has_the_keys_of_wixs_example(studio):
    backend = get_backend()
    booking = book(backend, studio["stone"])
    answer = backend.client.write("/ecom/v1/checkouts", ecom.checkout_request(
        booking.id, first_name="Ada", last_name="Lovelace", email="ada@example.com"))
    assert keys(sample("09-create-checkout-stores-full-response.json")) >= CHECKOUT_READ
    assert keys(answer) >= CHECKOUT_READ
    checkout = ecom.parse_checkout(answer)
    assert (checkout.total, checkout.pay_now, checkout.pay_later) == (Decimal("90.00"), Decimal("20.00"),
                                                                      Decimal("70.00"))


def test_a_checkout_from_wixs_example_is_read():
    example = sample("09-create-checkout-stores-full-response.json")
    checkout = ecom.parse_checkout(example)
    assert checkout.id == example["checkout"]["id"]
    assert (checkout.currency, checkout.total, checkout.pay_now, checkout.pay_later) == (
        "USD", Decimal("27"), Decimal("27"), Decimal("0"))


def test_create_redirect_session_asks_for_the_ecom_checkout_with_our_callbacks(studio):
    backend, session = get_backend(), {}
    with auth.bound_session(session):
        booking = book(backend, studio["massage"])
        url = wix_ecom.start(booking, customer_request())
    [call] = made("/redirect-session/v1/redirect-session")
    body = call["body"]
    assert call["method"] == "POST" and call["authorization"] == "visitor"
    assert set(body) <= REDIRECT_FIELDS
    assert keys(sample("10-create-redirect-session-ecom-checkout-request.json")) <= keys(body)
    checkout = WixEcomCheckout.objects.get(booking_id=booking.id)
    assert body["ecomCheckout"] == {"checkoutId": checkout.checkout_id}
    assert body["callbacks"] == {
        "thankYouPageUrl": f"http://testserver/payments/bookings/{booking.id}/wix-return/",
        "postFlowUrl": f"http://testserver/payments/bookings/{booking.id}/"}
    assert "/_sandbox/wix/checkout/" in url
    # The answer has the keys of Wix's example; the parser reads the example's URL.
    answer = backend.client.write("/redirect-session/v1/redirect-session", body)
    assert keys(sample("10-create-redirect-session-ecom-checkout-response.json")) <= keys(answer)
    assert ecom.parse_redirect_url(sample("10-create-redirect-session-ecom-checkout-response.json")).startswith(
        "https://www.checkout.my-site.com/checkout?")


def test_a_second_start_reuses_the_checkout(studio):
    backend, session = get_backend(), {}
    with auth.bound_session(session):
        booking = book(backend, studio["massage"])
        wix_ecom.start(booking, customer_request())
        wix_ecom.start(booking, customer_request())
    assert len(made("/ecom/v1/checkouts")) == 1 and len(made("/redirect-session/v1/redirect-session")) == 2


def test_orders_are_read_with_the_apps_identity(studio, client):
    backend, session = get_backend(), {}
    with auth.bound_session(session):
        booking = book(backend, studio["stone"])
        url = wix_ecom.start(booking, customer_request())
    answer = client.post(url[url.index("/_sandbox/"):], {"action": "pay"})
    assert answer.status_code == 302 and "orderId=" in answer["Location"]
    order_id = answer["Location"].split("orderId=")[1].split("&")[0]
    order = backend.get_order(order_id)
    [call] = made(f"/ecom/v1/orders/{order_id}")
    assert (call["method"], call["authorization"]) == ("GET", "app")
    assert (order.status, order.payment_status, order.booking_ids) == ("APPROVED", "PARTIALLY_PAID", (booking.id,))
    assert wix_ecom.verify_return(booking.id, order_id).order_id == order_id
    with pytest.raises(NotFound):
        backend.get_order("00000000-0000-4000-8000-000000000000")
    with auth.bound_session(session), pytest.raises(BookingsError) as refused:
        backend.client.get(f"/ecom/v1/orders/{order_id}")  # a visitor may not read orders
    assert refused.value.http_status == 403


@pytest.mark.parametrize(("change", "status"), [
    ({"channelType": None}, 400),
    ({"lineItems": [{"quantity": 1, "catalogReference": {"catalogItemId": "x", "appId": "stores"}}]}, 400),
])
def test_a_malformed_checkout_is_refused(studio, change, status):
    backend = get_backend()
    booking = book(backend, studio["massage"])
    body = {**ecom.checkout_request(booking.id, first_name="A", last_name="B", email="a@example.com"), **change}
    with pytest.raises(BookingsError) as refused:
        backend.client.write("/ecom/v1/checkouts", body)
    assert refused.value.http_status == status


def test_a_settled_booking_cannot_be_checked_out(studio):
    backend = get_backend()
    booking = book(backend, studio["massage"])
    backend.confirm_or_decline_booking(booking.id, payment_status="NOT_PAID")
    with pytest.raises(BookingsError) as refused:
        backend.client.write("/ecom/v1/checkouts", ecom.checkout_request(
            booking.id, first_name="A", last_name="B", email="a@example.com"))
    assert refused.value.http_status == 428


def test_a_time_held_by_a_checkout_cannot_be_checked_out_again(studio):
    from booking.errors import SlotNotAvailable

    backend, session = get_backend(), {}
    with auth.bound_session(session):
        first = book(backend, studio["massage"])
        wix_ecom.start(first, customer_request())
        with pytest.raises(SlotNotAvailable):
            second = book(backend, studio["massage"])  # made when CREATED bookings hold nothing at Create Booking
            wix_ecom.start(second, customer_request())
    assert WixEcomCheckout.objects.count() == 1


def test_a_booking_paid_in_person_is_ordered_from_its_checkout(studio):
    from payments.providers import PROVIDERS

    backend, session = get_backend(), {}
    with auth.bound_session(session):
        booking = book(backend, studio["stone"], option="OFFLINE")
        settled = PROVIDERS["in_person"].complete(booking, customer_request())
    assert (settled.status, settled.payment_status) == ("CONFIRMED", "NOT_PAID")
    [call] = made(f"/ecom/v1/checkouts/{WixEcomCheckout.objects.get().checkout_id}/create-order")
    assert (call["method"], call["authorization"]) == ("POST", "visitor")
    assert not [r for r in recorder.requests if "confirmOrDecline" in r["path"]]
    checkout = WixEcomCheckout.objects.get()
    assert (checkout.pay_now, checkout.pay_later) == (Decimal("0.00"), Decimal("90.00"))
    order = backend.get_order(checkout.order_id)
    assert (order.status, order.payment_status, order.booking_ids) == ("APPROVED", "NOT_PAID", (booking.id,))
    with pytest.raises(BookingsError) as again:  # one order per checkout
        backend.client.write(f"/ecom/v1/checkouts/{checkout.checkout_id}/create-order", {})
    assert again.value.http_status == 428


def test_in_person_with_the_stripe_checkout_still_confirms_or_declines(studio, settings):
    from payments.providers import PROVIDERS

    settings.WIX_CHECKOUT = "stripe"
    backend = get_backend()
    booking = book(backend, studio["stone"], option="OFFLINE")
    assert PROVIDERS["in_person"].complete(booking, customer_request()).status == "CONFIRMED"
    assert [r for r in recorder.requests if "confirmOrDecline" in r["path"]]
    assert not WixEcomCheckout.objects.exists()


def test_the_hosted_checkout_page_needs_its_csrf_token_and_get_changes_nothing(studio):
    from django.test import Client

    from bookingsite.sandboxes.wix.models import EcomOrder

    backend, session = get_backend(), {}
    with auth.bound_session(session):
        booking = book(backend, studio["massage"])
        url = wix_ecom.start(booking, customer_request())
    path = url[url.index("/_sandbox/"):]
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(path)
    assert page.status_code == 200 and b"Test checkout" in page.content and b"Pay 80.00 USD" in page.content
    assert browser.post(path, {"action": "pay"}).status_code == 403
    assert browser.post(path, {"action": "steal"}).status_code == 403
    assert not EcomOrder.objects.exists()
    assert backend.query_extended_bookings(booking_ids=[booking.id])[0].status == "CREATED"
    assert Client().post(path, {"action": "steal"}).status_code == 400
