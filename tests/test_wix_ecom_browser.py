"""Wix eCommerce checkout in wix mode, in a real Chromium: the review page, the Wix sandbox's hosted checkout, and back
to pages that show what the booking says (wix-api.md §8). Nothing here confirms a booking but the sandbox's order."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from booking import models
from bookingsite.sandboxes.wix import recorder
from bookingsite.sandboxes.wix.models import EcomOrder
from tests.test_payments_browser import choose_a_time_and_fill_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def ecom(wix_site, live_server, settings):
    """The demo on the wix backend with the Wix site's own checkout (the default in wix mode)."""
    from django.utils import timezone

    from booking.demo import load_demo

    settings.WIX_CHECKOUT = "wix_ecom"
    load_demo(timezone.localdate())
    return live_server.url


def to_the_hosted_checkout(page: Page, base: str, service: str, option: str | None = None,
                           button: str = "Book now") -> None:
    choose_a_time_and_fill_in(page, base, service)
    if option:
        page.get_by_label(option).check()
    page.get_by_role("button", name=button).click()
    expect(page).to_have_url(re.compile(r"/_sandbox/wix/checkout/[0-9a-f-]+/$"))
    expect(page.get_by_text("Test checkout — sandbox.")).to_be_visible()


def test_paying_on_the_hosted_checkout_books_the_time(page: Page, ecom, console_errors):
    to_the_hosted_checkout(page, ecom, "Deep tissue massage")
    page.get_by_role("button", name="Pay 110.00 USD").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You're booked")
    expect(page.get_by_text("Paid", exact=True)).to_be_visible()
    booking = models.Booking.objects.get()
    assert (booking.status, booking.payment_status) == ("CONFIRMED", "PAID")
    assert EcomOrder.objects.get().status == "APPROVED"
    # The site made the checkout and the session and read the order; it never confirmed the booking itself.
    paths = [r["path"] for r in recorder.requests]
    assert any(p.endswith("/ecom/v1/checkouts") for p in paths)
    assert any(p.endswith("/redirect-session/v1/redirect-session") for p in paths)
    assert any("/ecom/v1/orders/" in p for p in paths)
    assert not any("confirmOrDecline" in p or p.endswith("/confirm") for p in paths)
    assert console_errors == []


def test_a_deposit_shows_what_is_paid_now_and_later_without_javascript(browser, ecom):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    to_the_hosted_checkout(page, ecom, "Hot stone massage", "Pay online on the secure checkout")
    expect(page.get_by_text("Pay later: 100.00 USD")).to_be_visible()
    page.get_by_role("button", name="Pay 40.00 USD").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You're booked")
    expect(page.get_by_text("Deposit paid")).to_be_visible()
    expect(page.locator("dt", has_text="Pay later")).to_be_visible()
    context.close()
    assert models.Booking.objects.get().payment_status == "PARTIALLY_PAID"


def test_a_service_that_needs_approval_is_requested(page: Page, ecom):
    models.Service.objects.filter(slug="deep-tissue-massage").update(require_manual_approval=True)
    to_the_hosted_checkout(page, ecom, "Deep tissue massage", button="Request booking")
    page.get_by_role("button", name="Pay 110.00 USD").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Booking requested")
    assert models.Booking.objects.get().status == "PENDING"


def test_a_declined_payment_declines_the_booking_and_frees_the_time(page: Page, ecom):
    to_the_hosted_checkout(page, ecom, "Deep tissue massage")
    page.get_by_role("button", name="Decline").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Booking declined")
    booking = models.Booking.objects.get()
    assert booking.status == "DECLINED"
    # The same time can be booked again, from the declined page.
    page.get_by_role("link", name="Choose a time").click()
    page.locator("a.slot").first.click()
    page.get_by_role("button", name="Continue").click()  # the answers are kept
    page.get_by_role("button", name="Book now").click()
    page.get_by_role("button", name="Pay 110.00 USD").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You're booked")
    second = models.Booking.objects.exclude(pk=booking.pk).get()
    assert (second.start, second.status) == (booking.start, "CONFIRMED")


def test_an_abandoned_checkout_can_be_resumed_or_given_up(page: Page, ecom):
    to_the_hosted_checkout(page, ecom, "Deep tissue massage")
    page.get_by_role("button", name="Abandon").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your payment is not finished")
    assert models.Booking.objects.get().status == "CREATED"
    page.get_by_role("button", name="Continue to checkout").click()
    expect(page.get_by_text("Test checkout — sandbox.")).to_be_visible()
    page.get_by_role("button", name="Abandon").click()
    page.get_by_role("button", name="Choose another time").click()
    expect(page.get_by_text("Your answers are kept.", exact=False)).to_be_visible()
    assert models.Booking.objects.get().status == "CREATED"


def test_a_forged_return_url_shows_nothing_of_anyone_else(page: Page, browser, ecom):
    to_the_hosted_checkout(page, ecom, "Deep tissue massage")
    page.get_by_role("button", name="Pay 110.00 USD").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You're booked")
    paid = models.Booking.objects.get()
    order = EcomOrder.objects.get()

    # Another browser with the paid booking's id and order id in the return URL gets nothing.
    other = browser.new_context().new_page()
    answer = other.goto(ecom + reverse("payments:wix_return", args=[paid.public_id]) + f"?orderId={order.order_id}")
    assert answer.status == 404
    expect(other.get_by_text("Lovelace")).to_have_count(0)

    # Its own unpaid booking with the paid order's id stays unpaid, and the order is not taken as its own.
    to_the_hosted_checkout(other, ecom, "Hot stone massage", "Pay online on the secure checkout")
    other.get_by_role("button", name="Abandon").click()
    own = models.Booking.objects.exclude(pk=paid.pk).get()
    other.goto(ecom + reverse("payments:wix_return", args=[own.public_id]) + f"?orderId={order.order_id}")
    expect(other.get_by_role("heading", level=1)).to_have_text("Booking started")
    own.refresh_from_db()
    assert own.status == "CREATED"
    from payments.models import WixEcomCheckout
    assert WixEcomCheckout.objects.get(booking_id=str(own.public_id)).order_id == ""


# ---- the seeds' order-by-API flows (§8.3, §8.5) --------------------------------------------------------------------


def test_a_class_paid_in_person_is_marked_paid_by_staff_in_the_admin(page: Page, browser, ecom):
    from django.contrib.auth.models import Permission, User

    from payments.models import WixOrderPayment

    page.goto(ecom + "/")
    page.get_by_role("link", name="Vinyasa flow").click()
    page.locator("a.session__book").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your details")
    page.get_by_label("First name").fill("Grace")
    page.get_by_label("Last name").fill("Hopper")
    page.get_by_label("Email").fill("grace@example.com")
    page.get_by_label("Phone").fill("+1 212 555 0101")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Book now").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You're booked")
    booking = models.Booking.objects.get()
    order = EcomOrder.objects.get()
    assert (booking.status, booking.payment_status) == ("CONFIRMED", "NOT_PAID")
    assert (order.status, order.payment_status) == ("APPROVED", "NOT_PAID")  # an order, unpaid, in Wix's dashboard

    # The front desk takes the $22 at the class and records it on the order.
    clerk = User.objects.create_user("frontdesk", password="a-long-test-password", is_staff=True)
    clerk.user_permissions.add(*Permission.objects.filter(
        codename__in=["view_wixecomcheckout", "add_wixorderpayment"]))
    staff = browser.new_context().new_page()
    staff.goto(ecom + "/admin/login/")
    staff.get_by_label("Username").fill("frontdesk")
    staff.get_by_label("Password").fill("a-long-test-password")
    staff.get_by_role("button", name="Log in").click()
    staff.goto(ecom + "/admin/payments/wixecomcheckout/")
    staff.get_by_role("link", name="Mark as paid…").click()
    expect(staff.locator("dd").filter(has_text="22.00 USD").first).to_be_visible()
    order.refresh_from_db()
    assert order.payment_status == "NOT_PAID"  # looking changes nothing
    staff.get_by_role("button", name="Mark as paid").click()
    expect(staff.get_by_text(f"Recorded 22.00 USD paid in person on Wix order {order.order_id}.")).to_be_visible()

    order.refresh_from_db()
    booking.refresh_from_db()
    assert (order.status, order.payment_status) == ("APPROVED", "PAID")
    assert booking.payment_status == "PAID"
    [payment] = order.payments.all()
    assert (payment.offline, payment.amount) == (True, 22)
    assert WixOrderPayment.objects.get().recorded_by == clerk
    # Nothing is left to pay: the page says so, and offers no button.
    staff.get_by_role("link", name="Mark as paid…").click()
    expect(staff.get_by_text("Still to pay")).to_be_visible()
    expect(staff.get_by_role("button", name="Mark as paid")).to_have_count(0)


@pytest.fixture
def stripe_orders(wix_site, live_server, settings):
    """The demo on the wix backend with the custom Stripe checkout, each payment recorded on a Wix order."""
    from django.utils import timezone

    from booking.demo import load_demo

    settings.WIX_CHECKOUT = "stripe"
    settings.WIX_ORDERS_FOR_STRIPE_PAYMENTS = True
    load_demo(timezone.localdate())
    return live_server.url


def test_an_appointment_paid_with_stripe_is_recorded_on_its_wix_order(page: Page, stripe_orders, console_errors):
    from payments.models import StripeCheckout
    from tests.test_payments_browser import pay_in_the_sandbox

    choose_a_time_and_fill_in(page, stripe_orders, "Deep tissue massage")
    page.get_by_role("button", name="Book now").click()
    expect(page).to_have_url(re.compile(r"/_sandbox/stripe/checkout/cs_test_\w+/$"))
    order = EcomOrder.objects.get()
    assert (order.status, order.payment_status) == ("INITIALIZED", "NOT_PAID")  # made before the payment
    pay_in_the_sandbox(page, "110.00 USD")
    expect(page.get_by_role("heading", level=1)).to_have_text("You're booked")

    booking = models.Booking.objects.get()
    order.refresh_from_db()
    assert (booking.status, booking.payment_status) == ("CONFIRMED", "PAID")
    assert (order.status, order.payment_status) == ("APPROVED", "PAID")
    [payment] = order.payments.all()
    assert payment.details["providerTransactionId"] == StripeCheckout.objects.get().payment_intent
    assert not payment.offline
    # Wix confirmed the booking with its order; the site never called Confirm Or Decline.
    paths = [r["path"] for r in recorder.requests]
    assert any(p.endswith("/create-order") for p in paths) and any(p.endswith("/add-payment") for p in paths)
    assert not any("confirmOrDecline" in p for p in paths)
    assert console_errors == []
