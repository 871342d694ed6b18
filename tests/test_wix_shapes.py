"""Wix's published examples parse into the port's types, and what the sandbox renders parses back unchanged."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from booking import port as p
from booking.backends.wix import shapes, shapes_slots
from booking.backends.wix.shapes_bookings import (
    parse_booking,
    parse_create_request,
    render_booking,
    render_create_request,
    slot_date,
)
from tests.wix_samples import sample


def test_query_services_example_parses():
    body = sample("01-query-services-response.json")
    services = [shapes.parse_service(s) for s in body["services"]]
    first = services[0]
    assert first.id == "0f01e746-2943-4893-97a3-9d52d8e9e26e" and first.type == "APPOINTMENT"
    assert first.slug == "personal-cat-hugging" and first.session_duration_minutes == 60
    assert first.payment.rate_type == "FIXED" and first.payment.price == p.Money(Decimal("25"), "USD")
    assert first.payment.options.online and not first.payment.options.in_person
    assert first.booking_policy.cancellation_enabled and first.booking_policy.earliest_booking_in_minutes == 604800
    assert first.locations[0].location_type == "CUSTOMER"
    assert first.form_id == "00000000-0000-0000-0000-000000000000"
    assert first.schedule_id == "f986bc0e-ced0-48a7-8557-eb5c75c256cd"
    assert len(services) == len(body["services"])


@pytest.mark.parametrize("name", ["02-list-availability-time-slots-response.json",
                                  "02-list-availability-time-slots-next-page-response.json",
                                  "02-list-availability-time-slots-with-resources-response.json"])
def test_list_time_slots_examples_parse(name):
    body = sample(name)
    response = shapes_slots.parse_list(body)
    assert len(response.time_slots) == len(body["timeSlots"]) and response.time_zone == body["timeZone"]
    assert response.next_cursor == ((body.get("cursorPagingMetadata") or {}).get("cursors") or {}).get("next")
    for raw, slot in zip(body["timeSlots"], response.time_slots, strict=True):
        assert slot.local_start_date == raw["localStartDate"]
        assert slot.bookable_capacity == raw["remainingCapacity"]  # no bookableCapacity without a waitlist
        assert slot.start_date.tzinfo is not None and slot.location.location_type == "BUSINESS"


def test_get_time_slot_examples_parse_with_utc_instants():
    for name in ("02-get-availability-time-slot-response.json",
                 "02-get-availability-time-slot-by-resource-ids-response.json"):
        body = sample(name)
        slot = shapes_slots.parse_one(body)
        raw = body["timeSlot"]
        assert slot.staff and slot.staff[0].id == raw["availableResources"][0]["resources"][0]["id"]
        local = datetime.fromisoformat(raw["localStartDate"])
        assert slot.start_date.astimezone(shapes_slots.parse_time_zone(body["timeZone"])).replace(tzinfo=None) == local


@pytest.mark.parametrize("name", ["04-create-booking-appointment-response.json",
                                  "04-create-booking-class-response.json",
                                  "04-create-booking-course-response.json",
                                  "05-confirm-or-decline-booking-paid-response.json",
                                  "05-confirm-or-decline-booking-unpaid-double-booking-response.json",
                                  "06-cancel-booking-response.json", "06-reschedule-booking-class-response.json",
                                  "06-reschedule-booking-appointment-response.json", "14-confirm-booking-response.json",
                                  "15-decline-booking-response.json"])
def test_booking_examples_parse(name):
    raw = sample(name)["booking"]
    booking = parse_booking(raw)
    assert booking.id == raw["id"] and booking.status == raw["status"]
    assert booking.revision == int(raw["revision"]) and booking.total_participants == 1  # [1, 1] or 1
    assert booking.start_date.tzinfo is UTC and booking.start_date == shapes.instant(raw["startDate"])
    assert booking.payment_status == raw["paymentStatus"]


def test_the_appointment_example_keeps_its_slot():
    booking = parse_booking(sample("04-create-booking-appointment-response.json")["booking"])
    assert booking.slot.start_date == datetime(2022, 12, 26, 12, tzinfo=UTC)
    assert booking.slot.resource.name == "Tom Jones" and booking.slot.location.location_type == "BUSINESS"
    assert booking.title == "In-person Appointment"


def test_the_course_example_is_a_schedule_booking():
    booking = parse_booking(sample("04-create-booking-course-response.json")["booking"])
    assert booking.slot.schedule_id == "7935f7bd-4aa5-4402-9d2f-2f4a7c039c54"
    assert booking.slot.resource is None and booking.end_date == datetime(2022, 12, 30, 15, tzinfo=UTC)


def test_extended_bookings_example_parses_offsets_and_number_of_participants():
    body = sample("08-query-extended-bookings-response.json")
    [booking] = [parse_booking(item["booking"]) for item in body["extendedBookings"]][:1]
    assert booking.slot.start_date == datetime(2021, 7, 5, 12, 15, tzinfo=UTC)  # 13:15+01:00
    assert booking.slot.event_id  # the legacy sessionId


def test_the_create_request_example_parses_as_the_sandbox_reads_it():
    request, flow, external = parse_create_request(sample("04-create-booking-appointment-request.json"))
    assert request.slot.resource.id and request.slot.location.location_type == "BUSINESS"  # OWNER_BUSINESS
    assert request.slot.start_date.tzinfo is not None and external == ""
    assert request.contact_details.first_name


def test_slot_dates_in_every_documented_form():
    assert slot_date("2026-01-30T13:30:00:000-05:00", "UTC") == datetime(2026, 1, 30, 18, 30, tzinfo=UTC)
    assert slot_date("2022-12-26T12:00:00.000Z", "UTC") == datetime(2022, 12, 26, 12, tzinfo=UTC)
    assert slot_date("2026-03-08T03:30:00", "America/New_York") == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)


def test_a_booking_round_trips_through_render_and_parse():
    when = datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT, the first of New York's two 01:30s
    booking = p.Booking(
        id="b1", service_id="7", title="Massage",
        slot=p.Slot(service_id="7", start_date=when, end_date=when.replace(hour=6), timezone="America/New_York",
                    schedule_id="service-7", resource=p.Resource("3", "Ana"),
                    location=p.Location("1", "Main room", "1 Main St")),
        contact_details=p.ContactDetails("Ada", "Lovelace", "ada@example.com", "+1 555"), status="CONFIRMED",
        payment_status="PAID", selected_payment_option="ONLINE", total_participants=1, revision=3,
        start_date=when, end_date=when.replace(hour=6), created_date=when, updated_date=when,
        form_submission={"goal": "Relax"}, price=p.Money(Decimal("80.00"), "USD"), double_booked=True)
    rendered = render_booking(booking)
    assert rendered["revision"] == "3" and rendered["bookedEntity"]["slot"]["location"]["locationType"] == \
        "OWNER_BUSINESS"
    assert rendered["doubleBooked"] is True
    assert parse_booking(rendered) == booking


def test_a_create_request_round_trips():
    when = datetime(2026, 3, 2, 15, tzinfo=UTC)
    request = p.CreateBookingRequest(
        slot=p.Slot(service_id="7", start_date=when, end_date=when.replace(hour=16), timezone="America/New_York",
                    schedule_id="service-7", location=p.Location("1", "Main room", "1 Main St")),
        contact_details=p.ContactDetails("Ada", "L", "ada@example.com"), form_submission={"goal": "Relax"},
        selected_payment_option="OFFLINE")
    body = render_create_request(request, external_user_id="key-1")
    assert body["booking"]["bookedEntity"]["slot"]["resourceSelections"][0]["selectionMethod"] == "ANY_RESOURCE"
    parsed, flow, external = parse_create_request(body)
    assert parsed == request and external == "key-1" and not flow.any


def test_a_time_slot_round_trips():
    when = datetime(2026, 3, 2, 14, tzinfo=UTC)
    slot = p.TimeSlot(
        service_id="7", local_start_date="2026-03-02T09:00:00", local_end_date="2026-03-02T10:00:00", bookable=False,
        total_capacity=1, remaining_capacity=1, bookable_capacity=1,
        booking_policy_violations=p.BookingPolicyViolations(too_early_to_book=True, earliest_booking_date=when),
        location=p.Location("1", "Main room", "1 Main St"),
        available_resources=(p.AvailableResources(p.STAFF_RESOURCE_TYPE_ID, (p.Resource("3", "Ana"),)),),
        schedule_id="service-7", start_date=when, end_date=when.replace(hour=15),
        event_info=p.EventInfo("e1", "Yoga"), non_bookable_reasons=p.NonBookableReasons(violates_booking_policy=True))
    assert shapes_slots.parse_one(shapes_slots.render_one(slot, "America/New_York")) == slot


def test_services_and_forms_round_trip():
    service = shapes.parse_service(sample("01-query-services-response.json")["services"][0])
    assert shapes.parse_service(shapes.render_service(service)) == service
    form = p.FormSummary(id="f", fields=(
        p.FormField("1", "first_name", "First name", "TEXT", True),
        p.FormField("2", "notes", "Notes", "LONG_TEXT", False, help_text="Anything?"),
        p.FormField("3", "goal", "Goal", "CHOICE", True, options=("Relax", "Recover")),
        p.FormField("4", "first_visit", "First visit", "CHECKBOX", False)))
    assert shapes.parse_form_summary(shapes.render_form_summary(form)) == form
    info = p.BusinessInfo("Studio", "America/New_York", "USD", "1 Main St", "a@b.c", "+1")
    assert shapes.parse_business(shapes.render_business(info)) == info
