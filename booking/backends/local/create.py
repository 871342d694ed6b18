"""The local engine's Create Booking: where a request goes (placement), the checks it passes, and the insert.

A request is checked in two halves. What needs no lock (the policy, the participants, the payment option, the
form) is checked first; then, in one transaction, the locks its capacity needs are taken (the staff rows in
primary-key order for an appointment, the session row for a class, the service row for a course; on SQLite the
IMMEDIATE transaction serialises writers instead), the capacity is checked under them and the booking inserted.
Reschedules, bulk create and packages reuse these halves.
"""

from datetime import UTC, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from booking import availability, models
from booking.errors import (
    BookingPolicyViolation,
    FailedPrecondition,
    InvalidArgument,
    PermissionDenied,
    SlotNotAvailable,
)
from booking.forms import BookingDetailsForm
from booking.ids import parse_int_id
from booking.port import (
    Booking,
    Caller,
    ContactDetails,
    CreateBookingRequest,
    FlowControlSettings,
    PaymentStatus,
    RateType,
    SelectedPaymentOption,
    ServiceType,
)
from booking.states import confirm_or_decline_outcome, record, record_settled_on_creation

from . import convert
from .catalog import appointment_service, get_business_info, get_form_summary, get_service
from .classes import course_participants, course_violations, lock_course, lock_session, session_places_left
from .lifecycle import actor_for, check_payment_status
from .locks import lock_staff, overlap_refused, parse_submission_key, places_message
from .slots import calendars, free_starts


def create_booking(
    request: CreateBookingRequest,
    *,
    caller: Caller = Caller.CUSTOMER,
    flow_control_settings: FlowControlSettings | None = None,
    submission_key: str | None = None,
) -> Booking:
    flow = create_flow(caller, flow_control_settings)
    key = parse_submission_key(submission_key)
    return create(request, prepare(request, caller, flow), caller, flow, key=key)


def create_and_settle_booking(request: CreateBookingRequest, *, payment_status: PaymentStatus,
                              submission_key: str | None = None) -> Booking:
    """Create Booking and Confirm Or Decline Booking at once, for a customer's booking settled as it is made (free,
    or paid at the visit). The capacity checked under the locks to create it is all the confirmation would check a
    moment later (bookings, time off and sessions in the way, or places left), so the booking is inserted settled,
    in one transaction: half the locks, checks and writes of the two calls. Its trail and events are still theirs
    (booking.states.record_settled_on_creation)."""
    check_payment_status(payment_status)
    flow = FlowControlSettings()
    key = parse_submission_key(submission_key)
    return create(request, prepare(request, Caller.CUSTOMER, flow), Caller.CUSTOMER, flow, key=key,
                  settled_with=payment_status)


def create_flow(caller, flow) -> FlowControlSettings:
    flow = flow or FlowControlSettings()
    if flow.any and caller is not Caller.STAFF:
        raise PermissionDenied("Only the business's staff may skip booking checks.")
    return flow


def prepare(request, caller, flow):
    """Everything Create Booking checks before it locks: (service, lock, place, checked request)."""
    service, lock, place = placement(request, caller, flow)
    return service, lock, place, check_request(service, request, flow)


def create(request, prepared, caller, flow, *, key=None, settled_with: PaymentStatus | None = None) -> Booking:
    """Take the locks, check the capacity under them and insert the booking: CREATED, or settled with the
    payment status `settled_with`."""
    service, lock, place, checked = prepared
    try:
        with transaction.atomic():
            lock()
            # Looked up under the lock, so a second submit waits for the first and then finds its booking.
            if key and (existing := models.Booking.objects.filter(submission_key=key).first()):
                return convert.booking(existing)
            booking = insert(service, request, checked, flow, caller, key=key, settled_with=settled_with,
                             **place())
    except IntegrityError as error:
        if overlap_refused(error):  # a booking inserted settled holds its staff member at once
            raise SlotNotAvailable() from error
        # A safety net: the lookup under the lock finds an earlier submit, but should two ever slip past it,
        # the unique key lets one through and the other gets that booking.
        existing = models.Booking.objects.filter(submission_key=key).first() if key else None
        if existing is None:
            raise
        return convert.booking(existing)
    return convert.booking(booking)


def check_request(service, request, flow) -> tuple[ContactDetails, dict]:
    """The checks that need no lock: participants, payment option and the form; (contact, submission)."""
    if request.participants_choices:
        raise InvalidArgument("This service has no options to choose participants by.",
                              code="INVALID_SERVICE_CHOICES")
    check_participants(service, request.total_participants)
    check_payment_option(service, request.selected_payment_option, flow)
    return check_submission(service, request)


def insert(service, request, checked, flow, caller, *, key, settled_with=None, **placed) -> models.Booking:
    contact, submission = checked
    settled_fields = {}
    if settled_with is not None:
        # Checked under the lock a moment ago: no conflict, so the decision table leaves approval to decide.
        status, _ = confirm_or_decline_outcome(
            conflict=False, payment_status=settled_with,
            requires_approval=service.require_manual_approval and not flow.skip_business_confirmation)
        settled_fields = {"status": status, "payment_status": settled_with, "revision": 2}
    booking = models.Booking.objects.create(
        service=service,
        time_zone=(request.slot or request.schedule).timezone,
        total_participants=request.total_participants,
        first_name=contact.first_name,
        last_name=contact.last_name,
        email=contact.email,
        phone=contact.phone,
        form_submission=submission,
        selected_payment_option=request.selected_payment_option,
        price=service.price if service.rate_type in (RateType.FIXED, RateType.VARIED) else None,
        currency=get_business_info().currency,
        skip_availability_validation=flow.skip_availability_validation,
        skip_business_confirmation=flow.skip_business_confirmation,
        submission_key=key,
        **settled_fields,
        **placed,
    )
    # Its staff member is one of the service's, read with it: the booking's page names them without a query.
    named = next((m for m in service.active_staff if m.pk == booking.staff_id), None)
    if named is not None:
        booking.staff = named
    if settled_with is None:
        record(booking, "created", actor=actor_for(caller))
    else:
        record_settled_on_creation(booking, created_by=actor_for(caller))
    return booking


def placement(request, caller, flow):
    """(service, lock, place) for what the request books: `lock()` takes the locks its capacity needs and
    `place()`, run under them, checks the capacity and returns the booking's time, staff and place fields."""
    if (request.slot is None) == (request.schedule is None):
        raise InvalidArgument("Book either a time slot or a course schedule.", code="VALIDATION_FAILURE")
    if request.schedule is not None:
        return course_placement(request.schedule, request, caller, flow)
    if request.slot.event_id:
        return class_placement(request.slot, request, caller, flow)
    return appointment_placement(request.slot, caller, flow)


def appointment_placement(slot, caller, flow, *, off_grid=False, exclude_bookings=None):
    """`off_grid` lets the start fall between the service's slot starts, as a package's later parts do;
    `exclude_bookings` are bookings being moved, whose present times do not stand in their own way."""
    service = appointment_service(slot.service_id)
    start, end = slot.start_date.astimezone(UTC), slot.end_date.astimezone(UTC)
    if end - start != timedelta(minutes=service.duration_minutes):
        raise InvalidArgument("The time does not match the length of this service.", code="VALIDATION_FAILURE")
    if caller is Caller.CUSTOMER:
        check_policy(service, start)
    staff_ids = [s.pk for s in service.active_staff]
    if slot.resource is not None:
        if parse_int_id(slot.resource.id) not in staff_ids:
            raise InvalidArgument("That staff member does not offer this service.", code="INVALID_RESOURCE")
        staff_ids = [parse_int_id(slot.resource.id)]
    if flow.skip_availability_validation and slot.resource is None:
        raise FailedPrecondition(
            "Choose a staff member to book without checking availability.",
            code="CAN_NOT_SKIP_AVAILABILITY_VALIDATION_IF_RESOURCE_NOT_PROVIDED",
        )

    def place():
        if flow.skip_availability_validation:
            staff_id = staff_ids[0]
        elif off_grid:
            staff_calendars, rules = calendars(service, start, start + timedelta(seconds=1),
                                               [str(i) for i in staff_ids], exclude_bookings=exclude_bookings)
            free = availability.free_staff_at(staff_calendars, rules, start)
            if not free:
                raise SlotNotAvailable()
            staff_id = int(free[0])
        else:
            free = free_starts(service, start, start + timedelta(seconds=1), [str(i) for i in staff_ids],
                               exclude_bookings=exclude_bookings)
            if not free:
                raise SlotNotAvailable()
            staff_id = int(free[0][1][0].id)
        return {
            "start": start, "end": end, "staff_id": staff_id, "any_staff": slot.resource is None,
            "occupied_until": end + timedelta(minutes=service.time_between_sessions),
            "location": service.location_list[0] if service.location_list else None,
        }

    return service, lambda: lock_staff(staff_ids), place


def class_placement(slot, request, caller, flow):
    service = get_service(slot.service_id)
    if service.type != ServiceType.CLASS:
        raise InvalidArgument("Only class sessions are booked by event.", code="VALIDATION_FAILURE")
    locked = {}

    def lock():
        locked["session"] = session = lock_session(service, slot.event_id)
        if caller is Caller.CUSTOMER:
            check_policy(service, session.start)

    def place():
        session = locked["session"]
        if session.cancelled and not flow.skip_availability_validation:
            raise FailedPrecondition("This session has been cancelled.", code="SESSION_NOT_FOUND")
        left = session_places_left(session, timezone.now())
        if request.total_participants > left and not flow.skip_availability_validation:
            raise FailedPrecondition(places_message(left, "session"), code="SESSION_CAPACITY_EXCEEDED")
        return {"start": session.start, "end": session.end, "occupied_until": session.end,
                "session": session, "location_id": session.location_id}

    return service, lock, place


def course_placement(schedule, request, caller, flow):
    service = get_service(schedule.service_id)
    if service.type != ServiceType.COURSE:
        raise InvalidArgument("Only courses are booked as a whole schedule.", code="VALIDATION_FAILURE")
    locked = {}

    def lock():
        locked["sessions"] = held = lock_course(service)
        if caller is Caller.CUSTOMER:
            check_course_policy(service, held)

    def place():
        held = locked["sessions"]
        left = service.default_capacity - course_participants(service, timezone.now())
        if request.total_participants > left and not flow.skip_availability_validation:
            raise FailedPrecondition(places_message(left, "course"), code="SCHEDULE_CAPACITY_EXCEEDED")
        return {"start": held[0].start, "end": held[-1].end, "occupied_until": held[-1].end,
                "location_id": held[0].location_id}

    return service, lock, place


# ---- checks --------------------------------------------------------------------------------------------

def check_participants(service, total):
    if total < 1:
        raise InvalidArgument("A booking is for at least one participant.")
    limit = service.booking_policy.max_participants_per_booking if service.booking_policy else 1
    if total > max(limit, 1):
        raise BookingPolicyViolation(f"At most {limit} participants can be booked at once.")


def check_payment_option(service, option, flow):
    if option not in SelectedPaymentOption:  # skipping the check below still takes one of Wix's options
        raise InvalidArgument(f"Unknown payment option {option!r}.", code="INVALID_PAYMENT_OPTION")
    allowed = convert.payment_options(service)
    if option not in allowed and not flow.skip_selected_payment_option_validation:
        raise InvalidArgument("This service cannot be paid that way.", code="INVALID_PAYMENT_OPTION")


def check_policy(service, start):
    violations = availability.policy_violations(start, timezone.now(), convert.policy_rules(service))
    if violations.book_online_disabled:
        raise BookingPolicyViolation("This service cannot be booked online.", data={"bookOnlineDisabled": True})
    if violations.too_late_to_book:
        raise BookingPolicyViolation("It is too late to book this time.", data={"tooLateToBook": True})
    if violations.too_early_to_book:
        raise BookingPolicyViolation(
            "It is too early to book this time.",
            data={"tooEarlyToBook": True, "earliestBookingDate": violations.earliest_booking_date.isoformat()},
        )


def check_course_policy(service, held_sessions):
    violations = course_violations(service, held_sessions, timezone.now())
    if violations.book_online_disabled:
        raise BookingPolicyViolation("This course cannot be booked online.", data={"bookOnlineDisabled": True})
    if violations.too_late_to_book:
        raise BookingPolicyViolation("This course has already started.", data={"tooLateToBook": True})
    if violations.too_early_to_book:
        raise BookingPolicyViolation("It is too early to book this course.", data={"tooEarlyToBook": True})


def check_submission(service, request) -> tuple[ContactDetails, dict]:
    summary = get_form_summary(convert.form_id(service))
    form = BookingDetailsForm(summary, data=request.form_submission)
    if not form.is_valid():
        violations = {field: " ".join(errors) for field, errors in form.errors.items()}
        raise InvalidArgument("Some answers in the booking form are missing or not valid.",
                              code="VALIDATION_FAILURE", field_violations=violations)
    submission = form.submission()
    contact = ContactDetails(
        first_name=submission.get("first_name", request.contact_details.first_name),
        last_name=submission.get("last_name", request.contact_details.last_name),
        email=submission.get("email", request.contact_details.email),
        phone=submission.get("phone", request.contact_details.phone),
    )
    if not contact.first_name or not contact.email:
        raise InvalidArgument("A booking needs the customer's first name and email.", code="VALIDATION_FAILURE")
    return contact, submission
