"""Bookings (Bookings Writer V2, §5) between Wix's JSON and the port's dataclasses, and the bodies of the calls
that create or move them."""

from booking import port as p
from booking.dates import parse_local_date, parse_time_zone
from booking.errors import InvalidArgument

from .shapes import (
    EXTENSION_NAMESPACE,
    instant,
    money,
    parse_location,
    participants,
    render_booking_location,
    render_instant,
    render_money,
    revision,
)


def slot_date(value, time_zone: str):
    """A booking slot's date: a UTC instant or one with an offset, or a local string in the slot's zone (§0)."""
    text = str(value or "")
    if text.endswith("Z") or "+" in text[10:] or text[10:].count("-"):
        return instant(text)
    return parse_local_date(text, parse_time_zone(time_zone or "UTC"))


def parse_slot(value: dict) -> p.Slot:
    timezone = value.get("timezone") or "UTC"
    resource = value.get("resource")
    if not value.get("startDate") and not value.get("eventId"):
        raise InvalidArgument("A slot needs its start and end, or a class session.", code="VALIDATION_FAILURE")
    start = slot_date(value.get("startDate"), timezone) if value.get("startDate") else None
    end = slot_date(value.get("endDate"), timezone) if value.get("endDate") else start
    return p.Slot(
        service_id=str(value.get("serviceId", "")),
        start_date=start,
        end_date=end,
        timezone=timezone,
        schedule_id=str(value.get("scheduleId") or ""),
        resource=p.Resource(id=str(resource.get("id", "")), name=resource.get("name", ""))
        if isinstance(resource, dict) and resource.get("id") else None,
        location=parse_location(value.get("location")),
        event_id=str(value.get("eventId") or value.get("sessionId") or ""),
    )


def render_slot(slot: p.Slot) -> dict:
    body = {"serviceId": slot.service_id, "scheduleId": slot.schedule_id,
            "startDate": render_instant(slot.start_date), "endDate": render_instant(slot.end_date),
            "timezone": slot.timezone}
    if slot.event_id:
        body["eventId"] = slot.event_id
    if slot.resource is not None:
        body["resource"] = {"id": slot.resource.id, "name": slot.resource.name}
    else:
        body["resourceSelections"] = [{"resourceTypeId": p.STAFF_RESOURCE_TYPE_ID, "selectionMethod": "ANY_RESOURCE"}]
    if slot.location is not None:
        body["location"] = render_booking_location(slot.location)
    return body


def parse_booking(value: dict) -> p.Booking:
    entity = value.get("bookedEntity") or {}
    if "schedule" in entity and "slot" not in entity:
        sched = entity["schedule"]
        start, end = instant(value.get("startDate") or sched.get("firstSessionStart")), instant(
            value.get("endDate") or sched.get("lastSessionEnd"))
        slot = p.Slot(service_id=str(sched.get("serviceId", "")), start_date=start, end_date=end,
                      timezone=sched.get("timezone") or "UTC", schedule_id=str(sched.get("scheduleId", "")),
                      location=parse_location(sched.get("location")))
    else:
        slot = parse_slot(entity.get("slot") or {})
        start, end = instant(value.get("startDate")) or slot.start_date, instant(value.get("endDate")) or slot.end_date
    contact = value.get("contactDetails") or {}
    extension = ((value.get("extendedFields") or {}).get("namespaces") or {}).get(EXTENSION_NAMESPACE) or {}
    created = instant(value.get("createdDate"))
    return p.Booking(
        id=str(value["id"]),
        service_id=slot.service_id,
        title=entity.get("title", ""),
        slot=slot,
        contact_details=p.ContactDetails(first_name=contact.get("firstName", ""),
                                         last_name=contact.get("lastName", ""), email=contact.get("email", ""),
                                         phone=contact.get("phone", "")),
        status=value.get("status", "CREATED"),
        payment_status=value.get("paymentStatus", "UNDEFINED"),
        selected_payment_option=value.get("selectedPaymentOption", "UNDEFINED"),
        total_participants=participants(value.get("totalParticipants", value.get("numberOfParticipants", 1))),
        revision=revision(value.get("revision")),
        start_date=start,
        end_date=end,
        created_date=created,
        updated_date=instant(value.get("updatedDate")) or created,
        form_submission=dict(extension.get("formSubmission") or {}),
        price=money(extension.get("price")),
        double_booked=bool(value.get("doubleBooked")),
    )


def render_booking(b: p.Booking, *, course: bool = False, external_user_id: str | None = None) -> dict:
    if course:
        entity = {"schedule": {"scheduleId": b.slot.schedule_id, "serviceId": b.service_id,
                               "timezone": b.slot.timezone, "firstSessionStart": render_instant(b.start_date),
                               "lastSessionEnd": render_instant(b.end_date),
                               "location": render_booking_location(b.slot.location)},
                  "tags": ["COURSE"]}
    else:
        slot = render_slot(b.slot)
        slot.pop("resourceSelections", None)
        entity = {"slot": slot, "tags": ["GROUP" if b.slot.event_id else "INDIVIDUAL"]}
    entity["title"] = b.title
    contact = b.contact_details
    body = {
        "id": b.id,
        "bookedEntity": entity,
        "contactDetails": {"firstName": contact.first_name, "lastName": contact.last_name, "email": contact.email,
                           "phone": contact.phone},
        "totalParticipants": b.total_participants,
        "status": b.status,
        "paymentStatus": b.payment_status,
        "selectedPaymentOption": b.selected_payment_option,
        "revision": str(b.revision),
        "createdDate": render_instant(b.created_date),
        "updatedDate": render_instant(b.updated_date),
        "startDate": render_instant(b.start_date),
        "endDate": render_instant(b.end_date),
        "externalUserId": external_user_id,
        "additionalFields": [],
        "extendedFields": {"namespaces": {EXTENSION_NAMESPACE: {"price": render_money(b.price),
                                                                "formSubmission": b.form_submission}}},
    }
    if b.double_booked:
        body["doubleBooked"] = True  # Wix returns it only when true (§9)
    return body


def render_create_request(request: p.CreateBookingRequest, *, external_user_id: str | None = None,
                          flow_control_settings: p.FlowControlSettings | None = None) -> dict:
    """The body of Create Booking (§5.2); also one item of Bulk Create and Create Multi-Service Booking."""
    if request.schedule is not None:
        s = request.schedule
        entity = {"schedule": {"scheduleId": s.schedule_id, "serviceId": s.service_id, "timezone": s.timezone}}
    elif request.slot is not None and request.slot.event_id:
        entity = {"slot": {"serviceId": request.slot.service_id, "eventId": request.slot.event_id}}
    else:
        entity = {"slot": render_slot(request.slot)}
    c = request.contact_details
    booking = {"bookedEntity": entity,
               "contactDetails": {"firstName": c.first_name, "lastName": c.last_name, "email": c.email,
                                  "phone": c.phone},
               "selectedPaymentOption": request.selected_payment_option}
    if request.participants_choices:
        booking["participantsChoices"] = {"serviceChoices": list(request.participants_choices)}
    else:
        booking["totalParticipants"] = request.total_participants
    if external_user_id:
        booking["externalUserId"] = external_user_id
    body = {"booking": booking, "formSubmission": dict(request.form_submission)}
    if flow_control_settings is not None and flow_control_settings.any:
        body["flowControlSettings"] = {
            "skipAvailabilityValidation": flow_control_settings.skip_availability_validation,
            "skipBusinessConfirmation": flow_control_settings.skip_business_confirmation,
            "skipSelectedPaymentOptionValidation": flow_control_settings.skip_selected_payment_option_validation,
        }
    return body


def parse_create_request(body: dict) -> tuple[p.CreateBookingRequest, p.FlowControlSettings, str]:
    """Create Booking's body as the port's request, its flow-control settings and its externalUserId."""
    booking = body.get("booking")
    if not isinstance(booking, dict):
        raise InvalidArgument("booking is required.", code="VALIDATION_FAILURE",
                              field_violations={"booking": "must be object"})
    entity = booking.get("bookedEntity") or {}
    contact = booking.get("contactDetails") or {}
    slot, schedule = None, None
    if isinstance(entity.get("schedule"), dict):
        s = entity["schedule"]
        schedule = p.BookedSchedule(service_id=str(s.get("serviceId", "")), schedule_id=str(s.get("scheduleId", "")),
                                    timezone=s.get("timezone") or "UTC")
    elif isinstance(entity.get("slot"), dict):
        raw = entity["slot"]
        if raw.get("eventId") and not raw.get("startDate"):
            slot = p.Slot(service_id=str(raw.get("serviceId", "")), start_date=None, end_date=None, timezone="",
                          event_id=str(raw["eventId"]))
        else:
            slot = parse_slot(raw)
    else:
        raise InvalidArgument("bookedEntity needs a slot or a schedule.", code="VALIDATION_FAILURE",
                              field_violations={"booking.bookedEntity": "must have a slot or a schedule"})
    flow = body.get("flowControlSettings") or {}
    choices = (booking.get("participantsChoices") or {}).get("serviceChoices") or ()
    request = p.CreateBookingRequest(
        slot=slot,
        schedule=schedule,
        contact_details=p.ContactDetails(first_name=contact.get("firstName", ""),
                                         last_name=contact.get("lastName", ""),
                                         email=contact.get("email", ""), phone=contact.get("phone", "")),
        form_submission=dict(body.get("formSubmission") or {}),
        total_participants=participants(booking.get("totalParticipants", 1)),
        selected_payment_option=booking.get("selectedPaymentOption") or "UNDEFINED",
        participants_choices=tuple(choices),
    )
    settings = p.FlowControlSettings(
        skip_availability_validation=bool(flow.get("skipAvailabilityValidation")),
        skip_business_confirmation=bool(flow.get("skipBusinessConfirmation")),
        skip_selected_payment_option_validation=bool(flow.get("skipSelectedPaymentOptionValidation")),
    )
    return request, settings, str(booking.get("externalUserId") or "")
