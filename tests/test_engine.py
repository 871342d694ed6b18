"""The local engine through the bookings port, on a real database."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from booking import models
from booking.errors import BookingPolicyViolation, InvalidArgument, NotFound, PermissionDenied, SlotNotAvailable
from booking.port import Caller, ContactDetails, CreateBookingRequest, FlowControlSettings, Resource, Slot
from tests.catalog import ANSWERS, FREE, make_business, make_form, make_policy, make_service, make_staff, weekdays

NY = ZoneInfo("America/New_York")

pytestmark = [pytest.mark.usefixtures("frozen_clock"), pytest.mark.django_db]


@pytest.fixture
def studio():
    make_business()
    make_policy()
    ana = make_staff("Ana", weekdays(time(9), time(12)))
    ben = make_staff("Ben", weekdays(time(10), time(12)))
    massage = make_service([ana, ben], form=make_form(), time_between_sessions=30, slot_interval_minutes=30)
    return {"ana": ana, "ben": ben, "massage": massage}


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """March 2026 in New York."""
    return datetime(2026, 3, day, hour, minute, tzinfo=NY)


def request_for(service, start, staff=None, answers=ANSWERS, option="OFFLINE"):
    return CreateBookingRequest(
        slot=Slot(service_id=str(service.pk), start_date=start, end_date=start + timedelta(minutes=60),
                  timezone="America/New_York", resource=Resource(str(staff.pk), staff.name) if staff else None),
        contact_details=ContactDetails("", "", ""),
        form_submission=answers,
        selected_payment_option=option,
    )


def test_it_lists_services_with_their_catalog_fields(engine, studio):
    [service] = engine.query_services()
    assert service.name == "Massage"
    assert service.type == "APPOINTMENT"
    assert service.payment.price.value == 80
    assert service.payment.price.currency == "USD"
    assert {m.name for m in service.staff_members} == {"Ana", "Ben"}
    assert engine.query_services(filter={"mainSlug.name": "massage"})[0].id == service.id
    assert engine.query_services(filter={"id": "not-a-number"}) == []


def test_hidden_services_are_not_listed(engine, studio):
    studio["massage"].hidden = True
    studio["massage"].save()
    assert engine.query_services() == []


def test_it_summarises_the_services_form_in_order(engine, studio):
    summary = engine.get_form_summary(str(studio["massage"].form_id))
    assert [f.target for f in summary.fields][:4] == ["first_name", "last_name", "email", "phone"]
    goal = next(f for f in summary.fields if f.target == "goal")
    assert goal.type == "CHOICE" and goal.options == ("Relax", "Recover") and goal.required
    with pytest.raises(NotFound):
        engine.get_form_summary("999999")


def test_slots_follow_working_hours_and_name_the_free_staff(engine, studio):
    response = engine.list_availability_time_slots(
        service_id=str(studio["massage"].pk), from_local_date="2026-03-02T00:00:00", to_local_date="2026-03-03T00:00:00"
    )
    starts = [s.local_start_date[11:16] for s in response.time_slots]
    assert starts == ["09:00", "09:30", "10:00", "10:30", "11:00"]
    staff_at = {s.local_start_date[11:16]: {r.name for r in s.staff} for s in response.time_slots}
    assert staff_at["09:30"] == {"Ana"}
    assert staff_at["10:00"] == {"Ana", "Ben"}
    assert response.time_zone == "America/New_York"
    assert all(s.bookable for s in response.time_slots)


def test_a_confirmed_booking_and_its_buffer_block_the_staff_member(engine, studio):
    booking = engine.create_booking(request_for(studio["massage"], at(2, 11), studio["ana"]))
    engine.confirm_or_decline_booking(booking.id, payment_status="NOT_PAID")
    slots = engine.list_availability_time_slots(
        service_id=str(studio["massage"].pk), from_local_date="2026-03-02T00:00:00",
        to_local_date="2026-03-03T00:00:00", resource_ids=[str(studio["ana"].pk)],
    ).time_slots
    # Ana is busy 11:00–12:30 (the hour plus 30 minutes' buffer). A 10:00 start would need its own buffer
    # until 11:30, so it is out too; 09:30 ends its buffer exactly at 11:00.
    assert [s.local_start_date[11:16] for s in slots] == ["09:00", "09:30"]


def test_a_created_booking_does_not_hold_the_time(engine, studio):
    engine.create_booking(request_for(studio["massage"], at(2, 10), studio["ana"]))
    slot = engine.get_availability_time_slot(
        service_id=str(studio["massage"].pk), local_start_date="2026-03-02T10:00:00",
        local_end_date="2026-03-02T11:00:00", resource_ids=[str(studio["ana"].pk)],
    )
    assert [r.name for r in slot.staff] == ["Ana"]


def test_time_off_removes_slots(engine, studio):
    models.TimeOff.objects.create(staff=studio["ana"], start=at(2, 9), end=at(2, 10, 30))
    slots = engine.list_availability_time_slots(
        service_id=str(studio["massage"].pk), from_local_date="2026-03-02T00:00:00",
        to_local_date="2026-03-03T00:00:00", resource_ids=[str(studio["ana"].pk)],
    ).time_slots
    assert [s.local_start_date[11:16] for s in slots] == ["10:30", "11:00"]


def test_policy_violations_come_back_as_not_bookable(engine, studio):
    models.BookingPolicy.objects.update(limit_early_booking_enabled=True, earliest_booking_in_minutes=2 * 24 * 60)
    slots = engine.list_availability_time_slots(
        service_id=str(studio["massage"].pk), from_local_date="2026-03-02T00:00:00",
        to_local_date="2026-03-05T00:00:00",
    ).time_slots
    by_day = {s.local_start_date[:10]: s for s in slots}
    assert by_day["2026-03-02"].bookable
    late = by_day["2026-03-04"]
    assert not late.bookable and late.booking_policy_violations.too_early_to_book
    assert late.booking_policy_violations.earliest_booking_date == late.start_date - timedelta(days=2)


@pytest.mark.parametrize(
    ("start", "end", "code"),
    [
        ("2026-03-02", "2026-03-03T00:00:00", "INVALID_DATE_FORMAT"),
        ("2026-03-02T00:00:00", "yesterday", "INVALID_DATE_FORMAT"),
        ("2026-02-30T00:00:00", "2026-03-03T00:00:00", "INVALID_DATE_FORMAT"),
        ("2026-03-02T00:00:00", "2026-06-02T00:00:00", "INVALID_ARGUMENT"),
        ("2026-03-03T00:00:00", "2026-03-02T00:00:00", "INVALID_ARGUMENT"),
    ],
)
def test_bad_date_ranges_are_refused(engine, studio, start, end, code):
    with pytest.raises(InvalidArgument) as error:
        engine.list_availability_time_slots(service_id=str(studio["massage"].pk), from_local_date=start,
                                            to_local_date=end)
    assert error.value.code == code


@pytest.mark.parametrize("zone", ["Mars/Olympus", "A" * 5000])  # the second is too long a name for a file
def test_an_unknown_zone_or_service_is_refused(engine, studio, zone):
    with pytest.raises(InvalidArgument) as error:
        engine.list_availability_time_slots(service_id=str(studio["massage"].pk), from_local_date="2026-03-02T00:00:00",
                                            to_local_date="2026-03-03T00:00:00", time_zone=zone)
    assert error.value.code == "INVALID_TIME_ZONE"
    with pytest.raises(NotFound):
        engine.list_availability_time_slots(service_id="424242", from_local_date="2026-03-02T00:00:00",
                                            to_local_date="2026-03-03T00:00:00")


def test_get_slot_refuses_times_outside_hours_or_of_the_wrong_length(engine, studio):
    service_id = str(studio["massage"].pk)
    with pytest.raises(NotFound):
        engine.get_availability_time_slot(service_id=service_id, local_start_date="2026-03-02T07:00:00",
                                          local_end_date="2026-03-02T08:00:00")
    with pytest.raises(NotFound):
        engine.get_availability_time_slot(service_id=service_id, local_start_date="2026-03-02T09:00:00",
                                          local_end_date="2026-03-02T09:45:00")


def test_create_booking_makes_a_created_booking_with_the_form_answers(engine, studio):
    booking = engine.create_booking(request_for(studio["massage"], at(2, 9), studio["ana"]))
    assert booking.status == "CREATED"
    assert booking.payment_status == "UNDEFINED"
    assert booking.revision == 1
    assert booking.contact_details.email == "ada@example.com"
    assert booking.form_submission["goal"] == "Relax"
    assert booking.slot.resource.name == "Ana"
    assert booking.start_date == at(2, 9)


def test_any_staff_gets_a_free_staff_member_assigned(engine, studio):
    first = engine.create_booking(request_for(studio["massage"], at(2, 10), studio["ana"]))
    engine.confirm_or_decline_booking(first.id, payment_status="NOT_PAID")
    second = engine.create_booking(request_for(studio["massage"], at(2, 10)))
    assert second.slot.resource.name == "Ben"
    engine.confirm_or_decline_booking(second.id, payment_status="NOT_PAID")
    with pytest.raises(SlotNotAvailable):
        engine.create_booking(request_for(studio["massage"], at(2, 10)))


def test_a_taken_time_is_refused_and_nothing_is_written(engine, studio):
    first = engine.create_booking(request_for(studio["massage"], at(2, 9), studio["ana"]))
    engine.confirm_or_decline_booking(first.id, payment_status="NOT_PAID")
    with pytest.raises(SlotNotAvailable) as error:
        engine.create_booking(request_for(studio["massage"], at(2, 9), studio["ana"]))
    assert error.value.code == "SLOT_NOT_AVAILABLE"
    assert models.Booking.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "error_type"),
    [
        ({"start": at(1, 6)}, BookingPolicyViolation),  # earlier today, before now
        ({"start": at(2, 7)}, SlotNotAvailable),  # before working hours
        ({"answers": {**ANSWERS, "email": "not-an-email"}}, InvalidArgument),
        ({"answers": {**ANSWERS, "goal": "Dance"}}, InvalidArgument),
        ({"answers": {}}, InvalidArgument),
        ({"option": "ONLINE"}, InvalidArgument),  # the service is paid in person only
    ],
)
def test_bad_requests_write_nothing(engine, studio, change, error_type):
    start = change.get("start", at(2, 9))
    request = request_for(studio["massage"], start, studio["ana"], answers=change.get("answers", ANSWERS),
                          option=change.get("option", "OFFLINE"))
    with pytest.raises(error_type):
        engine.create_booking(request)
    assert models.Booking.objects.count() == 0


def test_a_forged_staff_member_is_refused(engine, studio):
    stranger = make_staff("Stranger", weekdays(time(0, 0), time(23, 0)))
    with pytest.raises(InvalidArgument):
        engine.create_booking(request_for(studio["massage"], at(2, 9), stranger))
    assert models.Booking.objects.count() == 0


def test_customers_cannot_skip_checks_but_staff_can(engine, studio):
    taken = engine.create_booking(request_for(studio["massage"], at(2, 9), studio["ana"]))
    engine.confirm_or_decline_booking(taken.id, payment_status="NOT_PAID")
    skip = FlowControlSettings(skip_availability_validation=True)
    with pytest.raises(PermissionDenied):
        engine.create_booking(request_for(studio["massage"], at(2, 9), studio["ana"]), flow_control_settings=skip)
    forced = engine.create_booking(request_for(studio["massage"], at(2, 9), studio["ana"]), caller=Caller.STAFF,
                                   flow_control_settings=skip)
    assert engine.confirm_or_decline_booking(forced.id, payment_status="NOT_PAID").status == "CONFIRMED"


def test_a_repeated_submission_key_returns_the_first_booking(engine, studio):
    key = "2b0c7a52-8b5e-4a4e-9d61-2a3f0a6f7d11"
    first = engine.create_booking(request_for(studio["massage"], at(2, 9), studio["ana"]), submission_key=key)
    again = engine.create_booking(request_for(studio["massage"], at(2, 9), studio["ana"]), submission_key=key)
    assert again.id == first.id
    assert models.Booking.objects.count() == 1


def test_too_many_participants_break_the_policy(engine, studio):
    request = request_for(studio["massage"], at(2, 9), studio["ana"])
    with pytest.raises(BookingPolicyViolation):
        engine.create_booking(CreateBookingRequest(**{**request.__dict__, "total_participants": 2}))


@pytest.mark.parametrize(
    ("conflict", "payment_status", "approval", "status", "double_booked"),
    [
        (False, "NOT_PAID", True, "PENDING", False),
        (False, "PAID", False, "CONFIRMED", False),
        (True, "EXEMPT", False, "DECLINED", False),
        (True, "NOT_PAID", True, "DECLINED", False),
        (True, "PARTIALLY_PAID", True, "PENDING", True),
        (True, "PAID", False, "CONFIRMED", True),
    ],
)
def test_confirm_or_decline_follows_the_wix_table(engine, studio, conflict, payment_status, approval, status,
                                                  double_booked):
    service = studio["massage"]
    service.require_manual_approval = approval
    service.pay_online = True
    service.save()
    booking = engine.create_booking(request_for(service, at(2, 9), studio["ana"]))
    if conflict:
        rival = engine.create_booking(request_for(service, at(2, 9), studio["ana"]))
        engine.confirm_or_decline_booking(rival.id, payment_status="PAID")
    result = engine.confirm_or_decline_booking(booking.id, payment_status=payment_status)
    assert (result.status, result.double_booked, result.payment_status) == (status, double_booked, payment_status)
    assert result.revision == 2


def test_confirm_or_decline_refuses_settled_bookings_and_unknown_ids(engine, studio):
    booking = engine.create_booking(request_for(studio["massage"], at(2, 9), studio["ana"]))
    engine.confirm_or_decline_booking(booking.id, payment_status="NOT_PAID")
    with pytest.raises(Exception) as error:
        engine.confirm_or_decline_booking(booking.id, payment_status="NOT_PAID")
    assert error.value.code == "INVALID_BOOKING_STATUS"
    with pytest.raises(NotFound):
        engine.confirm_or_decline_booking("5b8f5d0e-0000-4000-8000-000000000000", payment_status="PAID")


def test_a_free_service_is_booked_with_no_payment_option(engine, studio):
    free = make_service([studio["ana"]], name="Consultation", **FREE)
    booking = engine.create_booking(request_for(free, at(2, 9), studio["ana"], option="UNDEFINED"))
    assert engine.confirm_or_decline_booking(booking.id, payment_status="EXEMPT").status == "CONFIRMED"


def test_appointment_slots_per_day_and_cursor_paging(engine, studio):
    def listing(**kwargs):
        return engine.list_availability_time_slots(service_id=str(studio["massage"].pk), **kwargs)

    week = {"from_local_date": "2026-03-02T00:00:00", "to_local_date": "2026-03-07T00:00:00"}
    everything = [s.local_start_date for s in listing(**week).time_slots]
    two_a_day = [s.local_start_date for s in listing(**week, time_slots_per_day=2).time_slots]
    assert two_a_day == [s for s in everything if s[11:16] in {"09:00", "09:30"}]

    pages, starts, page = 0, [], listing(**week, limit=4)
    while True:
        pages += 1
        starts += [s.local_start_date for s in page.time_slots]
        if page.next_cursor is None:
            break
        page = listing(cursor=page.next_cursor)
    assert starts == everything and pages == -(-len(everything) // 4)
    with pytest.raises(InvalidArgument):
        listing(cursor="forged")
    with pytest.raises(InvalidArgument):
        listing(**week, time_slots_per_day=0)
