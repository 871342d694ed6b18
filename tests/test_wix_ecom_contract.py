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


# ---- order payments and refunds (§8.5) -----------------------------------------------------------------------------

ADD_PAYMENT_FIELDS = {"payments"}
PAYMENT_FIELDS = {"amount", "regularPaymentDetails", "giftcardPaymentDetails"}
REGULAR_DETAILS = {"paymentOrderId", "gatewayTransactionId", "paymentMethod", "providerTransactionId",
                   "offlinePayment", "status", "savedPaymentMethod"}
REFUND_FIELDS = {"orderId", "paymentRefunds", "sideEffects", "refundItems"}
PAYMENT_REFUND_FIELDS = {"paymentId", "amount", "externalRefund"}


def staff_user(*, allowed: bool = True):
    from django.contrib.auth.models import Permission, User

    user = User.objects.create_user("frontdesk", password="pw", is_staff=True)
    if allowed:
        user.user_permissions.add(Permission.objects.get(codename="add_wixorderpayment"))
    return User.objects.get(pk=user.pk)  # permissions are cached per instance


def ordered_in_person(studio):
    """A hot stone booking paid in person on a Wix eCommerce site: its order exists, APPROVED and NOT_PAID."""
    from payments.providers import PROVIDERS

    backend, session = get_backend(), {}
    with auth.bound_session(session):
        booking = book(backend, studio["stone"], option="OFFLINE")
        PROVIDERS["in_person"].complete(booking, customer_request())
    return booking, WixEcomCheckout.objects.get(booking_id=booking.id)


def paid_on_the_hosted_checkout(studio, client, service="massage"):
    backend, session = get_backend(), {}
    with auth.bound_session(session):
        booking = book(backend, studio[service])
        url = wix_ecom.start(booking, customer_request())
    answer = client.post(url[url.index("/_sandbox/"):], {"action": "pay"})
    order_id = answer["Location"].split("orderId=")[1].split("&")[0]
    assert wix_ecom.verify_return(booking.id, order_id) is not None
    return booking, WixEcomCheckout.objects.get(booking_id=booking.id)


def sandbox_order(order_id: str):
    from bookingsite.sandboxes.wix.models import EcomOrder

    return EcomOrder.objects.get(order_id=order_id)


def test_mark_as_paid_adds_the_balance_as_an_offline_payment(studio):
    from booking import models
    from payments import wix_orders

    booking, checkout = ordered_in_person(studio)
    user = staff_user()
    row = wix_orders.mark_paid_in_person(checkout, user)
    [call] = made(f"/ecom/v1/payments/orders/{checkout.order_id}/add-payment")
    assert (call["method"], call["authorization"]) == ("POST", "app") and "wix-site-id" in call["headers"]
    body = call["body"]
    assert set(body) <= ADD_PAYMENT_FIELDS
    [payment] = body["payments"]
    assert set(payment) <= PAYMENT_FIELDS and set(payment["regularPaymentDetails"]) <= REGULAR_DETAILS
    assert payment["amount"] == {"amount": "90.00"}
    assert payment["regularPaymentDetails"]["offlinePayment"] is True
    assert payment["regularPaymentDetails"]["status"] == "APPROVED"
    # The audit row, the order and the booking following it.
    assert (row.kind, row.amount, row.recorded_by, row.order_id) == ("in_person", Decimal("90.00"), user,
                                                                     checkout.order_id)
    assert row.payment_id and row.recorded_at is not None
    order = get_backend().get_order(checkout.order_id)
    assert (order.status, order.payment_status, order.balance) == ("APPROVED", "PAID", Decimal("0.00"))
    assert models.Booking.objects.get(public_id=booking.id).payment_status == "PAID"
    assert models.BookingChange.objects.filter(booking__public_id=booking.id, to_payment_status="PAID").exists()


def test_an_order_already_paid_is_not_marked_paid_again(studio):
    from booking.errors import FailedPrecondition
    from payments import wix_orders
    from payments.models import WixOrderPayment

    _, checkout = ordered_in_person(studio)
    user = staff_user()
    wix_orders.mark_paid_in_person(checkout, user)
    with pytest.raises(FailedPrecondition) as refused:
        wix_orders.mark_paid_in_person(checkout, user)
    assert refused.value.http_status == 428 and "nothing left to pay" in refused.value.message
    assert len(made(f"/ecom/v1/payments/orders/{checkout.order_id}/add-payment")) == 1
    assert WixOrderPayment.objects.count() == 1


def test_marking_paid_needs_the_permission(studio):
    from booking.errors import PermissionDenied
    from payments import wix_orders
    from payments.models import WixOrderPayment

    _, checkout = ordered_in_person(studio)
    with pytest.raises(PermissionDenied):
        wix_orders.mark_paid_in_person(checkout, staff_user(allowed=False))
    assert not made(f"/ecom/v1/payments/orders/{checkout.order_id}/add-payment")
    assert not WixOrderPayment.objects.exists()


def test_add_payments_refused_by_wix_gives_the_claim_back(studio):
    from payments import wix_orders
    from payments.models import WixOrderPayment

    _, checkout = ordered_in_person(studio)
    user = staff_user()
    recorder.fail_next("/add-payment", 503)
    with pytest.raises(BookingsError):
        wix_orders.mark_paid_in_person(checkout, user)
    assert not WixOrderPayment.objects.exists()
    assert sandbox_order(checkout.order_id).payment_status == "NOT_PAID"
    wix_orders.mark_paid_in_person(checkout, user)  # staff try again
    assert sandbox_order(checkout.order_id).payment_status == "PAID"


def test_add_payments_needs_the_apps_identity(studio):
    _, checkout = ordered_in_person(studio)
    body = ecom.add_payment_request(amount=Decimal("90.00"), offline=True, payment_method="InPerson")
    with auth.bound_session({}), pytest.raises(BookingsError) as refused:
        get_backend().client.write(f"/ecom/v1/payments/orders/{checkout.order_id}/add-payment", body)
    assert refused.value.http_status == 403
    assert sandbox_order(checkout.order_id).payment_status == "NOT_PAID"


@pytest.mark.parametrize("payments", [[], [{"amount": {"amount": "-5"}, "regularPaymentDetails": {}}],
                                      [{"amount": {"amount": "5.00"}}]])
def test_a_malformed_add_payments_is_refused(studio, payments):
    _, checkout = ordered_in_person(studio)
    with pytest.raises(BookingsError) as refused:
        get_backend().client.write(f"/ecom/v1/payments/orders/{checkout.order_id}/add-payment",
                                   {"payments": payments}, identity=auth.Identity.APP)
    assert refused.value.http_status == 400
    assert sandbox_order(checkout.order_id).payments.count() == 0


def test_a_paid_order_is_refunded_through_order_billing_on_a_cancel_with_refund(studio, client):
    from booking import models
    from booking.port import Caller, CancelFlowControlSettings
    from payments.models import WixOrderRefund

    booking, checkout = paid_on_the_hosted_checkout(studio, client)
    backend = get_backend()
    [payment] = backend.list_order_payments(checkout.order_id)
    [listing] = made(f"/ecom/v1/payments/orders/{checkout.order_id}")
    assert (listing["method"], listing["authorization"]) == ("GET", "app")
    assert (payment.amount, payment.offline, payment.refundable) == (Decimal("80.00"), False, Decimal("80.00"))
    current = backend.query_extended_bookings(booking_ids=[booking.id])[0]
    backend.cancel_booking(booking.id, revision=current.revision, caller=Caller.STAFF,
                           flow_control_settings=CancelFlowControlSettings(ignore_cancellation_policy=True,
                                                                           with_refund=True))
    [call] = made("/ecom/v1/order-billing/refund-payments")
    assert (call["method"], call["authorization"]) == ("POST", "app")
    body = call["body"]
    assert set(body) <= REFUND_FIELDS and body["orderId"] == checkout.order_id
    [item] = body["paymentRefunds"]
    assert set(item) <= PAYMENT_REFUND_FIELDS
    assert item == {"paymentId": payment.id, "amount": {"amount": "80.00"}, "externalRefund": False}
    refund = WixOrderRefund.objects.get()
    assert (refund.status, refund.external, refund.amount) == ("succeeded", False, Decimal("80.00"))
    assert sandbox_order(checkout.order_id).payment_status == "FULLY_REFUNDED"
    stored = models.Booking.objects.get(public_id=booking.id)
    assert (stored.status, stored.payment_status) == ("CANCELED", "REFUNDED")
    assert backend.list_order_payments(checkout.order_id)[0].refundable == Decimal("0")


def test_a_customers_cancel_within_the_refund_window_is_refunded_through_order_billing(studio, client):
    from booking import models

    backend, session = get_backend(), {}
    with auth.bound_session(session):
        booking = book(backend, studio["massage"])  # Monday 9:00, 26 hours ahead of the frozen clock
        url = wix_ecom.start(booking, customer_request())
    answer = client.post(url[url.index("/_sandbox/"):], {"action": "pay"})
    wix_ecom.verify_return(booking.id, answer["Location"].split("orderId=")[1].split("&")[0])  # the thank-you page
    with auth.bound_session(session):
        current = backend.query_extended_bookings(booking_ids=[booking.id])[0]
        backend.cancel_booking(booking.id, revision=current.revision)  # the customer's own cancel
    [call] = made("/ecom/v1/order-billing/refund-payments")
    assert call["body"]["paymentRefunds"][0]["amount"] == {"amount": "80.00"}
    assert models.Booking.objects.get(public_id=booking.id).payment_status == "REFUNDED"


def test_a_paid_request_the_business_declines_is_refunded_through_order_billing(studio, client):
    from booking import models
    from payments.models import WixOrderRefund

    booking, checkout = paid_on_the_hosted_checkout(studio, client, service="facial")
    backend = get_backend()
    current = backend.query_extended_bookings(booking_ids=[booking.id])[0]
    assert current.status == "PENDING"
    backend.decline_booking(booking.id, revision=current.revision)
    assert WixOrderRefund.objects.get().reason == "declined by the business after payment"
    assert sandbox_order(checkout.order_id).payment_status == "FULLY_REFUNDED"
    assert models.Booking.objects.get(public_id=booking.id).payment_status == "REFUNDED"


def test_a_cancel_without_refund_refunds_nothing(studio, client):
    from booking.port import Caller, CancelFlowControlSettings

    booking, checkout = paid_on_the_hosted_checkout(studio, client)
    backend = get_backend()
    current = backend.query_extended_bookings(booking_ids=[booking.id])[0]
    backend.cancel_booking(booking.id, revision=current.revision, caller=Caller.STAFF,
                           flow_control_settings=CancelFlowControlSettings(ignore_cancellation_policy=True))
    assert not made("/ecom/v1/order-billing/refund-payments")
    assert sandbox_order(checkout.order_id).payment_status == "PAID"


def test_cash_taken_at_the_visit_is_not_refunded_through_wix(studio):
    from booking.port import Caller, CancelFlowControlSettings
    from payments import wix_orders

    booking, checkout = ordered_in_person(studio)
    wix_orders.mark_paid_in_person(checkout, staff_user())
    backend = get_backend()
    current = backend.query_extended_bookings(booking_ids=[booking.id])[0]
    backend.cancel_booking(booking.id, revision=current.revision, caller=Caller.STAFF,
                           flow_control_settings=CancelFlowControlSettings(ignore_cancellation_policy=True,
                                                                           with_refund=True))
    assert not made("/ecom/v1/order-billing/refund-payments")
    # And Wix itself will not refund an offline payment through its provider.
    [payment] = backend.list_order_payments(checkout.order_id)
    with pytest.raises(BookingsError) as refused:
        backend.refund_order_payments(checkout.order_id, [(payment.id, payment.amount, False)])
    assert refused.value.http_status == 428


def test_a_refund_wix_refused_is_kept_for_staff_to_ask_again(studio, client):
    from payments import wix_orders
    from payments.models import WixOrderRefund

    booking, checkout = paid_on_the_hosted_checkout(studio, client)
    recorder.fail_next("/ecom/v1/order-billing/refund-payments", 503)
    [refund] = wix_orders.refund_order(booking.id, reason="canceled with refund")
    assert refund.status == "failed" and "unavailable" in refund.error
    assert sandbox_order(checkout.order_id).payment_status == "PAID"
    assert wix_orders.send_refund(refund.pk).status == "succeeded"
    assert wix_orders.refund_order(booking.id, reason="again") == []  # nothing left to refund
    assert len(made("/ecom/v1/order-billing/refund-payments")) == 2 and WixOrderRefund.objects.count() == 1
    assert sandbox_order(checkout.order_id).payment_status == "FULLY_REFUNDED"


@pytest.mark.parametrize(("refund", "status"), [
    ([], 400),
    ([{"paymentId": "not-a-payment"}], 404),
    ([{"paymentId": "PAYMENT", "amount": {"amount": "80.01"}}], 428),
    ([{"paymentId": "PAYMENT", "amount": "80.00"}], 400),
])
def test_a_malformed_refund_is_refused_and_refunds_nothing(studio, client, refund, status):
    _, checkout = paid_on_the_hosted_checkout(studio, client)
    backend = get_backend()
    [payment] = backend.list_order_payments(checkout.order_id)
    body = {"orderId": checkout.order_id,
            "paymentRefunds": [{**item, "paymentId": payment.id} if item.get("paymentId") == "PAYMENT" else item
                               for item in refund]}
    with pytest.raises(BookingsError) as refused:
        backend.client.write("/ecom/v1/order-billing/refund-payments", body, identity=auth.Identity.APP)
    assert refused.value.http_status == status
    assert sandbox_order(checkout.order_id).payment_status == "PAID"
    assert backend.list_order_payments(checkout.order_id)[0].refundable == Decimal("80.00")


def test_an_order_is_read_with_its_price_and_balance(studio, client):
    _, checkout = paid_on_the_hosted_checkout(studio, client, service="stone")
    order = get_backend().get_order(checkout.order_id)
    assert (order.currency, order.total, order.balance, order.payment_status) == (
        "USD", Decimal("90.00"), Decimal("70.00"), "PARTIALLY_PAID")


# ---- a Stripe payment recorded on the order (WIX_CHECKOUT=stripe, WIX_ORDERS_FOR_STRIPE_PAYMENTS) -----------------


@pytest.fixture
def stripe_orders(wix_site, settings):
    settings.WIX_CHECKOUT = "stripe"
    settings.WIX_ORDERS_FOR_STRIPE_PAYMENTS = True
    return make_studio()


def stripe_paid(client, studio, service="massage"):
    from tests.test_payments_helpers import event_body, held_checkout, post_event

    backend, session = get_backend(), {}
    with auth.bound_session(session):
        booking = book(backend, studio[service])
        checkout = held_checkout(backend, booking)
        wix_ecom.order_for_stripe(booking)
    order = WixEcomCheckout.objects.get(booking_id=booking.id)
    assert sandbox_order(order.order_id).status == "INITIALIZED"  # waiting for the payment
    assert backend.query_extended_bookings(booking_ids=[booking.id])[0].status == "CREATED"
    assert post_event(client, event_body("checkout.session.completed", checkout)).status_code == 200
    checkout.refresh_from_db()
    return booking, checkout, order


def test_a_stripe_payment_is_added_to_the_order_and_wix_confirms_the_booking(client, stripe_orders):
    from booking import models
    from payments.models import WixOrderPayment

    booking, checkout, order = stripe_paid(client, stripe_orders)
    [create] = made(f"/ecom/v1/checkouts/{order.checkout_id}/create-order")
    assert (create["method"], create["authorization"]) == ("POST", "visitor")
    [call] = made(f"/ecom/v1/payments/orders/{order.order_id}/add-payment")
    assert call["authorization"] == "app"
    [payment] = call["body"]["payments"]
    assert payment["amount"] == {"amount": "80.00"}
    assert payment["regularPaymentDetails"] == {
        "offlinePayment": False, "status": "APPROVED", "paymentMethod": "Stripe",
        "providerTransactionId": checkout.payment_intent, "gatewayTransactionId": checkout.session_id}
    assert not [r for r in recorder.requests if "confirmOrDecline" in r["path"]]
    assert (sandbox_order(order.order_id).status, sandbox_order(order.order_id).payment_status) == ("APPROVED",
                                                                                                     "PAID")
    stored = models.Booking.objects.get(public_id=booking.id)
    assert (stored.status, stored.payment_status) == ("CONFIRMED", "PAID")
    assert checkout.paid_booking and "recorded on its Wix order" in checkout.outcome
    assert WixOrderPayment.objects.get().kind == "stripe"


def test_a_stripe_payment_for_a_service_that_needs_approval_is_pending(client, stripe_orders):
    from booking import models

    booking, _, order = stripe_paid(client, stripe_orders, service="facial")
    assert sandbox_order(order.order_id).payment_status == "PAID"
    assert models.Booking.objects.get(public_id=booking.id).status == "PENDING"


def test_add_payments_failing_leaves_the_payment_for_stripes_retry(client, stripe_orders):
    from booking import models
    from payments.models import WixOrderPayment
    from tests.test_payments_helpers import event_body, held_checkout, post_event

    backend = get_backend()
    with auth.bound_session({}):
        booking = book(backend, stripe_orders["massage"])
        checkout = held_checkout(backend, booking)
        wix_ecom.order_for_stripe(booking)
    body = event_body("checkout.session.completed", checkout)
    recorder.fail_next("/add-payment", 503)
    assert post_event(client, body).status_code == 409
    assert not WixOrderPayment.objects.exists()
    assert models.Booking.objects.get(public_id=booking.id).status == "CREATED"
    assert post_event(client, body).status_code == 200
    assert models.Booking.objects.get(public_id=booking.id).status == "CONFIRMED"
    assert WixOrderPayment.objects.count() == 1


def test_a_stripe_refund_is_recorded_on_the_order_as_an_external_refund(client, stripe_orders):
    from booking import models
    from payments.models import WixOrderPayment, WixOrderRefund
    from tests.test_payments_helpers import event_body, post_event

    booking, checkout, order = stripe_paid(client, stripe_orders)
    body = event_body("charge.refunded", checkout, amount=8000, amount_refunded=8000, refunded="true")
    assert post_event(client, body).status_code == 200
    [call] = made("/ecom/v1/order-billing/refund-payments")
    payment_id = WixOrderPayment.objects.get().payment_id
    assert call["body"] == {"orderId": order.order_id, "paymentRefunds": [
        {"paymentId": payment_id, "amount": {"amount": "80.00"}, "externalRefund": True}]}
    assert WixOrderRefund.objects.get().external
    assert sandbox_order(order.order_id).payment_status == "FULLY_REFUNDED"
    assert models.Booking.objects.get(public_id=booking.id).payment_status == "REFUNDED"


def test_starting_the_stripe_checkout_again_reuses_the_order_and_its_session(stripe_orders, live_server, settings):
    from django.contrib.sessions.backends.db import SessionStore

    from payments import stripe_checkout

    settings.STRIPE_API_BASE = live_server.url + "/_sandbox/stripe"
    request = customer_request()
    request.session = SessionStore()
    backend = get_backend()
    with auth.bound_session(request.session):
        booking = book(backend, stripe_orders["massage"])
        first = stripe_checkout.start_checkout(booking, request)
        again = stripe_checkout.start_checkout(booking, request)  # a double click, a second tab
    assert first == again and "/_sandbox/stripe/checkout/" in first
    assert len(made("/ecom/v1/checkouts")) == 1
    assert len([r for r in recorder.requests if r["path"].endswith("/create-order")]) == 1
    assert sandbox_order(WixEcomCheckout.objects.get().order_id).status == "INITIALIZED"


def test_the_setting_without_the_stripe_checkout_in_wix_mode_is_a_warning(settings):
    from payments.checks import stripe_settings

    settings.DEBUG = True  # (the sandbox is on)
    settings.BOOKINGS_BACKEND, settings.WIX_CHECKOUT, settings.WIX_ORDERS_FOR_STRIPE_PAYMENTS = "wix", "stripe", True
    assert stripe_settings() == []
    settings.WIX_CHECKOUT = "wix_ecom"
    assert [w.id for w in stripe_settings()] == ["payments.W003"]
    settings.BOOKINGS_BACKEND, settings.WIX_CHECKOUT = "local", "stripe"
    assert [w.id for w in stripe_settings()] == ["payments.W003"]


def test_without_the_setting_the_stripe_checkout_makes_no_order(client, stripe_orders, settings):
    from tests.test_payments_helpers import event_body, held_checkout, post_event

    settings.WIX_ORDERS_FOR_STRIPE_PAYMENTS = False
    backend = get_backend()
    booking = book(backend, stripe_orders["massage"])
    checkout = held_checkout(backend, booking)
    assert post_event(client, event_body("checkout.session.completed", checkout)).status_code == 200
    assert not WixEcomCheckout.objects.exists() and not made("/ecom/v1/checkouts")
    assert [r for r in recorder.requests if "confirmOrDecline" in r["path"]]


# ---- Wix's own shapes ------------------------------------------------------------------------------------------


def test_an_order_transactions_answer_is_read():
    """No published example exists for Order Transactions (wix-samples/README.md lists none); this is the shape of
    Wix's reference page: orderTransactions {orderId, payments[], refunds[]}, amounts as decimal strings."""
    answer = {"orderTransactions": {"orderId": "o-1", "payments": [
        {"id": "p-1", "amount": {"amount": "80.00", "formattedAmount": "$80.00"}, "refundDisabled": False,
         "regularPaymentDetails": {"offlinePayment": False, "status": "APPROVED", "providerTransactionId": "pi_1",
                                   "paymentMethod": "CreditCard"}},
        {"id": "p-2", "amount": {"amount": "10"}, "regularPaymentDetails": {"offlinePayment": True,
                                                                            "status": "APPROVED"}}],
        "refunds": [{"id": "r-1", "transactions": [{"paymentId": "p-1", "amount": {"amount": "30.00"},
                                                     "refundStatus": "SUCCEEDED", "externalRefund": False}]}]}}
    first, second = ecom.parse_payments(answer)
    assert (first.id, first.amount, first.refunded, first.refundable, first.offline) == (
        "p-1", Decimal("80.00"), Decimal("30.00"), Decimal("50.00"), False)
    assert (second.offline, second.refundable) == (True, Decimal("10"))
