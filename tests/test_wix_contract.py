"""Contract tests per endpoint, against the sandbox under a live server: the request the client sends (method,
path, headers, field names) has Wix's documented shape, and the sandbox answers with the keys of Wix's published
examples (less the ones named below, which the site does not use)."""

from datetime import time, timedelta

import pytest

from booking.backends import get_backend
from booking.backends.wix import auth
from booking.port import (
    BookedSchedule,
    ContactDetails,
    CreateBookingRequest,
    RescheduleInfo,
    Resource,
    ServiceSelection,
    Slot,
)
from bookingsite.sandboxes.wix import recorder
from tests.catalog import (
    ANSWERS,
    NOW,
    make_business,
    make_class,
    make_form,
    make_policy,
    make_service,
    make_staff,
    weekdays,
)
from tests.wix_samples import keys, sample

pytestmark = [pytest.mark.usefixtures("frozen_clock"), pytest.mark.django_db(transaction=True)]

V = "/_api/service-availability/v2"
W = "/_api/bookings-service/v2"

# endpoint: (method, path pattern, identity, body fields Wix documents for it (wix-api.md), fields always sent)
CONTRACT = {
    "token": ("POST", "/oauth2/token", "none", {"clientId", "grantType", "refreshToken"}, {"clientId", "grantType"}),
    "site": ("GET", "/site-properties/v4/properties", "app", set(), set()),
    "services": ("POST", "/bookings/v2/services/query", "visitor", {"query", "conditionalFields"}, {"query"}),
    "form": ("GET", "/form-schema-service/v4/forms/*/summary", "visitor", set(), set()),
    "slots": ("POST", f"{V}/time-slots", "visitor",
              {"serviceId", "fromLocalDate", "toLocalDate", "timeZone", "locations", "resourceIds",
               "includeResourceTypeIds", "resourceTypes", "bookable", "bookingPolicyViolations", "timeSlotsPerDay",
               "cursorPaging"}, {"cursorPaging"}),
    "slot": ("POST", f"{V}/time-slots/get", "visitor",
             {"serviceId", "localStartDate", "localEndDate", "timeZone", "location", "includeResourceTypeIds",
              "resourceTypes"}, {"serviceId", "localStartDate", "localEndDate"}),
    "events": ("POST", f"{V}/time-slots/event", "visitor",
               {"serviceIds", "fromLocalDate", "toLocalDate", "timeZone", "includeNonBookable", "minBookableCapacity",
                "eventFilter", "bookingPolicyViolations", "maxSlotsPerDay", "cursorPaging"}, {"cursorPaging"}),
    "event": ("GET", f"{V}/time-slots/event/*", "visitor", set(), set()),
    "multi_slots": ("POST", f"{V}/multi-service-time-slots", "visitor",
                    {"services", "fromLocalDate", "toLocalDate", "location", "timeZone", "bookable",
                     "bookingPolicyViolations", "timeSlotsPerDay", "cursorPaging"}, {"services"}),
    "multi_slot": ("POST", f"{V}/multi-service-time-slots/get", "visitor",
                   {"services", "localStartDate", "localEndDate", "location", "timeZone"}, {"services"}),
    "create": ("POST", "/bookings/v2/bookings", "visitor",
               {"booking", "formSubmission", "participantNotification", "sendSmsReminder", "flowControlSettings"},
               {"booking"}),
    "bulk_create": ("POST", "/bookings/v2/bulk/bookings/create", "app", {"createBookingsInfo", "returnFullEntity"},
                    {"createBookingsInfo"}),
    "msb_create": ("POST", f"{W}/multi_service_bookings", "visitor",
                   {"bookings", "participantNotification", "sendSmsReminder", "flowControlSettings",
                    "returnFullEntity", "multiServiceBookingType"}, {"bookings"}),
    "msb_get": ("GET", f"{W}/multi_service_bookings/*", "app", set(), set()),
    "msb_reschedule": ("POST", f"{W}/multi_service_bookings/*/reschedule", "visitor",
                       {"rescheduleBookingsInfo", "participantNotification", "flowControlSettings",
                        "returnFullEntity"}, {"rescheduleBookingsInfo"}),
    "confirm_or_decline": ("POST", "/bookings/v2/confirmation/*:confirmOrDecline", "app", {"paymentStatus"},
                           {"paymentStatus"}),
    "confirm": ("POST", f"{W}/bookings/*/confirm", "app",
                {"bookingId", "revision", "participantNotification", "sendSmsReminder", "paymentStatus",
                 "doubleBooked", "flowControlSettings"}, {"revision"}),
    "decline": ("POST", f"{W}/bookings/*/decline", "app",
                {"bookingId", "revision", "participantNotification", "paymentStatus", "doubleBooked"}, {"revision"}),
    "pending": ("POST", f"{W}/bookings/*/mark_booking_as_pending", "app",
                {"bookingId", "revision", "participantNotification", "sendSmsReminder", "paymentStatus",
                 "doubleBooked", "flowControlSettings"}, {"revision"}),
    "cancel": ("POST", f"{W}/bookings/*/cancel", "visitor",
               {"bookingId", "revision", "participantNotification", "flowControlSettings"}, {"revision"}),
    "reschedule": ("POST", f"{W}/bookings/*/reschedule", "visitor",
                   {"bookingId", "slot", "revision", "totalParticipants", "participantsChoices",
                    "participantNotification", "flowControlSettings", "bookedAddOns"}, {"slot", "revision"}),
    "participants": ("POST", f"{W}/bookings/*/update_number_of_participants", "visitor",
                     {"bookingId", "revision", "totalParticipants", "participantsChoices"}, {"revision"}),
    "allowed": ("POST", "/bookings/v2/bulk/bookings/calculate_allowed_actions", "app", {"bookingIds"},
                {"bookingIds"}),
    "anon_token": ("GET", "/v1/anonymous-bookings/*/token", "app", set(), set()),
    "anon_get": ("GET", "/v1/anonymous-bookings/*", "none", set(), set()),
    "anon_reschedule": ("POST", "/v1/anonymous-bookings/*/reschedule", "none", {"slot", "revision"},
                        {"slot", "revision"}),
    "anon_cancel": ("POST", "/v1/anonymous-bookings/*/cancel", "none", {"revision"}, {"revision"}),
    "extended": ("POST", "/_api/bookings-reader/v2/extended-bookings/query", "app",
                 {"query", "withBookingAllowedActions", "withBookingAttendanceInfo", "sessionId"}, {"query"}),
}


def _matches(pattern: str, path: str) -> bool:
    import re

    regex = "^/_sandbox/wix" + re.escape(pattern).replace(r"\*", "[^/]+") + "$"
    return re.match(regex, path) is not None


def endpoint_of(entry: dict) -> str:
    hits = [name for name, (method, pattern, *_) in CONTRACT.items()
            if method == entry["method"] and _matches(pattern, entry["path"])]
    assert len(hits) == 1, (entry["method"], entry["path"], hits)
    return hits[0]


@pytest.fixture
def studio(wix_site):
    make_business()
    make_policy(cancellation_enabled=True, reschedule_enabled=True, max_participants_per_booking=3)
    ana = make_staff("Ana", weekdays(time(9), time(17)))
    massage = make_service([ana], form=make_form(), slot_interval_minutes=60)
    facial = make_service([ana], name="Facial", slot_interval_minutes=60)
    consult = make_service([ana], name="Consult", slot_interval_minutes=60, require_manual_approval=True)
    yoga = make_class(ana, [(0, time(18)), (2, time(18))], capacity=5)
    pottery = make_class(ana, [(1, time(18))], capacity=4, type="COURSE", name="Pottery",
                         starts_on=NOW.date() + timedelta(days=8), ends_on=NOW.date() + timedelta(days=30))
    return {"ana": ana, "massage": massage, "facial": facial, "consult": consult, "yoga": yoga, "pottery": pottery}


def appointment(service, staff, day, hour):
    start = NOW.replace(day=day, hour=hour + 5)  # New York, UTC-5 in early March
    return CreateBookingRequest(
        slot=Slot(service_id=str(service.pk), start_date=start, end_date=start + timedelta(hours=1),
                  timezone="America/New_York", schedule_id=f"service-{service.pk}",
                  resource=Resource(str(staff.pk), staff.name) if staff else None),
        contact_details=ContactDetails("", "", ""), form_submission=ANSWERS, selected_payment_option="OFFLINE")


def run_every_endpoint(studio):
    """Every port operation the pages, payments and admin use, once, as a customer where a customer acts."""
    backend, session = get_backend(), {}
    ana, massage, facial = studio["ana"], studio["massage"], studio["facial"]
    with auth.bound_session(session):
        backend.get_business_info()
        [service] = backend.query_services(filter={"id": str(massage.pk)})
        backend.get_form_summary(service.form_id)
        backend.list_availability_time_slots(service_id=service.id, from_local_date="2026-03-02T00:00:00",
                                             to_local_date="2026-03-03T00:00:00", time_slots_per_day=3)
        backend.get_availability_time_slot(service_id=service.id, local_start_date="2026-03-02T09:00:00",
                                           local_end_date="2026-03-02T10:00:00", resource_ids=[str(ana.pk)])
        events = backend.list_event_time_slots(service_ids=[str(studio["yoga"].pk)],
                                               from_local_date="2026-03-01T00:00:00",
                                               to_local_date="2026-03-10T00:00:00")
        session_slot = backend.get_event_time_slot(event_id=events.time_slots[0].event_info.event_id)
        course = backend.get_course_availability(service_id=str(studio["pottery"].pk))
        pair = [ServiceSelection(str(massage.pk)), ServiceSelection(str(facial.pk))]
        backend.list_multi_service_availability_time_slots(services=pair, from_local_date="2026-03-03T00:00:00",
                                                           to_local_date="2026-03-04T00:00:00")
        backend.get_multi_service_availability_time_slot(services=pair, local_start_date="2026-03-03T09:00:00")
        booking = backend.create_booking(appointment(massage, ana, 2, 9), submission_key="k-1")
        klass = backend.create_booking(CreateBookingRequest(
            slot=Slot(service_id=str(studio["yoga"].pk), start_date=None, end_date=None, timezone="",
                      event_id=session_slot.event_info.event_id),
            contact_details=ContactDetails("", "", ""), form_submission=ANSWERS, selected_payment_option="OFFLINE"))
        backend.create_booking(CreateBookingRequest(
            slot=None, schedule=BookedSchedule(str(studio["pottery"].pk), course.schedule_id, "America/New_York"),
            contact_details=ContactDetails("", "", ""), form_submission=ANSWERS, selected_payment_option="OFFLINE"))
        package = backend.create_multi_service_booking([appointment(massage, ana, 4, 9),
                                                        appointment(facial, ana, 4, 10)])
    backend.get_multi_service_booking(package.id)
    first = package.bookings[0]
    with auth.bound_session(session):
        backend.reschedule_multi_service_booking(package.id, reschedule_bookings_info=[
            RescheduleInfo(first.id, appointment(massage, ana, 4, 11).slot, first.revision),
            RescheduleInfo(package.bookings[1].id, appointment(facial, ana, 4, 12).slot, package.bookings[1].revision)])
    backend.bulk_create_booking([appointment(massage, ana, 5, 9)])
    booking = backend.confirm_or_decline_booking(booking.id, payment_status="NOT_PAID")
    klass = backend.confirm_booking(klass.id, revision=klass.revision)
    with auth.bound_session(session):
        klass = backend.update_number_of_participants(klass.id, revision=klass.revision, total_participants=2)
        booking = backend.reschedule_booking(booking.id, slot=appointment(massage, ana, 2, 11).slot,
                                             revision=booking.revision)
        backend.cancel_booking(klass.id, revision=klass.revision)
    other = backend.create_booking(appointment(studio["consult"], ana, 3, 9))
    backend.mark_booking_as_pending(other.id, revision=other.revision)
    third = backend.create_booking(appointment(massage, ana, 3, 11))
    backend.decline_booking(third.id, revision=third.revision)
    backend.bulk_calculate_allowed_actions(booking_ids=[booking.id])
    token = backend.get_anonymous_action_token(booking.id)
    opened = backend.get_booking_anonymously(token)
    moved = backend.reschedule_booking_anonymously(token, slot=appointment(massage, ana, 2, 14).slot,
                                                   revision=opened.booking.revision)
    backend.cancel_booking_anonymously(token, revision=moved.revision)
    backend.query_extended_bookings(booking_ids=[booking.id])
    return backend


def test_every_endpoint_gets_a_request_of_wixs_documented_shape(studio):
    run_every_endpoint(studio)
    seen = set()
    for entry in recorder.requests:
        name = endpoint_of(entry)
        seen.add(name)
        method, _, identity, documented, required = CONTRACT[name]
        body = entry["body"] or {}
        assert set(body) <= documented, (name, set(body) - documented)
        assert required <= set(body), (name, required - set(body))
        headers = entry["headers"]
        if identity == "none":
            assert "authorization" not in headers, name
        elif identity == "app":
            assert entry["authorization"] == "app" and "wix-site-id" in headers, name
        else:
            assert entry["authorization"] in ("visitor", "app"), name
        if method == "POST":
            assert "content-type" in headers, name
    assert seen == set(CONTRACT), set(CONTRACT) - seen


def test_customer_calls_run_as_the_visitor_and_staff_calls_as_the_app(studio):
    run_every_endpoint(studio)
    by_name = {}
    for entry in recorder.requests:
        by_name.setdefault(endpoint_of(entry), set()).add(entry["authorization"])
    for name in ("slots", "slot", "events", "create", "msb_create", "msb_reschedule", "reschedule", "participants"):
        assert by_name[name] == {"visitor"} or "visitor" in by_name[name], name
    for name in ("confirm_or_decline", "confirm", "decline", "pending", "anon_token", "extended", "site"):
        assert by_name[name] == {"app"}, name


def test_create_sends_the_fields_of_wixs_examples(studio):
    backend = get_backend()
    backend.create_booking(appointment(studio["massage"], studio["ana"], 2, 9))
    [create] = [r for r in recorder.requests if endpoint_of(r) == "create"]
    ours = keys(create["body"])
    documented = keys(sample("04-create-booking-appointment-request.json"))
    # Wix's example also sends a legacy additionalFields, the resource's schedule id, tags and title (read-only).
    left_out = {"booking.additionalFields", "booking.bookedEntity.slot.resource.scheduleId",
                "booking.bookedEntity.tags", "booking.bookedEntity.title", "participantNotification",
                "participantNotification.notifyParticipants", "sendSmsReminder", "flowControlSettings",
                "flowControlSettings.skipAvailabilityValidation", "flowControlSettings.skipBusinessConfirmation",
                "flowControlSettings.skipSelectedPaymentOptionValidation",
                "booking.bookedEntity.slot.location", "booking.bookedEntity.slot.location.formattedAddress",
                "booking.bookedEntity.slot.location.id", "booking.bookedEntity.slot.location.locationType",
                "booking.bookedEntity.slot.location.name"}
    assert documented - left_out <= ours, documented - left_out - ours
    assert create["body"]["booking"]["bookedEntity"]["slot"]["startDate"].endswith("Z")


# The sandbox answers in the examples' shapes: (example, how to get the sandbox's answer, keys it may leave out).
NOT_SERVED = {
    "services": {"media", "media.items", "media.mainMedia", "media.mainMedia.image", "conferencing",
                 "conferencing.enabled", "supportedSlugs", "urls", "sortOrder", "payment.pricingPlansIds",
                 "bookingPolicy.revision", "bookingPolicy.createdDate", "bookingPolicy.updatedDate",
                 "bookingPolicy.default", "bookingPolicy.waitlistPolicy", "bookingPolicy.resourcesPolicy",
                 "mainSlug.createdDate"},
    "booking": {"additionalFields[]", "createdBy", "createdBy.identityType", "createdBy.wixUserId",
                "bookedEntity.slot.resource.scheduleId", "bookedEntity.slot.sessionId", "contactDetails.contactId",
                "bookingSource", "participantNotification", "flowControlSettings", "numberOfParticipants",
                "contactDetails.timeZone", "contactDetails.countryCode", "bookedEntity.slot.resource.email"},
}


def _missing(sample_body, ours, group) -> set[str]:
    ignored = NOT_SERVED[group]

    def bare(key: str) -> str:
        for prefix in ("services[].", "booking."):
            key = key.removeprefix(prefix)
        return key

    return {k for k in keys(sample_body) - keys(ours)
            if not any(bare(k) == i or bare(k).startswith((i + ".", i + "[")) for i in ignored)}


def test_the_sandbox_answers_with_the_keys_of_wixs_examples(studio):
    backend = get_backend()
    client = backend.client
    massage, ana = studio["massage"], studio["ana"]
    services = client.read("/bookings/v2/services/query", {"query": {"filter": {"id": str(massage.pk)}}})
    expected = {"services": [sample("01-query-services-response.json")["services"][0]]}
    assert not _missing({"services": expected["services"]}, services, "services")
    listed = client.read(f"{V}/time-slots", {"serviceId": str(massage.pk), "fromLocalDate": "2026-03-02T00:00:00",
                                             "toLocalDate": "2026-03-03T00:00:00", "timeZone": "America/New_York",
                                             "includeResourceTypeIds": ["1cd44cf8-756f-41c3-bd90-3e2ffcaf1155"],
                                             "cursorPaging": {"limit": 2}})
    assert not keys(sample("02-list-availability-time-slots-with-resources-response.json")) - keys(listed)
    one = client.read(f"{V}/time-slots/get", {"serviceId": str(massage.pk), "localStartDate": "2026-03-02T09:00:00",
                                              "localEndDate": "2026-03-02T10:00:00", "timeZone": "America/New_York"})
    assert not keys(sample("02-get-availability-time-slot-response.json")) - keys(one)
    created = client.write("/bookings/v2/bookings", {
        "booking": {"bookedEntity": {"slot": {"serviceId": str(massage.pk), "scheduleId": f"service-{massage.pk}",
                                              "startDate": "2026-03-02T14:00:00.000Z",
                                              "endDate": "2026-03-02T15:00:00.000Z", "timezone": "America/New_York",
                                              "resource": {"id": str(ana.pk), "name": ana.name}}},
                    "contactDetails": {"firstName": "Ada", "email": "ada@example.com"},
                    "selectedPaymentOption": "OFFLINE"},
        "formSubmission": ANSWERS})
    assert not _missing(sample("04-create-booking-appointment-response.json"), created, "booking")
    booking_id = created["booking"]["id"]
    decided = client.write(f"/bookings/v2/confirmation/{booking_id}:confirmOrDecline", {"paymentStatus": "NOT_PAID"},
                           identity=auth.Identity.APP)
    assert not _missing(sample("05-confirm-or-decline-booking-paid-response.json"), decided, "booking")
    extended = client.read("/_api/bookings-reader/v2/extended-bookings/query",
                           {"query": {"filter": {"id": {"$in": [booking_id]}}}}, identity=auth.Identity.APP)
    example = sample("08-query-extended-bookings-response.json")
    example = {"extendedBookings": [{"booking": example["extendedBookings"][0]["booking"]}]}
    assert not {k for k in _missing(example, extended, "booking")
                if not k.startswith("extendedBookings[].booking.")} - {"extendedBookings[].booking"}
    inner = _missing(example["extendedBookings"][0]["booking"], extended["extendedBookings"][0]["booking"], "booking")
    assert not inner
    canceled = client.write(f"{W}/bookings/{booking_id}/cancel",
                            {"bookingId": booking_id, "revision": decided["booking"]["revision"]})
    assert not _missing(sample("06-cancel-booking-response.json"), canceled, "booking")
