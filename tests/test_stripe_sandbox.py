"""The whole Stripe round over real HTTP: the pages create Checkout Sessions with stripe-python against the Stripe
sandbox served by the live server, the sandbox's page pays, declines or is abandoned and sends signed webhooks
back, the return page reads the session back, and refunds go to the sandbox and come back as charge.refunded."""

import threading
from datetime import timedelta
from decimal import Decimal
from io import StringIO
from urllib.parse import urlsplit

import pytest
import requests
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from booking import models
from booking.backends.local import LocalEngine
from booking.port import Caller, CancelFlowControlSettings
from bookingsite.sandboxes.stripe.models import SandboxIdempotencyKey, SandboxObject
from payments import stripe_api
from payments.models import StripeCheckout, StripeEvent, StripeRefund
from tests.test_payments_helpers import fill_details, make_studio, submit_review

pytestmark = [pytest.mark.usefixtures("running_clock"), pytest.mark.django_db(transaction=True)]


@pytest.fixture
def studio(live_server, settings):
    # The test client is not a server: point stripe-python at the sandbox the live server serves.
    settings.STRIPE_API_BASE = live_server.url + stripe_api.SANDBOX_PREFIX
    return make_studio()


def sessions():
    return SandboxObject.objects.filter(type="checkout.session")


def path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def start_paying(client, service, payment="stripe", **headers):
    fill_details(client, service)
    return submit_review(client, service, payment, **headers)


def sandbox_action(client, checkout_url: str, action: str):
    page = client.get(path(checkout_url))
    assert page.status_code == 200
    assert "Test payment — sandbox" in page.content.decode()
    return client.post(path(checkout_url) + "action/", {"action": action})


def the_booking():
    return models.Booking.objects.get()


def test_pay_online_holds_the_time_and_sends_the_customer_to_a_checkout_session(client, studio):
    response = start_paying(client, studio["massage"])
    assert response.status_code == 302
    session = sessions().get().data
    assert response["Location"] == session["url"]
    booking = the_booking()
    assert (booking.status, booking.selected_payment_option) == ("CREATED", "ONLINE")
    assert session["amount_total"] == 8000 and session["currency"] == "usd"
    assert session["metadata"] == {"booking_id": str(booking.public_id), "revision": "1", "attempt": "1",
                                   "payment": "full"}
    assert session["client_reference_id"] == str(booking.public_id)
    assert session["expires_at"] == int(booking.hold_expires_at.timestamp())
    assert booking.hold_expires_at - timezone.now() > timedelta(minutes=30)
    assert session["success_url"] == "http://testserver/payments/stripe/return/?session_id={CHECKOUT_SESSION_ID}"
    assert SandboxIdempotencyKey.objects.get().key == f"checkout-{booking.public_id}-r1-a1"
    item = session["_line_items"][0]
    assert item["quantity"] == "1" and item["price_data"]["product_data"]["name"] == "Massage"
    assert "Mon 2 Mar 2026, 9:00 AM (America/New_York)" in item["price_data"]["product_data"]["description"]


def test_htmx_is_sent_on_with_hx_redirect(client, studio):
    response = start_paying(client, studio["massage"], **{"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"] == sessions().get().data["url"]


def test_double_clicking_pay_online_creates_one_session(client, studio):
    fill_details(client, studio["massage"])
    key = client.get(reverse("booking:review", args=["massage"])).context["draft"].submission_key
    form = {"submission_key": key, "payment": "stripe"}
    first = client.post(reverse("booking:review", args=["massage"]), form)
    again = client.post(reverse("booking:review", args=["massage"]), form)
    assert first["Location"] == again["Location"]
    assert sessions().count() == 1 and StripeCheckout.objects.count() == 1


def test_two_clicks_at_the_same_moment_create_one_session(client, studio):
    fill_details(client, studio["massage"])
    key = client.get(reverse("booking:review", args=["massage"])).context["draft"].submission_key
    barrier, locations = threading.Barrier(3), []

    def click():
        twin = Client()
        twin.cookies = client.cookies
        barrier.wait()
        response = twin.post(reverse("booking:review", args=["massage"]), {"submission_key": key, "payment": "stripe"})
        locations.append(response.get("Location"))

    threads = [threading.Thread(target=click) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(locations)) == 1 and locations[0]
    assert sessions().count() == 1 and models.Booking.objects.count() == 1


def test_paying_in_the_sandbox_confirms_the_booking_as_paid(client, studio):
    checkout_url = start_paying(client, studio["massage"])["Location"]
    paid = sandbox_action(client, checkout_url, "pay")
    session = sessions().get().data
    assert paid.status_code == 302
    assert paid["Location"] == f"http://testserver/payments/stripe/return/?session_id={session['id']}"
    # The signed webhook reached the live server before the customer came back.
    event = StripeEvent.objects.get()
    assert (event.type, event.object_id, event.outcome) == ("checkout.session.completed", session["id"],
                                                            "processed")
    booking = the_booking()
    assert (booking.status, booking.payment_status, booking.hold_expires_at) == ("CONFIRMED", "PAID", None)
    back = client.get(path(paid["Location"]))
    assert back.status_code == 302 and back["Location"] == reverse("booking:confirmation",
                                                                    args=[booking.public_id])
    page = client.get(back["Location"]).content.decode()
    assert "Your booking is confirmed." in page and "$80.00" in page and "Paid" in page


def test_the_return_page_settles_a_paid_session_when_the_webhook_is_lost(client, studio):
    checkout_url = start_paying(client, studio["massage"])["Location"]
    row = sessions().get()
    row.data["_webhook_url"] = "http://127.0.0.1:9/unreachable/"  # Stripe's delivery fails
    row.save()
    paid = sandbox_action(client, checkout_url, "pay")
    assert the_booking().status == "CREATED" and not StripeEvent.objects.exists()
    back = client.get(path(paid["Location"]))
    assert back["Location"] == reverse("booking:confirmation", args=[the_booking().public_id])
    assert (the_booking().status, the_booking().payment_status) == ("CONFIRMED", "PAID")
    assert StripeCheckout.objects.get().outcome == "confirmed: CONFIRMED PAID"


def test_a_deposit_is_charged_and_the_rest_is_due_at_the_visit(client, studio):
    checkout_url = start_paying(client, studio["stone"], payment="stripe_deposit")["Location"]
    session = sessions().get().data
    assert session["amount_total"] == 2000 and session["metadata"]["payment"] == "deposit"
    assert session["_line_items"][0]["price_data"]["product_data"]["name"] == "Deposit: Hot stone"
    client.get(path(sandbox_action(client, checkout_url, "pay")["Location"]))
    assert (the_booking().status, the_booking().payment_status) == ("CONFIRMED", "PARTIALLY_PAID")
    checkout = StripeCheckout.objects.get()
    assert (checkout.amount, checkout.is_deposit) == (Decimal("20.00"), True)


def test_declined_then_paid_on_a_second_try(client, studio):
    checkout_url = start_paying(client, studio["massage"])["Location"]
    declined = sandbox_action(client, checkout_url, "decline")
    assert [e.type for e in StripeEvent.objects.order_by("received_at")] == [
        "checkout.session.completed", "checkout.session.async_payment_failed"]
    assert (the_booking().status, the_booking().hold_expires_at) == ("CREATED", None)
    back = client.get(path(declined["Location"]))
    assert back["Location"] == reverse("payments:booking_payment", args=[the_booking().public_id])
    page = client.get(back["Location"])
    assert "Your payment did not go through" in page.content.decode()

    retry = client.post(reverse("payments:resume_payment", args=[the_booking().public_id]))
    assert retry.status_code == 302 and retry["Location"] != checkout_url
    assert StripeCheckout.objects.filter(status="open").get().attempt == 2
    assert the_booking().hold_expires_at is not None
    client.get(path(sandbox_action(client, retry["Location"], "pay")["Location"]))
    assert (the_booking().status, the_booking().payment_status) == ("CONFIRMED", "PAID")


def test_abandoning_keeps_the_hold_until_the_session_expires(client, studio):
    checkout_url = start_paying(client, studio["massage"])["Location"]
    left = sandbox_action(client, checkout_url, "abandon")
    booking = the_booking()
    assert left["Location"] == f"http://testserver/payments/bookings/{booking.public_id}/"
    page = client.get(path(left["Location"])).content.decode()
    assert "Your payment is not finished" in page and "Continue to payment" in page
    assert LocalEngine().list_availability_time_slots(
        service_id=str(studio["massage"].pk), from_local_date="2026-03-02T09:00:00",
        to_local_date="2026-03-02T10:00:00").time_slots == ()

    with time_machine.travel(timezone.now() + timedelta(minutes=32)):
        # The hold has lapsed: the time counts as free at once.
        assert len(LocalEngine().list_availability_time_slots(
            service_id=str(studio["massage"].pk), from_local_date="2026-03-02T09:00:00",
            to_local_date="2026-03-02T10:00:00").time_slots) == 1
        # Stripe expires the session and says so; the hold is cleared.
        page = client.get(reverse("payments:booking_payment", args=[booking.public_id])).content.decode()
        assert "Your payment did not go through" in page or "Pay for your booking" in page
        assert sessions().get().data["status"] == "expired"
        assert StripeEvent.objects.get().type == "checkout.session.expired"
        assert the_booking().hold_expires_at is None and the_booking().status == "CREATED"


def test_choosing_another_time_releases_the_hold_and_ends_the_session(client, studio):
    start_paying(client, studio["massage"])
    booking = the_booking()
    response = client.post(reverse("payments:release_booking_time", args=[booking.public_id]))
    assert response["Location"] == reverse("booking:slots", args=["massage"])
    assert the_booking().hold_expires_at is None
    assert sessions().get().data["status"] == "expired"
    assert StripeCheckout.objects.get().status == "expired"
    event = StripeEvent.objects.get()  # Stripe says so too, and it is received as soon as the expiry commits
    assert (event.type, event.detail) == ("checkout.session.expired", "expired: hold released")


def test_a_staff_cancel_with_refund_refunds_through_stripe(client, studio):
    client.get(path(sandbox_action(client, start_paying(client, studio["massage"])["Location"], "pay")["Location"]))
    booking = the_booking()
    LocalEngine().cancel_booking(str(booking.public_id), revision=booking.revision, caller=Caller.STAFF,
                                 flow_control_settings=CancelFlowControlSettings(with_refund=True))
    refund = StripeRefund.objects.get()
    assert refund.status == "succeeded" and refund.refund_id.startswith("re_test_")
    assert SandboxObject.objects.get(id=refund.refund_id).data["amount"] == 8000
    assert (the_booking().status, the_booking().payment_status) == ("CANCELED", "REFUNDED")
    assert StripeEvent.objects.filter(type="charge.refunded").count() == 1
    # Asking again refunds nothing more (one refund per payment, and Stripe's idempotency key).
    from payments.refunds import refund_if_due

    refund_if_due(str(booking.public_id), event="canceled", initiated_by="staff", with_refund=True)
    assert SandboxObject.objects.filter(type="refund").count() == 1


def test_a_staff_cancel_without_refund_keeps_the_money(client, studio, settings):
    settings.PAYMENTS_CUSTOMER_REFUND_HOURS = 24
    client.get(path(sandbox_action(client, start_paying(client, studio["massage"])["Location"], "pay")["Location"]))
    booking = the_booking()
    LocalEngine().cancel_booking(str(booking.public_id), revision=booking.revision, caller=Caller.STAFF)
    assert not StripeRefund.objects.exists() and the_booking().payment_status == "PAID"


@pytest.mark.parametrize(("hours", "refunded"), [(24, True), (48, False), (-1, False)])
def test_a_customer_who_cancels_in_time_is_refunded(client, studio, settings, hours, refunded):
    settings.PAYMENTS_CUSTOMER_REFUND_HOURS = hours  # the booking starts 26 hours after "now"
    client.get(path(sandbox_action(client, start_paying(client, studio["massage"])["Location"], "pay")["Location"]))
    booking = the_booking()
    LocalEngine().cancel_booking(str(booking.public_id), revision=booking.revision, caller=Caller.CUSTOMER)
    assert StripeRefund.objects.exists() is refunded
    assert the_booking().payment_status == ("REFUNDED" if refunded else "PAID")


def test_the_return_page_trusts_nothing_in_the_url(client, studio):
    url = reverse("payments:stripe_return")
    assert client.get(url).status_code == 400
    assert client.get(url + "?session_id=<script>").status_code == 400
    assert client.get(url + "?session_id=cs_test_unknown").status_code == 404
    checkout_url = start_paying(client, studio["massage"])["Location"]
    session_id = sessions().get().id
    assert Client().get(f"{url}?session_id={session_id}").status_code == 404  # another browser
    # Unpaid: back to the payment page, nothing settled.
    response = client.get(f"{url}?session_id={session_id}")
    assert response["Location"] == reverse("payments:booking_payment", args=[the_booking().public_id])
    assert the_booking().status == "CREATED"
    assert client.get(path(checkout_url)).status_code == 200


def test_payment_pages_belong_to_the_browser_that_booked(client, studio):
    start_paying(client, studio["massage"])
    booking_id = the_booking().public_id
    stranger = Client()
    assert stranger.get(reverse("payments:booking_payment", args=[booking_id])).status_code == 404
    assert stranger.post(reverse("payments:resume_payment", args=[booking_id])).status_code == 404
    assert stranger.post(reverse("payments:release_booking_time", args=[booking_id])).status_code == 404
    assert the_booking().hold_expires_at is not None
    assert client.get(reverse("payments:resume_payment", args=[booking_id])).status_code == 405


def test_the_sandbox_api_behaves_like_stripe(live_server, studio):
    base = live_server.url + stripe_api.SANDBOX_PREFIX
    auth = {"Authorization": f"Bearer {stripe_api.SANDBOX_API_KEY}"}
    denied = requests.get(f"{base}/v1/checkout/sessions/cs_test_x", headers={"Authorization": "Bearer sk_test_nope"},
                          timeout=10)
    assert denied.status_code == 401 and "sk_test_nope" not in denied.text
    missing = requests.get(f"{base}/v1/checkout/sessions/cs_test_x", headers=auth, timeout=10)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "resource_missing"
    assert requests.get(f"{base}/v1/customers", headers=auth, timeout=10).status_code == 404
    form = {"mode": "payment", "success_url": "http://x/ok", "line_items[0][quantity]": "1",
            "line_items[0][price_data][currency]": "usd", "line_items[0][price_data][unit_amount]": "500",
            "line_items[0][price_data][product_data][name]": "Thing"}
    first = requests.post(f"{base}/v1/checkout/sessions", data=form, headers={**auth, "Idempotency-Key": "k1"},
                          timeout=10)
    again = requests.post(f"{base}/v1/checkout/sessions", data=form, headers={**auth, "Idempotency-Key": "k1"},
                          timeout=10)
    assert first.status_code == 200 and first.json()["id"].startswith("cs_test_")
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
    other = requests.post(f"{base}/v1/checkout/sessions", data={**form, "line_items[0][quantity]": "2"},
                          headers={**auth, "Idempotency-Key": "k1"}, timeout=10)
    assert other.status_code == 400 and other.json()["error"]["type"] == "idempotency_error"
    too_soon = requests.post(f"{base}/v1/checkout/sessions", headers=auth, timeout=10,
                             data={**form, "expires_at": str(int(timezone.now().timestamp()) + 600)})
    assert too_soon.status_code == 400 and too_soon.json()["error"]["param"] == "expires_at"
    with pytest.raises(stripe_api.PaymentNotFound):
        stripe_api.retrieve_checkout_session(base, "cs_test_nothing")


def test_the_installed_sandbox_answers_nothing_once_switched_off(client, live_server, settings):
    settings.STRIPE_SANDBOX = False
    base = live_server.url + stripe_api.SANDBOX_PREFIX
    response = requests.post(f"{base}/v1/checkout/sessions", timeout=10,
                             headers={"Authorization": f"Bearer {stripe_api.SANDBOX_API_KEY}"})
    assert response.status_code == 404
    assert client.get("/_sandbox/stripe/checkout/cs_test_x/").status_code == 404


def test_a_slot_taken_while_paying_sends_the_customer_back_to_the_times(client, studio):
    fill_details(client, studio["massage"])
    key = client.get(reverse("booking:review", args=["massage"])).context["draft"].submission_key
    rival = Client()
    fill_details(rival, studio["massage"])
    submit_review(rival, studio["massage"], payment="stripe")  # holds the time while they pay
    response = client.post(reverse("booking:review", args=["massage"]), {"submission_key": key, "payment": "stripe"})
    assert response.status_code == 409
    assert "this time was just taken" in response.content.decode()
    assert models.Booking.objects.filter(hold_expires_at__isnull=False).count() == 1
    assert sessions().count() == 1


def test_sessions_nobody_looks_at_expire_from_the_command(client, studio):
    start_paying(client, studio["massage"])
    call_command("stripe_sandbox_expire", stdout=StringIO())
    assert sessions().get().data["status"] == "open"
    with time_machine.travel(timezone.now() + timedelta(minutes=32)):
        out = StringIO()
        call_command("stripe_sandbox_expire", stdout=out)
        assert out.getvalue().strip() == "Expired 1 sandbox checkout session(s)."
    assert StripeEvent.objects.get().type == "checkout.session.expired"
    assert (the_booking().status, the_booking().hold_expires_at) == ("CREATED", None)
    assert StripeCheckout.objects.get().status == "expired"


def test_declining_a_paid_request_refunds_it(client, studio):
    client.get(path(sandbox_action(client, start_paying(client, studio["facial"])["Location"], "pay")["Location"]))
    booking = the_booking()
    assert (booking.status, booking.payment_status) == ("PENDING", "PAID")
    LocalEngine().decline_booking(str(booking.public_id), revision=booking.revision, caller=Caller.STAFF)
    assert StripeRefund.objects.get().status == "succeeded"
    assert (the_booking().status, the_booking().payment_status) == ("DECLINED", "REFUNDED")
