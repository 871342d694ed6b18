"""Staff mark a Wix order paid in person from the admin (payments/admin.py), against the Wix sandbox under a
live server: the permission, CSRF, GET changing nothing, a refusal shown with its 4xx status, and the bookings list's
"Mark as paid in person" recording the payment on the booking's order."""

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import reverse

from booking import models
from bookingsite.sandboxes.wix import recorder
from bookingsite.sandboxes.wix.models import EcomOrder
from payments.models import WixEcomCheckout, WixOrderPayment
from tests.test_payments_helpers import make_studio
from tests.test_wix_ecom_contract import customer_request, ordered_in_person

pytestmark = [pytest.mark.usefixtures("frozen_clock"), pytest.mark.django_db(transaction=True)]


@pytest.fixture
def studio(wix_site, settings):
    settings.WIX_CHECKOUT = "wix_ecom"
    return make_studio()


def signed_in(*codenames, csrf: bool = False) -> tuple[Client, User]:
    user = User.objects.create_user(f"staff-{len(codenames)}", password="pw", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    browser = Client(enforce_csrf_checks=csrf)
    browser.force_login(user)
    return browser, user


def mark_paid_url(checkout: WixEcomCheckout) -> str:
    return reverse("admin:payments_wixecomcheckout_mark_paid", args=[checkout.pk])


def add_payments_made() -> list[dict]:
    return [r for r in recorder.requests if r["path"].endswith("/add-payment")]


def test_staff_without_the_permission_cannot_mark_an_order_paid(studio):
    _, checkout = ordered_in_person(studio)
    browser, _ = signed_in("view_wixecomcheckout")
    assert browser.get(mark_paid_url(checkout)).status_code == 403
    assert browser.post(mark_paid_url(checkout)).status_code == 403
    assert not add_payments_made() and not WixOrderPayment.objects.exists()


def test_the_page_shows_the_order_and_get_changes_nothing(studio):
    _, checkout = ordered_in_person(studio)
    browser, _ = signed_in("view_wixecomcheckout", "add_wixorderpayment")
    page = browser.get(mark_paid_url(checkout))
    assert page.status_code == 200
    assert b"NOT_PAID" in page.content and b"90.00 USD" in page.content and b"Mark as paid" in page.content
    assert not add_payments_made() and EcomOrder.objects.get().payment_status == "NOT_PAID"


def test_marking_paid_needs_the_csrf_token(studio):
    _, checkout = ordered_in_person(studio)
    browser, _ = signed_in("view_wixecomcheckout", "add_wixorderpayment", csrf=True)
    assert browser.post(mark_paid_url(checkout)).status_code == 403
    assert not add_payments_made()


def test_a_second_mark_as_paid_is_refused_with_a_clear_message(studio):
    _, checkout = ordered_in_person(studio)
    browser, user = signed_in("view_wixecomcheckout", "add_wixorderpayment")
    done = browser.post(mark_paid_url(checkout))
    assert done.status_code == 302 and done["Location"] == reverse("admin:payments_wixecomcheckout_changelist")
    again = browser.post(mark_paid_url(checkout))
    assert again.status_code == 428
    assert b"This order has nothing left to pay (paid)." in again.content
    assert len(add_payments_made()) == 1
    assert WixOrderPayment.objects.get().recorded_by == user


def test_a_checkout_with_no_order_yet_has_nothing_to_mark_paid(studio):
    from booking.backends import get_backend
    from booking.backends.wix import auth
    from payments import wix_ecom
    from tests.test_payments_helpers import book

    with auth.bound_session({}):
        wix_ecom.start(book(get_backend(), studio["massage"]), customer_request())  # abandoned on Wix's page
    browser, _ = signed_in("view_wixecomcheckout", "add_wixorderpayment")
    answer = browser.post(mark_paid_url(WixEcomCheckout.objects.get()))
    assert answer.status_code == 428 and b"no Wix order yet" in answer.content
    assert not add_payments_made()


def test_the_bookings_list_action_records_the_payment_on_the_wix_order(studio):
    booking, _ = ordered_in_person(studio)
    browser, _ = signed_in("view_booking", "change_booking", "add_wixorderpayment")
    row = models.Booking.objects.get(public_id=booking.id)
    answer = browser.post(reverse("admin:booking_booking_changelist"),
                          {"action": "mark_paid_in_person", "_selected_action": [row.pk]}, follow=True)
    assert b"Marked 1 booking(s) as paid." in answer.content
    assert len(add_payments_made()) == 1 and EcomOrder.objects.get().payment_status == "PAID"
    assert models.Booking.objects.get(pk=row.pk).payment_status == "PAID"


def test_the_bookings_list_action_needs_the_order_permission_for_a_wix_order(studio):
    booking, _ = ordered_in_person(studio)
    browser, _ = signed_in("view_booking", "change_booking")
    row = models.Booking.objects.get(public_id=booking.id)
    answer = browser.post(reverse("admin:booking_booking_changelist"),
                          {"action": "mark_paid_in_person", "_selected_action": [row.pk]}, follow=True)
    assert b"You may not record payments on Wix orders." in answer.content
    assert not add_payments_made() and EcomOrder.objects.get().payment_status == "NOT_PAID"
