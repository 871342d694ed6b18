"""Create And Settle Booking on the local engine: a free or pay-in-person booking made settled in one transaction
leaves what Create Booking followed by Confirm Or Decline Booking leaves (status, audit trail, events, emails), with
one check of the time under the lock, and refuses a taken time without writing anything."""

import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from booking import models
from booking.errors import FailedPrecondition, SlotNotAvailable
from booking.events import booking_event
from booking.port import (
    BookedSchedule,
    BookingStatus,
    ContactDetails,
    CreateBookingRequest,
    PaymentStatus,
    Resource,
    ServiceType,
    Slot,
)
from notifications.models import Message
from tests.catalog import ANSWERS, NOW, make_business, make_class, make_form, make_service, make_staff, weekdays

NY = ZoneInfo("America/New_York")

pytestmark = [pytest.mark.usefixtures("frozen_clock"), pytest.mark.django_db]


@pytest.fixture
def ana():
    business = make_business()
    business.email = "owner@studio.example"
    business.save()
    return make_staff("Ana", weekdays(time(9), time(17)))


@pytest.fixture
def events():
    received = []

    def receiver(sender, event, booking_id, revision, **details):
        received.append((booking_id, event, revision, details["initiated_by"], details["previous_status"]))

    booking_event.connect(receiver)
    yield received
    booking_event.disconnect(receiver)


def request_for(service, staff, day, hour=9):
    """An hour at `hour` on that day of March 2026, with `staff`, or with anyone free for None."""
    start = datetime(2026, 3, day, hour, tzinfo=NY)
    return CreateBookingRequest(
        slot=Slot(str(service.pk), start, start + timedelta(hours=1), "America/New_York",
                  resource=Resource(str(staff.pk), staff.name) if staff else None),
        contact_details=ContactDetails("", "", ""), form_submission=ANSWERS, selected_payment_option="OFFLINE")


def trail(booking_id):
    return list(models.BookingChange.objects.filter(booking__public_id=booking_id).order_by("revision").values_list(
        "event", "actor", "from_status", "to_status", "from_payment_status", "to_payment_status", "revision"))


def emails(booking_id):
    return sorted(Message.objects.filter(booking_id=booking_id).values_list("kind", "version", "recipient"))


@pytest.mark.parametrize("approval", [False, True], ids=["confirmed", "pending"])
def test_it_leaves_what_create_then_confirm_or_decline_leaves(engine, ana, events, approval,
                                                               django_capture_on_commit_callbacks):
    service = make_service([ana], form=make_form(), require_manual_approval=approval)
    with django_capture_on_commit_callbacks(execute=True):
        created = engine.create_booking(request_for(service, ana, day=3))
        two_calls = engine.confirm_or_decline_booking(created.id, payment_status=PaymentStatus.NOT_PAID)
    with django_capture_on_commit_callbacks(execute=True):
        one_call = engine.create_and_settle_booking(request_for(service, ana, day=4),
                                                    payment_status=PaymentStatus.NOT_PAID)

    expected, settled_event = ((BookingStatus.PENDING, "marked_as_pending") if approval
                               else (BookingStatus.CONFIRMED, "confirmed"))
    assert (one_call.status, one_call.payment_status, one_call.revision) == (expected, PaymentStatus.NOT_PAID, 2)
    assert (two_calls.status, two_calls.revision) == (one_call.status, one_call.revision)
    assert trail(one_call.id) == trail(two_calls.id)
    assert [e[1:] for e in events if e[0] == one_call.id] == [e[1:] for e in events if e[0] == two_calls.id]
    assert [e[1] for e in events if e[0] == one_call.id] == ["created", settled_event]
    # The same emails, to the customer and to the business, for the same revision.
    assert emails(one_call.id) == emails(two_calls.id)
    assert {kind for kind, _, _ in emails(one_call.id)} == (
        {"marked_as_pending", "business_pending"} if approval else {"confirmed", "business_new"})


def test_it_checks_the_time_once(engine, ana):
    service = make_service([ana], form=make_form())
    with CaptureQueriesContext(connection) as two_calls:
        created = engine.create_booking(request_for(service, ana, day=3))
        engine.confirm_or_decline_booking(created.id, payment_status=PaymentStatus.NOT_PAID)
    with CaptureQueriesContext(connection) as one_call:
        engine.create_and_settle_booking(request_for(service, ana, day=4), payment_status=PaymentStatus.NOT_PAID)
    # Not the booking read back under its own lock, the staff lock again, the second capacity check, the update
    # and the second calendar version bump.
    assert len(one_call) <= len(two_calls) - 5
    locks = [q["sql"] for q in one_call.captured_queries if "FOR UPDATE" in q["sql"]]
    assert len(locks) == (1 if connection.features.has_select_for_update else 0)


def test_a_taken_time_is_refused_and_nothing_is_written(engine, ana, events, django_capture_on_commit_callbacks):
    service = make_service([ana], form=make_form())
    first = engine.create_and_settle_booking(request_for(service, ana, day=3), payment_status=PaymentStatus.NOT_PAID)
    before = (models.Booking.objects.count(), models.BookingChange.objects.count(), Message.objects.count())
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(SlotNotAvailable):
        engine.create_and_settle_booking(request_for(service, ana, day=3), payment_status=PaymentStatus.NOT_PAID)
    assert (models.Booking.objects.count(), models.BookingChange.objects.count(), Message.objects.count()) == before
    assert events == []
    assert models.Booking.objects.get().public_id == uuid.UUID(first.id)


def test_a_second_submit_gets_the_first_ones_booking(engine, ana):
    service = make_service([ana], form=make_form())
    key = str(uuid.uuid4())
    first = engine.create_and_settle_booking(request_for(service, ana, day=3), payment_status=PaymentStatus.EXEMPT,
                                             submission_key=key)
    again = engine.create_and_settle_booking(request_for(service, ana, day=3), payment_status=PaymentStatus.EXEMPT,
                                             submission_key=key)
    assert again.id == first.id
    assert (again.status, again.payment_status, again.revision) == (BookingStatus.CONFIRMED, PaymentStatus.EXEMPT, 2)
    assert models.Booking.objects.count() == 1
    assert models.BookingChange.objects.count() == 2


def test_a_second_submit_of_a_booking_made_to_pay_online_comes_back_created(engine, ana):
    """The customer went to pay online, came back and chose to pay in person: the view settles it with Confirm
    Or Decline, as it settles any booking it made."""
    service = make_service([ana], form=make_form())
    key = str(uuid.uuid4())
    online = engine.create_booking(request_for(service, ana, day=3), submission_key=key)
    again = engine.create_and_settle_booking(request_for(service, ana, day=3), payment_status=PaymentStatus.NOT_PAID,
                                             submission_key=key)
    assert (again.id, again.status, again.revision) == (online.id, BookingStatus.CREATED, 1)


def test_any_staff_gets_the_one_still_free(engine, ana):
    ben = make_staff("Ben", weekdays(time(9), time(17)))
    service = make_service([ana, ben], form=make_form())
    taken = engine.create_and_settle_booking(request_for(service, ana, day=3), payment_status=PaymentStatus.NOT_PAID)
    anyone = request_for(service, None, day=3)
    booked = engine.create_and_settle_booking(anyone, payment_status=PaymentStatus.NOT_PAID)
    assert booked.status == BookingStatus.CONFIRMED
    assert (taken.slot.resource.id, booked.slot.resource.id) == (str(ana.pk), str(ben.pk))
    with pytest.raises(SlotNotAvailable):
        engine.create_and_settle_booking(anyone, payment_status=PaymentStatus.NOT_PAID)


def test_a_class_session_and_a_course_take_their_places_settled(engine, ana):
    yoga = make_class(ana, [(1, time(18, 30))], capacity=1)
    [session, *_] = engine.list_event_time_slots(from_local_date="2026-03-01T00:00:00",
                                                 to_local_date="2026-03-08T00:00:00").time_slots
    places = CreateBookingRequest(
        slot=Slot(str(yoga.pk), NOW, NOW, "America/New_York", event_id=session.event_info.event_id),
        contact_details=ContactDetails("", "", ""), form_submission=ANSWERS, selected_payment_option="OFFLINE")
    booked = engine.create_and_settle_booking(places, payment_status=PaymentStatus.NOT_PAID)
    assert (booked.status, booked.revision, booked.slot.event_id) == (BookingStatus.CONFIRMED, 2,
                                                                      session.event_info.event_id)
    [after] = [s for s in engine.list_event_time_slots(from_local_date="2026-03-01T00:00:00",
                                                       to_local_date="2026-03-08T00:00:00").time_slots
               if s.event_info.event_id == session.event_info.event_id]
    assert after.bookable_capacity == 0
    with pytest.raises(FailedPrecondition) as full:
        engine.create_and_settle_booking(places, payment_status=PaymentStatus.NOT_PAID)
    assert full.value.code == "SESSION_CAPACITY_EXCEEDED"

    course = make_class(ana, [(3, time(19))], capacity=1, type=ServiceType.COURSE, name="Pilates course",
                        starts_on=date(2026, 3, 5), ends_on=date(2026, 4, 9))
    whole = CreateBookingRequest(
        slot=None, schedule=BookedSchedule(str(course.pk), f"service-{course.pk}", "America/New_York"),
        contact_details=ContactDetails("", "", ""), form_submission=ANSWERS, selected_payment_option="OFFLINE")
    assert engine.create_and_settle_booking(whole, payment_status=PaymentStatus.NOT_PAID).status == "CONFIRMED"
    with pytest.raises(FailedPrecondition) as course_full:
        engine.create_and_settle_booking(whole, payment_status=PaymentStatus.NOT_PAID)
    assert course_full.value.code == "SCHEDULE_CAPACITY_EXCEEDED"
