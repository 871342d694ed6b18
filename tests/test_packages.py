"""Multi-service packages in the local engine: back-to-back times, staff per part, booked all or nothing."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from booking import models
from booking.errors import InvalidArgument, NotFound, SlotNotAvailable
from booking.port import ContactDetails, CreateBookingRequest, Resource, ServiceSelection, Slot
from tests.catalog import ANSWERS, make_business, make_policy, make_service, make_staff, weekdays

NY = ZoneInfo("America/New_York")

pytestmark = [pytest.mark.usefixtures("frozen_clock"), pytest.mark.django_db]


@pytest.fixture
def spa():
    make_business()
    make_policy()
    maya = make_staff("Maya", weekdays(time(9), time(13)))
    priya = make_staff("Priya", weekdays(time(10), time(13)))
    massage = make_service([maya], name="Massage", duration_minutes=60, time_between_sessions=15)
    facial = make_service([priya], name="Facial", duration_minutes=45, slot_interval_minutes=15)
    nails = make_service([maya, priya], name="Nails", duration_minutes=30, slot_interval_minutes=30)
    return {"maya": maya, "priya": priya, "massage": massage, "facial": facial, "nails": nails}


def package(*services):
    return [ServiceSelection(str(s.pk)) for s in services]


def monday(engine, services, **kwargs):
    return engine.list_multi_service_availability_time_slots(
        services=services, from_local_date="2026-03-02T00:00:00", to_local_date="2026-03-03T00:00:00", **kwargs)


def test_parts_follow_each_other_with_no_gap_in_the_requested_order(engine, spa):
    slots = monday(engine, package(spa["massage"], spa["facial"])).time_slots
    # Massage 09:00–10:00 with Maya, then the facial from 10:00 with Priya (her day starts at 10); the last
    # package ends by 13:00.
    assert [s.local_start_date[11:16] for s in slots] == ["09:00", "10:00", "11:00"]
    first = slots[0]
    assert first.service_id == "" and first.local_end_date == "2026-03-02T10:45:00"
    assert [(n.service_id, n.local_start_date[11:16], n.local_end_date[11:16]) for n in first.nested_time_slots] == [
        (str(spa["massage"].pk), "09:00", "10:00"), (str(spa["facial"].pk), "10:00", "10:45")]
    assert [r.name for r in first.nested_time_slots[1].staff] == ["Priya"]


def test_one_person_takes_two_parts_only_when_their_buffer_allows(engine, spa):
    # Maya alone: massage (15-minute buffer after it), then nails right away is impossible for her, so the
    # nails must go to Priya, who starts at 10.
    slots = monday(engine, [ServiceSelection(str(spa["massage"].pk)),
                            ServiceSelection(str(spa["nails"].pk), (str(spa["maya"].pk),))]).time_slots
    assert slots == ()
    both = monday(engine, package(spa["massage"], spa["nails"])).time_slots
    assert [s.local_start_date[11:16] for s in both][0] == "09:00"
    # Maya is free at 10:00 by her calendar but still in her buffer after the massage: Priya comes first, as the
    # one to book.
    assert [r.name for r in both[0].nested_time_slots[1].staff] == ["Priya", "Maya"]


def test_booking_a_package_makes_one_booking_per_service_together(engine, spa):
    slot = monday(engine, package(spa["massage"], spa["facial"])).time_slots[0]
    requests = [request_for(n) for n in slot.nested_time_slots]
    msb = engine.create_multi_service_booking(requests, submission_key="6f1f3a8e-8d1e-4a7e-9c55-0d6c4f6a1b2c")
    assert msb.multi_service_booking_type == "SEQUENTIAL_BOOKINGS"
    assert [b.title for b in msb.bookings] == ["Massage", "Facial"]
    assert {b.status for b in msb.bookings} == {"CREATED"}
    assert engine.get_multi_service_booking(msb.id) == msb
    again = engine.create_multi_service_booking(requests, submission_key="6f1f3a8e-8d1e-4a7e-9c55-0d6c4f6a1b2c")
    assert again.id == msb.id and models.Booking.objects.count() == 2


def test_a_package_whose_second_part_is_taken_books_nothing(engine, spa):
    slot = monday(engine, package(spa["massage"], spa["facial"])).time_slots[0]
    requests = [request_for(n) for n in slot.nested_time_slots]
    taken = engine.create_booking(request_for(slot.nested_time_slots[1], email="first@example.com"))
    engine.confirm_or_decline_booking(taken.id, payment_status="NOT_PAID")
    with pytest.raises(SlotNotAvailable, match="Facial"):
        engine.create_multi_service_booking(requests)
    assert models.Booking.objects.count() == 1


def test_packages_with_gaps_or_the_wrong_size_are_refused(engine, spa):
    slot = monday(engine, package(spa["massage"], spa["facial"])).time_slots[0]
    first, second = (request_for(n) for n in slot.nested_time_slots)
    later = request_for(slot.nested_time_slots[1], shift=timedelta(minutes=15))
    with pytest.raises(InvalidArgument):
        engine.create_multi_service_booking([first, later])
    with pytest.raises(InvalidArgument):
        engine.create_multi_service_booking([first])
    with pytest.raises(InvalidArgument):
        monday(engine, package(spa["massage"]))
    with pytest.raises(InvalidArgument):
        monday(engine, package(spa["massage"], spa["massage"]))
    assert not models.Booking.objects.exists()


def test_the_get_method_revalidates_one_package_time(engine, spa):
    services = package(spa["massage"], spa["facial"])
    slot = engine.get_multi_service_availability_time_slot(services=services, local_start_date="2026-03-02T09:00:00")
    assert slot.local_end_date == "2026-03-02T10:45:00"
    with pytest.raises(NotFound):
        engine.get_multi_service_availability_time_slot(services=services, local_start_date="2026-03-02T12:30:00")


def test_time_slots_per_day_keeps_the_first_ones(engine, spa):
    slots = monday(engine, package(spa["massage"], spa["facial"]), time_slots_per_day=2).time_slots
    assert [s.local_start_date[11:16] for s in slots] == ["09:00", "10:00"]


def request_for(nested, email="ada@example.com", shift=timedelta(0)):
    start = nested.start_date + shift
    staff = nested.staff[0]
    return CreateBookingRequest(
        slot=Slot(service_id=nested.service_id, start_date=start, end_date=nested.end_date + shift,
                  timezone="America/New_York", resource=Resource(staff.id, staff.name)),
        contact_details=ContactDetails("", "", ""),
        form_submission={**ANSWERS, "email": email},
        selected_payment_option="OFFLINE",
    )


def test_parts_on_a_dst_day_keep_elapsed_durations():
    # 8 March 2026: a massage from 01:00 to 03:00 local crosses the gap; the pure core works in UTC.
    from booking.availability import AppointmentRules, StaffCalendar, WeeklyHours, sequential_starts

    rules = AppointmentRules(NY, timedelta(hours=1), timedelta(0), timedelta(hours=1))
    calendar = StaffCalendar("1", (WeeklyHours(6, time(0), time(6)),))
    other = StaffCalendar("2", (WeeklyHours(6, time(0), time(6)),))
    day_start = datetime(2026, 3, 8, tzinfo=NY)
    found = sequential_starts([([calendar], rules), ([other], rules)], day_start, day_start + timedelta(hours=3))
    for sequence in found:
        assert sequence.parts[1].start - sequence.parts[0].start == timedelta(hours=1)
    assert len({s.start for s in found}) == len(found)
