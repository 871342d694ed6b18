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
