"""Changing what a booking is for: reschedule, number of participants, bulk create, and moving or growing a
package (wix-api.md §5.3, §5.8, §5.9, §5.12)."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from booking import models
from booking.errors import (
    BookingPolicyViolation,
    FailedPrecondition,
    InvalidArgument,
    PermissionDenied,
    RevisionMismatch,
    SlotNotAvailable,
)
from booking.models.catalog import ServiceType
from booking.port import (
    Caller,
    ContactDetails,
    CreateBookingRequest,
    FlowControlSettings,
    RescheduleFlowControlSettings,
    RescheduleInfo,
    Resource,
    Slot,
)
from tests.catalog import ANSWERS, make_business, make_class, make_policy, make_service, make_staff, weekdays
from tests.test_classes import class_request, course_request

NY = ZoneInfo("America/New_York")

pytestmark = [pytest.mark.usefixtures("frozen_clock"), pytest.mark.django_db]


@pytest.fixture
def ana():
    make_business()
    make_policy(reschedule_enabled=True, limit_latest_reschedule=True, latest_reschedule_in_minutes=48 * 60,
                cancellation_enabled=True, max_participants_per_booking=4)
    return make_staff("Ana", weekdays(time(9), time(17)))


@pytest.fixture
def massage(ana):
    return make_service([ana], slot_interval_minutes=30)


def at(day, hour, minute=0):
    return datetime(2026, 3, day, hour, minute, tzinfo=NY)


def slot(service, start, staff=None, minutes=60):
    return Slot(str(service.pk), start, start + timedelta(minutes=minutes), "America/New_York",
                resource=Resource(str(staff.pk), staff.name) if staff else None)


def request(service, start, staff=None, minutes=60):
    return CreateBookingRequest(slot=slot(service, start, staff, minutes), contact_details=ContactDetails("", "", ""),
                                form_submission=ANSWERS, selected_payment_option="OFFLINE")


def booked(engine, service, start, staff=None, minutes=60):
    made = engine.create_booking(request(service, start, staff, minutes))
    return engine.confirm_or_decline_booking(made.id, payment_status="NOT_PAID")


def row(booking):
    return models.Booking.objects.get(public_id=booking.id)


# ---- appointments ----------------------------------------------------------------------------------------------


def test_an_appointment_moves_to_a_free_time_and_the_change_is_audited(engine, massage, ana):
    booking = booked(engine, massage, at(3, 9))
    moved = engine.reschedule_booking(booking.id, slot=slot(massage, at(4, 14)), revision=booking.revision)
    assert (moved.start_date, moved.end_date, moved.status) == (at(4, 14), at(4, 15), "CONFIRMED")
    assert moved.revision == booking.revision + 1 and moved.slot.resource.id == str(ana.pk)
    change = row(moved).changes.last()
    assert (change.event, change.actor, change.revision) == ("rescheduled", "customer", moved.revision)
    assert change.reason == f"from {at(3, 9).astimezone(ZoneInfo('UTC')).isoformat()} with staff {ana.pk}"
    # The old time is free again, the new one taken.
    assert booked(engine, massage, at(3, 9), ana).status == "CONFIRMED"
    with pytest.raises(SlotNotAvailable):
        engine.create_booking(request(massage, at(4, 14), ana))


def test_a_booking_may_move_onto_part_of_its_own_time(engine, massage):
    booking = booked(engine, massage, at(3, 9))
    moved = engine.reschedule_booking(booking.id, slot=slot(massage, at(3, 9, 30)), revision=booking.revision)
    assert moved.start_date == at(3, 9, 30)


def test_a_taken_time_refuses_the_move_and_changes_nothing(engine, massage, ana):
    booking = booked(engine, massage, at(3, 9))
    booked(engine, massage, at(3, 11))
    with pytest.raises(SlotNotAvailable):
        engine.reschedule_booking(booking.id, slot=slot(massage, at(3, 11, 30), ana), revision=booking.revision)
    assert (row(booking).start, row(booking).revision) == (at(3, 9), booking.revision)


def test_a_stale_revision_refuses_the_move(engine, massage):
    booking = booked(engine, massage, at(3, 9))
    with pytest.raises(RevisionMismatch):
        engine.reschedule_booking(booking.id, slot=slot(massage, at(4, 9)), revision=booking.revision - 1)
    assert row(booking).start == at(3, 9)


def test_the_reschedule_policy_binds_customers_and_staff_may_ignore_it(engine, massage):
    booking = booked(engine, massage, at(2, 9))  # tomorrow morning: within the 48-hour limit
    with pytest.raises(BookingPolicyViolation) as refused:
        engine.reschedule_booking(booking.id, slot=slot(massage, at(4, 9)), revision=booking.revision)
    assert refused.value.code == "BOOKING_CANNOT_BE_RESCHEDULED"
    with pytest.raises(PermissionDenied):
        engine.reschedule_booking(booking.id, slot=slot(massage, at(4, 9)), revision=booking.revision,
                                  flow_control_settings=RescheduleFlowControlSettings(ignore_reschedule_policy=True))
    moved = engine.reschedule_booking(
        booking.id, slot=slot(massage, at(4, 9)), revision=booking.revision, caller=Caller.STAFF,
        flow_control_settings=RescheduleFlowControlSettings(ignore_reschedule_policy=True))
    assert moved.start_date == at(4, 9)
    assert row(moved).changes.last().actor == "staff"


def test_the_new_time_must_be_bookable_by_the_customer(engine, massage):
    booking = booked(engine, massage, at(3, 9))
    with pytest.raises(SlotNotAvailable):  # outside Ana's hours
        engine.reschedule_booking(booking.id, slot=slot(massage, at(3, 18)), revision=booking.revision)
    with pytest.raises(InvalidArgument):  # not the service's length
        engine.reschedule_booking(booking.id, slot=slot(massage, at(3, 10), minutes=30), revision=booking.revision)
    other = make_service(list(massage.staff.all()), name="Facial")
    with pytest.raises(InvalidArgument):
        engine.reschedule_booking(booking.id, slot=slot(other, at(3, 10)), revision=booking.revision)
    assert row(booking).revision == booking.revision


def test_staff_may_force_a_time_with_skip_availability_validation(engine, massage, ana):
    booking = booked(engine, massage, at(3, 9))
    booked(engine, massage, at(3, 11))
    moved = engine.reschedule_booking(
        booking.id, slot=slot(massage, at(3, 11), ana), revision=booking.revision, caller=Caller.STAFF,
        flow_control_settings=RescheduleFlowControlSettings(skip_availability_validation=True))
    assert moved.start_date == at(3, 11) and row(moved).skip_availability_validation


@pytest.mark.parametrize(("skip", "status"), [(False, "PENDING"), (True, "CONFIRMED")])
def test_a_service_that_needs_approval_asks_again_unless_staff_skip_it(engine, ana, skip, status):
    service = make_service([ana], name="Consultation", require_manual_approval=True)
    made = engine.create_booking(request(service, at(3, 9)))
    booking = engine.confirm_booking(made.id, revision=made.revision)
    flow = RescheduleFlowControlSettings(skip_business_confirmation=True) if skip else None
    moved = engine.reschedule_booking(booking.id, slot=slot(service, at(4, 9)), revision=booking.revision,
                                      caller=Caller.STAFF, flow_control_settings=flow)
    assert moved.status == status


def test_ended_bookings_cannot_move(engine, massage):
    booking = booked(engine, massage, at(3, 9))
    canceled = engine.cancel_booking(booking.id, revision=booking.revision)
    with pytest.raises(FailedPrecondition) as refused:
        engine.reschedule_booking(canceled.id, slot=slot(massage, at(4, 9)), revision=canceled.revision)
    assert refused.value.code == "INVALID_BOOKING_STATUS"


# ---- classes and courses -----------------------------------------------------------------------------------------


@pytest.fixture
def yoga(ana):
    return make_class(ana, [(1, time(18, 30)), (5, time(9, 30))], capacity=3)  # Tuesdays and Saturdays


def sessions(service):
    return list(service.sessions.order_by("start"))


def test_a_class_booking_moves_to_another_session_of_the_class(engine, yoga):
    first, second = sessions(yoga)[:2]
    booking = engine.confirm_or_decline_booking(
        engine.create_booking(class_request(str(first.public_id), yoga, 2)).id, payment_status="NOT_PAID")
    moved = engine.reschedule_booking(booking.id, slot=Slot(str(yoga.pk), first.start, first.end, "America/New_York",
                                                            event_id=str(second.public_id)),
                                      revision=booking.revision)
    assert (moved.slot.event_id, moved.start_date, moved.total_participants) == (str(second.public_id),
                                                                                 second.start, 2)
    places = {s.event_info.event_id: s.remaining_capacity for s in engine.list_event_time_slots(
        from_local_date="2026-03-01T00:00:00", to_local_date="2026-03-08T00:00:00").time_slots}
    assert (places[str(first.public_id)], places[str(second.public_id)]) == (3, 1)


def test_a_class_booking_cannot_move_to_a_full_or_the_same_session(engine, yoga):
    first, second = sessions(yoga)[:2]
    booking = engine.create_booking(class_request(str(first.public_id), yoga, 2))
    engine.confirm_or_decline_booking(
        engine.create_booking(class_request(str(second.public_id), yoga, 2)).id, payment_status="NOT_PAID")
    event = Slot(str(yoga.pk), first.start, first.end, "America/New_York", event_id=str(second.public_id))
    with pytest.raises(FailedPrecondition) as refused:
        engine.reschedule_booking(booking.id, slot=event, revision=booking.revision)
    assert refused.value.code == "SESSION_CAPACITY_EXCEEDED"
    same = Slot(str(yoga.pk), first.start, first.end, "America/New_York", event_id=str(first.public_id))
    with pytest.raises(InvalidArgument):
        engine.reschedule_booking(booking.id, slot=same, revision=booking.revision)
    assert row(booking).session_id == first.pk


def test_a_course_cannot_be_rescheduled(engine, ana):
    course = make_class(ana, [(2, time(19))], capacity=2, type=ServiceType.COURSE, name="Pilates course",
                        starts_on=date(2026, 3, 4), ends_on=date(2026, 4, 8))
    booking = engine.create_booking(course_request(course))
    with pytest.raises(FailedPrecondition) as refused:
        engine.reschedule_booking(booking.id, slot=Slot(str(course.pk), at(5, 19), at(5, 20), "America/New_York"),
                                  revision=booking.revision)
    assert refused.value.code == "BOOKING_CANNOT_BE_RESCHEDULED"
    assert engine.bulk_calculate_allowed_actions(booking_ids=[booking.id])[0][1].reschedule is False


def test_participants_of_a_class_booking_change_within_the_places_left(engine, yoga):
    first = sessions(yoga)[0]
    booking = engine.create_booking(class_request(str(first.public_id), yoga, 1))
    booking = engine.confirm_or_decline_booking(booking.id, payment_status="NOT_PAID")
    more = engine.update_number_of_participants(booking.id, revision=booking.revision, total_participants=3)
    assert more.total_participants == 3
    with pytest.raises(FailedPrecondition) as refused:
        engine.update_number_of_participants(booking.id, revision=more.revision, total_participants=4)
    assert refused.value.code == "SESSION_CAPACITY_EXCEEDED"
    fewer = engine.update_number_of_participants(booking.id, revision=more.revision, total_participants=2)
    assert fewer.total_participants == 2
    assert row(fewer).changes.last().event == "number_of_participants_updated"
    assert row(fewer).changes.last().reason == "from 3 participants"


def test_participants_stay_within_the_policy_and_only_for_classes_and_courses(engine, yoga, massage):
    first = sessions(yoga)[0]
    booking = engine.create_booking(class_request(str(first.public_id), yoga, 1))
    with pytest.raises(BookingPolicyViolation):
        engine.update_number_of_participants(booking.id, revision=booking.revision, total_participants=5)
    with pytest.raises(InvalidArgument):
        engine.update_number_of_participants(booking.id, revision=booking.revision, total_participants=0)
    appointment = booked(engine, massage, at(3, 9))
    with pytest.raises(InvalidArgument):
        engine.update_number_of_participants(appointment.id, revision=appointment.revision, total_participants=2)
    assert row(booking).total_participants == 1


def test_course_participants_count_against_its_capacity(engine, ana):
    course = make_class(ana, [(2, time(19))], capacity=3, type=ServiceType.COURSE, name="Pilates course",
                        starts_on=date(2026, 3, 4), ends_on=date(2026, 4, 8))
    mine = engine.confirm_or_decline_booking(engine.create_booking(course_request(course, 1)).id,
                                             payment_status="NOT_PAID")
    engine.confirm_or_decline_booking(engine.create_booking(course_request(course, 1)).id,
                                      payment_status="NOT_PAID")
    with pytest.raises(FailedPrecondition) as refused:
        engine.update_number_of_participants(mine.id, revision=mine.revision, total_participants=3)
    assert refused.value.code == "SCHEDULE_CAPACITY_EXCEEDED"
    assert engine.update_number_of_participants(mine.id, revision=mine.revision,
                                                total_participants=2).total_participants == 2


# ---- bulk create -----------------------------------------------------------------------------------------------


def test_bulk_create_skips_and_reports_what_cannot_be_booked(engine, massage, ana):
    booked(engine, massage, at(3, 11))
    results = engine.bulk_create_booking([request(massage, at(3, 9), ana), request(massage, at(3, 11), ana),
                                          request(massage, at(3, 13), ana)])
    assert [(r.original_index, r.success, r.error_code) for r in results] == [
        (0, True, ""), (1, False, "SLOT_NOT_AVAILABLE"), (2, True, "")]
    assert models.Booking.objects.count() == 3


def test_bulk_create_refuses_a_malformed_item_before_making_anything(engine, massage, ana):
    bad = CreateBookingRequest(slot=slot(massage, at(3, 11), ana), contact_details=ContactDetails("", "", ""),
                               form_submission={}, selected_payment_option="OFFLINE")
    with pytest.raises(InvalidArgument):
        engine.bulk_create_booking([request(massage, at(3, 9), ana), bad])
    with pytest.raises(InvalidArgument):
        engine.bulk_create_booking([request(massage, at(3, 9 + i), ana) for i in range(9)])
    assert not models.Booking.objects.exists()


def test_participants_by_service_choices_are_refused_for_services_without_variants(engine, massage, ana):
    by_choice = CreateBookingRequest(slot=slot(massage, at(3, 9), ana), contact_details=ContactDetails("", "", ""),
                                     form_submission=ANSWERS, selected_payment_option="OFFLINE",
                                     participants_choices=({"numberOfParticipants": 2, "choices": []},))
    with pytest.raises(InvalidArgument) as refused:
        engine.create_booking(by_choice)
    assert refused.value.code == "INVALID_SERVICE_CHOICES" and not models.Booking.objects.exists()


def test_bulk_create_flags_are_for_staff_only(engine, massage, ana):
    with pytest.raises(PermissionDenied):
        engine.bulk_create_booking([request(massage, at(3, 9), ana)], caller=Caller.CUSTOMER,
                                   flow_control_settings=FlowControlSettings(skip_availability_validation=True))


# ---- packages ------------------------------------------------------------------------------------------------------


@pytest.fixture
def spa(ana):
    priya = make_staff("Priya", weekdays(time(9), time(17)))
    massage = make_service([ana], name="Massage", slot_interval_minutes=30)
    facial = make_service([priya], name="Facial", duration_minutes=30, slot_interval_minutes=30)
    return {"ana": ana, "priya": priya, "massage": massage, "facial": facial}


def make_package(engine, spa, start):
    parts = [request(spa["massage"], start, spa["ana"]),
             request(spa["facial"], start + timedelta(hours=1), spa["priya"], minutes=30)]
    return engine.create_multi_service_booking(parts)


def test_a_package_moves_as_a_whole_and_stays_back_to_back(engine, spa):
    package = make_package(engine, spa, at(3, 9))
    first, second = package.bookings
    moved = engine.reschedule_multi_service_booking(package.id, reschedule_bookings_info=[
        RescheduleInfo(first.id, slot(spa["massage"], at(3, 9, 30), spa["ana"]), first.revision),
        RescheduleInfo(second.id, slot(spa["facial"], at(3, 10, 30), spa["priya"], minutes=30), second.revision),
    ])
    assert [b.start_date for b in moved.bookings] == [at(3, 9, 30), at(3, 10, 30)]
    assert all(row(b).changes.last().event == "rescheduled" for b in moved.bookings)


def test_a_package_move_that_leaves_a_gap_or_hits_a_taken_time_changes_nothing(engine, spa):
    package = make_package(engine, spa, at(3, 9))
    first, second = package.bookings
    with pytest.raises(InvalidArgument):  # only the first part moves: a gap opens
        engine.reschedule_multi_service_booking(package.id, reschedule_bookings_info=[
            RescheduleInfo(first.id, slot(spa["massage"], at(3, 8), spa["ana"]), first.revision)])
    booked(engine, spa["facial"], at(3, 11), spa["priya"], minutes=30)
    with pytest.raises(SlotNotAvailable):  # the massage moves first, then the facial finds its time taken
        engine.reschedule_multi_service_booking(package.id, reschedule_bookings_info=[
            RescheduleInfo(first.id, slot(spa["massage"], at(3, 10), spa["ana"]), first.revision),
            RescheduleInfo(second.id, slot(spa["facial"], at(3, 11), spa["priya"], minutes=30), second.revision),
        ])
    assert [row(b).start for b in package.bookings] == [at(3, 9), at(3, 10)]


def test_bookings_join_a_package_when_they_follow_on(engine, spa):
    package = make_package(engine, spa, at(3, 9))
    nails = make_service([spa["priya"]], name="Nails", duration_minutes=30, slot_interval_minutes=30)
    extra = engine.confirm_or_decline_booking(
        engine.create_booking(request(nails, at(3, 10, 30), spa["priya"], minutes=30)).id, payment_status="NOT_PAID")
    with pytest.raises(PermissionDenied):
        engine.add_bookings_to_multi_service_booking(package.id, bookings=[(extra.id, extra.revision)],
                                                     caller=Caller.CUSTOMER)
    grown = engine.add_bookings_to_multi_service_booking(package.id, bookings=[(extra.id, extra.revision)])
    assert [b.id for b in grown.bookings][-1] == extra.id
    with pytest.raises(FailedPrecondition):  # a booking is in one package at most
        engine.add_bookings_to_multi_service_booking(package.id, bookings=[(extra.id, extra.revision + 1)])
    late = engine.create_booking(request(nails, at(3, 14), spa["priya"], minutes=30))
    with pytest.raises(InvalidArgument):
        engine.add_bookings_to_multi_service_booking(package.id, bookings=[(late.id, late.revision)])
    assert row(late).multi_service_booking is None
