"""Classes and courses in the local engine: sessions from weekly rules, places, policy, booking."""

from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from booking import models
from booking.errors import BookingPolicyViolation, FailedPrecondition, InvalidArgument, NotFound
from booking.models.catalog import ServiceType
from booking.port import BookedSchedule, Caller, ContactDetails, CreateBookingRequest, FlowControlSettings, Slot
from booking.schedules import sync_service_sessions
from tests.catalog import ANSWERS, NOW, make_business, make_class, make_policy, make_staff, weekdays

NY = ZoneInfo("America/New_York")

pytestmark = [pytest.mark.usefixtures("frozen_clock"), pytest.mark.django_db]


@pytest.fixture
def studio():
    make_business()
    make_policy(max_participants_per_booking=4)
    sam = make_staff("Sam", weekdays(time(8), time(20)))
    yoga = make_class(sam, [(1, time(18, 30)), (5, time(9, 30))], capacity=3)  # Tuesdays and Saturdays
    return {"sam": sam, "yoga": yoga}


def class_request(event_id, service, participants=1, **answers):
    return CreateBookingRequest(
        slot=Slot(service_id=str(service.pk), start_date=NOW, end_date=NOW, timezone="America/New_York",
                  event_id=event_id),
        contact_details=ContactDetails("", "", ""),
        form_submission={**ANSWERS, **answers},
        total_participants=participants,
        selected_payment_option="OFFLINE",
    )


def course_request(service, participants=1):
    return CreateBookingRequest(
        slot=None, schedule=BookedSchedule(str(service.pk), f"service-{service.pk}", "America/New_York"),
        contact_details=ContactDetails("", "", ""), form_submission=ANSWERS, total_participants=participants,
        selected_payment_option="OFFLINE",
    )


def first_week(engine, **kwargs):
    return engine.list_event_time_slots(from_local_date="2026-03-01T00:00:00", to_local_date="2026-03-08T00:00:00",
                                        **kwargs)


def test_weekly_rules_make_sessions_in_local_wall_time_across_dst(engine, studio):
    sessions = models.ClassSession.objects.filter(service=studio["yoga"]).order_by("start")
    local = [s.start.astimezone(NY) for s in sessions[:4]]
    assert [(d.date(), d.time()) for d in local] == [
        (date(2026, 3, 3), time(18, 30)), (date(2026, 3, 7), time(9, 30)),
        (date(2026, 3, 10), time(18, 30)),  # after the 8 March change: still 18:30, an hour earlier in UTC
        (date(2026, 3, 14), time(9, 30)),
    ]
    assert sessions[0].start.hour == 23 and sessions[2].start.hour == 22  # UTC
    assert sessions.last().start.date() <= NOW.date() + timedelta(days=366)


def test_syncing_again_changes_nothing_and_follows_an_edited_rule(engine, studio):
    yoga = studio["yoga"]
    before = set(models.ClassSession.objects.values_list("public_id", "start"))
    sync_service_sessions(yoga, NOW.date())
    assert set(models.ClassSession.objects.values_list("public_id", "start")) == before

    rule = yoga.schedule_rules.get(weekday=1)
    rule.start_time = time(19)
    rule.save()
    sync_service_sessions(yoga, NOW.date())
    tuesdays = models.ClassSession.objects.filter(rule=rule)
    assert {s.start.astimezone(NY).time() for s in tuesdays} == {time(19)}


def test_a_rule_change_keeps_booked_sessions_for_staff_to_handle(engine, studio):
    yoga = studio["yoga"]
    slot = first_week(engine).time_slots[0]
    engine.create_booking(class_request(slot.event_info.event_id, yoga))
    rule = yoga.schedule_rules.get(weekday=1)
    rule.weekday = 2
    rule.save()
    sync_service_sessions(yoga, NOW.date())
    kept = models.ClassSession.objects.get(public_id=slot.event_info.event_id)
    assert kept.detached and kept.rule is None
    assert not models.ClassSession.objects.filter(rule=rule, start__week_day=3).exists()  # no Tuesdays (Django: 3)


def test_event_slots_show_capacity_and_remaining_places(engine, studio):
    slots = first_week(engine).time_slots
    assert [s.local_start_date for s in slots] == ["2026-03-03T18:30:00", "2026-03-07T09:30:00"]
    tuesday = slots[0]
    assert (tuesday.total_capacity, tuesday.remaining_capacity, tuesday.bookable) == (3, 3, True)
    assert tuesday.event_info.event_title == "Yoga"
    assert tuesday.staff[0].name == "Sam"

    booking = engine.create_booking(class_request(tuesday.event_info.event_id, studio["yoga"], participants=2))
    assert booking.status == "CREATED"
    assert engine.get_event_time_slot(event_id=tuesday.event_info.event_id).remaining_capacity == 3  # CREATED
    engine.confirm_or_decline_booking(booking.id, payment_status="NOT_PAID")
    again = engine.get_event_time_slot(event_id=tuesday.event_info.event_id)
    assert (again.remaining_capacity, again.bookable_capacity, again.bookable) == (1, 1, True)


def test_a_full_session_says_so_and_refuses_more(engine, studio):
    tuesday = first_week(engine).time_slots[0]
    event_id = tuesday.event_info.event_id
    for _ in range(3):
        b = engine.create_booking(class_request(event_id, studio["yoga"]))
        engine.confirm_or_decline_booking(b.id, payment_status="NOT_PAID")
    full = engine.get_event_time_slot(event_id=event_id)
    assert (full.remaining_capacity, full.bookable, full.non_bookable_reasons.no_remaining_capacity) == (0, False, True)
    with pytest.raises(FailedPrecondition) as refused:
        engine.create_booking(class_request(event_id, studio["yoga"]))
    assert refused.value.code == "SESSION_CAPACITY_EXCEEDED"
    assert first_week(engine, include_non_bookable=False).time_slots[0].local_start_date.startswith("2026-03-07")
    assert [s.remaining_capacity for s in first_week(engine, min_bookable_capacity=1).time_slots] == [3]


def test_more_participants_than_places_left_are_refused(engine, studio):
    event_id = first_week(engine).time_slots[0].event_info.event_id
    b = engine.create_booking(class_request(event_id, studio["yoga"], participants=2))
    engine.confirm_or_decline_booking(b.id, payment_status="NOT_PAID")
    with pytest.raises(FailedPrecondition, match="Only 1 place left"):
        engine.create_booking(class_request(event_id, studio["yoga"], participants=2))
    assert models.Booking.objects.count() == 1


@pytest.mark.parametrize("participants, error", [(0, InvalidArgument), (5, BookingPolicyViolation)])
def test_participants_outside_the_policy_are_refused(engine, studio, participants, error):
    event_id = first_week(engine).time_slots[0].event_info.event_id
    with pytest.raises(error):
        engine.create_booking(class_request(event_id, studio["yoga"], participants=participants))
    assert not models.Booking.objects.exists()


def test_a_cancelled_session_is_listed_as_cancelled_and_cannot_be_booked(engine, studio):
    session = models.ClassSession.objects.filter(service=studio["yoga"]).first()
    session.cancelled = True
    session.save()
    slot = engine.get_event_time_slot(event_id=str(session.public_id))
    assert (slot.bookable, slot.non_bookable_reasons.event_cancelled) == (False, True)
    with pytest.raises(FailedPrecondition):
        engine.create_booking(class_request(str(session.public_id), studio["yoga"]))


def test_a_one_off_session_is_listed_with_its_own_capacity(engine, studio):
    start = NOW + timedelta(days=2)  # Tuesday 07:00 in New York
    models.ClassSession.objects.create(service=studio["yoga"], start=start, end=start + timedelta(hours=1),
                                       staff=studio["sam"], capacity=20)
    slots = first_week(engine).time_slots
    assert [(s.local_start_date, s.total_capacity) for s in slots][:2] == [
        ("2026-03-03T07:00:00", 20), ("2026-03-03T18:30:00", 3)]


def test_a_session_teacher_is_not_offered_for_appointments_then(engine, studio):
    from tests.catalog import make_service

    massage = make_service([studio["sam"]], name="Massage")
    slots = engine.list_availability_time_slots(service_id=str(massage.pk), from_local_date="2026-03-03T17:00:00",
                                                to_local_date="2026-03-03T20:00:00").time_slots
    assert [s.local_start_date[11:16] for s in slots] == ["17:00"]  # 18:00 would run into the 18:30 class


def test_event_slot_paging_with_a_cursor(engine, studio):
    page = engine.list_event_time_slots(from_local_date="2026-03-01T00:00:00", to_local_date="2026-03-29T00:00:00",
                                        limit=3)
    starts, pages = [], 0
    while True:
        pages += 1
        starts += [s.local_start_date for s in page.time_slots]
        if page.next_cursor is None:
            break
        page = engine.list_event_time_slots(cursor=page.next_cursor)
    assert pages == 3
    assert starts == sorted(set(starts)) and len(starts) == 8  # Tuesdays and Saturdays, 3 to 28 March
    with pytest.raises(InvalidArgument):
        engine.list_event_time_slots(cursor="not-a-cursor")


def test_max_slots_per_day_keeps_the_first_of_each_day(engine, studio):
    start = NOW + timedelta(days=2)  # Tuesday 07:00 in New York, before the 18:30 class
    models.ClassSession.objects.create(service=studio["yoga"], start=start, end=start + timedelta(hours=1),
                                       staff=studio["sam"], capacity=5)
    slots = first_week(engine, max_slots_per_day=1).time_slots
    assert [s.local_start_date for s in slots] == ["2026-03-03T07:00:00", "2026-03-07T09:30:00"]


@pytest.mark.parametrize("kwargs", [
    {"from_local_date": "2026-03-01", "to_local_date": "2026-03-08T00:00:00"},
    {"from_local_date": "2026-03-01T00:00:00", "to_local_date": "2026-06-01T00:00:00"},
    {"from_local_date": "2026-03-01T00:00:00", "to_local_date": "2026-03-08T00:00:00", "time_zone": "Mars/Base"},
    {"from_local_date": "2026-03-01T00:00:00", "to_local_date": "2026-03-08T00:00:00", "limit": 0},
])
def test_bad_event_slot_requests_are_refused(engine, studio, kwargs):
    with pytest.raises(InvalidArgument):
        engine.list_event_time_slots(**kwargs)


def test_an_unknown_event_is_not_found(engine, studio):
    with pytest.raises(NotFound):
        engine.get_event_time_slot(event_id="not-a-uuid")


# ---- courses ----------------------------------------------------------------------------------------------


@pytest.fixture
def course(studio):
    return make_class(studio["sam"], [(2, time(19))], capacity=2, type=ServiceType.COURSE, name="Pilates course",
                      starts_on=date(2026, 3, 4), ends_on=date(2026, 4, 8))


def test_a_course_lists_all_its_sessions_and_places(engine, course):
    info = engine.get_course_availability(service_id=str(course.pk))
    assert len(info.sessions) == 6
    assert info.sessions[0].local_start_date == "2026-03-04T19:00:00"
    assert info.sessions[-1].local_start_date == "2026-04-08T19:00:00"
    assert (info.total_capacity, info.remaining_capacity, info.bookable, info.started) == (2, 2, True, False)


def test_a_course_booking_covers_the_whole_schedule_and_counts_against_its_capacity(engine, course):
    booking = engine.create_booking(course_request(course, participants=2))
    assert booking.start_date.astimezone(NY).date() == date(2026, 3, 4)
    assert booking.end_date.astimezone(NY).date() == date(2026, 4, 8)
    engine.confirm_or_decline_booking(booking.id, payment_status="NOT_PAID")
    info = engine.get_course_availability(service_id=str(course.pk))
    assert (info.remaining_capacity, info.bookable) == (0, False)
    with pytest.raises(FailedPrecondition) as refused:
        engine.create_booking(course_request(course))
    assert refused.value.code == "SCHEDULE_CAPACITY_EXCEEDED"


def test_a_started_course_is_too_late_unless_the_policy_allows_joining(engine, course):
    with time_machine.travel(NOW + timedelta(days=4), tick=False):  # after the first session
        info = engine.get_course_availability(service_id=str(course.pk))
        assert (info.started, info.bookable, info.booking_policy_violations.too_late_to_book) == (True, False, True)
        with pytest.raises(BookingPolicyViolation):
            engine.create_booking(course_request(course))
        models.BookingPolicy.objects.update(book_after_start_enabled=True)
        assert engine.get_course_availability(service_id=str(course.pk)).bookable
        assert engine.create_booking(course_request(course)).status == "CREATED"


def test_an_ended_course_cannot_be_booked_even_by_policy(engine, course):
    models.BookingPolicy.objects.update(book_after_start_enabled=True)
    with time_machine.travel(NOW + timedelta(days=60), tick=False):
        info = engine.get_course_availability(service_id=str(course.pk))
        assert (info.ended, info.bookable) == (True, False)


def test_a_class_is_not_booked_as_a_course_nor_a_course_by_event(engine, studio, course):
    with pytest.raises(InvalidArgument):
        engine.create_booking(course_request(studio["yoga"]))
    session = models.ClassSession.objects.filter(service=course).first()
    with pytest.raises(InvalidArgument):
        engine.create_booking(class_request(str(session.public_id), course))


def test_staff_may_overfill_a_session_with_skip_availability_validation(engine, studio):
    event_id = first_week(engine).time_slots[0].event_info.event_id
    booking = engine.create_booking(class_request(event_id, studio["yoga"], participants=4), caller=Caller.STAFF,
                                    flow_control_settings=FlowControlSettings(skip_availability_validation=True))
    assert engine.confirm_or_decline_booking(booking.id, payment_status="NOT_PAID").status == "CONFIRMED"
