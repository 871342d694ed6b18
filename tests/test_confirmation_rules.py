"""Confirmation rules: "confirm all of a day's requests once that day has N of them", with the time re-checked."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from booking import models
from booking.port import ContactDetails, CreateBookingRequest, Resource, Slot
from notifications.models import Message
from tests.catalog import ANSWERS, make_business, make_form, make_policy, make_service, make_staff, weekdays

NY = ZoneInfo("America/New_York")

pytestmark = [pytest.mark.usefixtures("frozen_clock"), pytest.mark.django_db]


@pytest.fixture
def ana():
    make_business()
    make_policy()
    return make_staff("Ana", weekdays(time(9), time(17)))


@pytest.fixture
def massage(ana):
    return make_service([ana], form=make_form(), require_manual_approval=True)


@pytest.fixture
def request_booking(engine, massage, ana, django_capture_on_commit_callbacks):
    """A customer's request: Create Booking, then Confirm Or Decline (PENDING, as the service needs approval), with
    the domain events delivered as after a real commit."""

    def request(day, hour):
        start = datetime(2026, 3, day, hour, tzinfo=NY)
        with django_capture_on_commit_callbacks(execute=True):
            created = engine.create_booking(CreateBookingRequest(
                slot=Slot(str(massage.pk), start, start + timedelta(hours=1), "America/New_York",
                          resource=Resource(str(ana.pk), ana.name)),
                contact_details=ContactDetails("Eve", "Doe", f"eve{day}{hour}@example.com"),
                form_submission=ANSWERS, selected_payment_option="OFFLINE"))
            booking = engine.confirm_or_decline_booking(created.id, payment_status="NOT_PAID")
        assert booking.status == "PENDING"
        return booking.id

    return request


def statuses(engine, ids):
    return [b.status for b in sorted(engine.query_extended_bookings(booking_ids=ids), key=lambda b: ids.index(b.id))]


def test_the_nth_request_of_a_day_confirms_all_of_that_days_requests(engine, massage, request_booking):
    models.ConfirmationRule.objects.create(service=massage, min_requests_per_day=3)
    tuesday = [request_booking(3, 9), request_booking(3, 10)]
    wednesday = request_booking(4, 9)
    assert statuses(engine, [*tuesday, wednesday]) == ["PENDING"] * 3  # not before the Nth
    tuesday.append(request_booking(3, 11))
    assert statuses(engine, tuesday) == ["CONFIRMED"] * 3
    assert statuses(engine, [wednesday]) == ["PENDING"]  # another day's requests wait for their own day
    confirmed = models.BookingChange.objects.filter(event="confirmed")
    assert confirmed.count() == 3 and {c.actor for c in confirmed} == {"staff"}
    # The customers are told as for a staff confirmation, after the "pending" email of their request.
    assert Message.objects.filter(kind="confirmed").count() == 3


def test_a_request_whose_time_is_no_longer_free_is_left_pending(engine, massage, ana, request_booking):
    models.ConfirmationRule.objects.create(service=massage, min_requests_per_day=2)
    early = request_booking(3, 9)
    models.TimeOff.objects.create(staff=ana, start=datetime(2026, 3, 3, 9, tzinfo=NY),
                                  end=datetime(2026, 3, 3, 10, tzinfo=NY))
    late = request_booking(3, 11)
    assert statuses(engine, [early, late]) == ["PENDING", "CONFIRMED"]
    assert not models.Booking.objects.filter(double_booked=True).exists()


@pytest.mark.parametrize("rule", [None, {"enabled": False, "min_requests_per_day": 1}])
def test_without_an_enabled_rule_requests_wait_for_the_business(engine, massage, request_booking, rule):
    if rule:
        models.ConfirmationRule.objects.create(service=massage, **rule)
    ids = [request_booking(3, 9), request_booking(3, 10), request_booking(3, 11)]
    assert statuses(engine, ids) == ["PENDING"] * 3
    assert not Message.objects.filter(kind="confirmed").exists()


def test_the_rule_is_edited_on_the_service_in_the_admin(admin_client, massage):
    url = f"/admin/booking/service/{massage.pk}/change/"
    page = admin_client.get(url)
    assert page.status_code == 200 and b"confirmation_rule-TOTAL_FORMS" in page.content
