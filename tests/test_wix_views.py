"""The customer pages in wix mode, for what only wix mode has: which Wix calls the pages make (the visitor's token on
Create Booking, one Create Booking for a double submit, the anonymous cancel, at most two calls per slot page) and
Wix being down. The journeys themselves run on both backends in tests/test_views*.py and tests/test_manage.py."""

from datetime import time

import pytest
from django.core import mail
from django.urls import reverse

from booking import models
from booking.backends import get_backend
from bookingsite.sandboxes.wix import recorder
from tests.catalog import ANSWERS, make_business, make_form, make_policy, make_service, make_staff, weekdays
from tests.test_views import fill_details, submit_review

pytestmark = [pytest.mark.usefixtures("frozen_clock"), pytest.mark.django_db(transaction=True)]


@pytest.fixture
def studio(wix_site, settings):
    settings.SITE_URL = "http://testserver"
    make_business()
    make_policy(cancellation_enabled=True, reschedule_enabled=True)
    ana = make_staff("Ana", weekdays(time(9), time(12)))
    massage = make_service([ana], form=make_form())
    return {"ana": ana, "massage": massage}


def test_an_appointment_booked_in_person(client, studio):
    response = fill_details(client, studio["massage"], {**ANSWERS, "notes": "Sore shoulder"})
    assert response.status_code == 302
    done = submit_review(client, studio["massage"])
    assert done.status_code == 302
    html = client.get(done.url).content.decode()
    assert "Your booking is confirmed" in html and "Monday 2 March 2026, 9:00 AM" in html and "Ana" in html
    booking = models.Booking.objects.get()
    assert (booking.status, booking.payment_status) == ("CONFIRMED", "NOT_PAID")
    assert booking.form_submission["notes"] == "Sore shoulder"
    creates = [r for r in recorder.requests if r["path"].endswith("/bookings/v2/bookings")]
    assert len(creates) == 1 and creates[0]["authorization"] == "visitor"  # the customer's own visitor token
    assert [m.subject for m in mail.outbox] == ["Your booking is confirmed: Massage"]  # one email, not two


def test_a_double_submitted_review_makes_one_booking(client, studio):
    fill_details(client, studio["massage"])
    page = client.get(reverse("booking:review", args=["massage"]))
    data = {"submission_key": page.context["draft"].submission_key, "payment": "in_person"}
    first = client.post(reverse("booking:review", args=["massage"]), data)
    second = client.post(reverse("booking:review", args=["massage"]), data)
    assert first.status_code == second.status_code == 302 and first.url == second.url
    assert models.Booking.objects.count() == 1
    assert len([r for r in recorder.requests if r["path"].endswith("/bookings/v2/bookings")]) == 1


def test_the_manage_link_cancels(client, studio):
    fill_details(client, studio["massage"])
    submit_review(client, studio["massage"])
    booking = get_backend().query_extended_bookings(
        booking_ids=[str(models.Booking.objects.get().public_id)])[0]
    token = get_backend().get_anonymous_action_token(booking.id)
    customer = client.__class__()
    page = customer.get(reverse("booking:manage_link", args=[token]), follow=True)
    assert page.status_code == 200
    url = reverse("booking:manage_cancel", args=[booking.id])
    done = customer.post(url, {"revision": booking.revision}, follow=True)
    assert f"Your booking of {booking.title} on " in done.content.decode()
    assert "is canceled." in done.content.decode()
    assert models.Booking.objects.get().status == "CANCELED"
    assert any(r["path"].endswith("/cancel") and r["authorization"] == "none" for r in recorder.requests)


def test_a_slot_page_makes_at_most_two_wix_calls(client, studio):
    url = reverse("booking:slots", args=["massage"])
    assert client.get(url).status_code == 200  # the catalog is cached and the visitor minted from here on
    recorder.clear()
    page = client.get(url)
    assert page.status_code == 200 and "9:00 AM" in page.content.decode()
    assert len(recorder.requests) <= 2, [r["path"] for r in recorder.requests]
    assert any(r["path"].endswith("/time-slots") for r in recorder.requests)


def test_wix_down_is_a_clear_503_page_not_a_500(client, studio):
    recorder.fail_next("/bookings/v2/services/query", 503, 503, 503)
    recorder.fail_next("/site-properties/v4/properties", 503, 503, 503)
    page = client.get("/")
    assert page.status_code == 503
    assert "Bookings are unavailable for a moment" in page.content.decode()
    assert client.get("/").status_code == 200  # Wix is back
