"""The local engine's changes to what a booking is for: reschedule, number of participants, and bulk create
(wix-api.md §5.3, §5.8, §5.9); packages.py moves a package's parts with the reschedule made here.

Like the lifecycle operations, each change is one `booking.states.transition()`: the booking row is locked first,
then the staff rows or the session/course row whose capacity the change takes, as Create Booking takes them.
"""

from django.utils import timezone

from booking.errors import (
    BookingPolicyViolation,
    BookingsError,
    FailedPrecondition,
    InvalidArgument,
    PermissionDenied,
)
from booking.port import (
    Booking,
    BookingStatus,
    BulkCreateResult,
    Caller,
    CreateBookingRequest,
    FlowControlSettings,
    RescheduleFlowControlSettings,
    ServiceType,
    Slot,
)
from booking.states import CONFIRMED, PENDING

from . import convert
from .catalog import get_service
from .classes import check_places, lock_session, session_places_left
from .create import appointment_placement, check_participants, check_policy, create, create_flow, prepare
from .lifecycle import actor_for, allowed, save_transition
from .locks import places_message

MAX_BULK = 8  # Wix's limit for Bulk Create Booking


# ---- reschedule -----------------------------------------------------------------------------------------

def reschedule_booking(
    booking_id: str,
    *,
    slot: Slot,
    revision: int,
    total_participants: int | None = None,
    caller: Caller = Caller.CUSTOMER,
    flow_control_settings: RescheduleFlowControlSettings | None = None,
) -> Booking:
    flow = reschedule_flow(caller, flow_control_settings)
    decide = rescheduler(slot, total_participants, caller, flow)
    booking = save_transition(booking_id, "rescheduled", actor=actor_for(caller), revision=revision,
                              decide=decide, reason=previous_time)
    return convert.booking(booking)


def reschedule_flow(caller, flow):
    flow = flow or RescheduleFlowControlSettings()
    if flow.any and caller is not Caller.STAFF:
        raise PermissionDenied("Only the business's staff may skip rescheduling checks.")
    return flow


def rescheduler(slot, total_participants, caller, flow, *, off_grid=False, moving=()):
    """The `decide` of a reschedule: checks the policy and the new time's capacity under the locks, and returns
    the booking's new time, place, staff or session, and status. `moving` are other bookings moved in the same
    transaction (a package's parts), whose present times do not count against this one."""

    def decide(booking):
        service = booking.service
        if service.type == ServiceType.COURSE:
            raise FailedPrecondition("A course cannot be moved to other dates; cancel it instead.",
                                     code="BOOKING_CANNOT_BE_RESCHEDULED")
        if slot.service_id != str(service.pk):
            raise InvalidArgument("A booking moves to another time of the same service.",
                                  code="VALIDATION_FAILURE")
        if not flow.ignore_reschedule_policy and not allowed(booking, timezone.now()).reschedule:
            raise BookingPolicyViolation("This booking can no longer be rescheduled online.",
                                         code="BOOKING_CANNOT_BE_RESCHEDULED")
        participants = booking.total_participants if total_participants is None else total_participants
        if participants != booking.total_participants:
            check_participants(get_service(str(service.pk)), participants)
        create_flow = FlowControlSettings(skip_availability_validation=flow.skip_availability_validation)
        if service.type == ServiceType.CLASS:
            placed = class_move(booking, slot, participants, caller, create_flow)
        else:
            placed = appointment_move(booking, slot, caller, create_flow, off_grid, moving)
        # A booking that follows its own session to the session's new time keeps its status: nobody chose
        # another time that would need the business's approval again.
        follows = placed["session"] is not None and placed["session"].pk == booking.session_id
        # A double-booked booking moved to a time checked free holds it cleanly again; forced, it stays flagged.
        double_booked = booking.double_booked and (follows or flow.skip_availability_validation)
        return {**placed, "total_participants": participants, "double_booked": double_booked,
                "skip_availability_validation": flow.skip_availability_validation,
                "status": booking.status if follows else _status_after_move(booking, flow)}

    return decide


def appointment_move(booking, slot, caller, flow, off_grid, moving):
    if slot.event_id:
        raise InvalidArgument("An appointment moves to a time, not to a class session.", code="VALIDATION_FAILURE")
    _, lock, place = appointment_placement(slot, caller, flow, off_grid=off_grid,
                                           exclude_bookings=[booking.pk, *moving])
    lock()
    return {**place(), "session": None}


def class_move(booking, slot, participants, caller, flow):
    if not slot.event_id:
        raise InvalidArgument("A class booking moves to another session of the class.", code="VALIDATION_FAILURE")
    session = lock_session(booking.service, slot.event_id)
    # The same session is allowed only once staff moved it: the booking then follows it to its new time.
    same = session.pk == booking.session_id
    if same and (session.start, session.end) == (booking.start, booking.end):
        raise InvalidArgument("This booking is already for that session.", code="VALIDATION_FAILURE")
    if caller is Caller.CUSTOMER:
        check_policy(get_service(str(booking.service_id)), session.start)
    if not flow.skip_availability_validation:
        if session.cancelled:
            raise FailedPrecondition("This session has been cancelled.", code="SESSION_NOT_FOUND")
        # Following its own session takes no place the booking does not have already.
        left = booking.total_participants if same else session_places_left(session, timezone.now())
        if participants > left:
            raise FailedPrecondition(places_message(left, "session"), code="SESSION_CAPACITY_EXCEEDED")
    return {"session": session, "start": session.start, "end": session.end, "occupied_until": session.end,
            "location_id": session.location_id}


# ---- participants -----------------------------------------------------------------------------------------

def update_number_of_participants(
    booking_id: str, *, revision: int, total_participants: int, caller: Caller = Caller.CUSTOMER
) -> Booking:
    def decide(booking):
        service = get_service(str(booking.service_id))
        if booking.session_id is None and service.type != ServiceType.COURSE:
            raise InvalidArgument("Only class and course bookings are for a number of participants.",
                                  code="VALIDATION_FAILURE")
        if caller is Caller.CUSTOMER and not allowed(booking, timezone.now()).cancel:
            raise BookingPolicyViolation("This booking can no longer be changed online.")
        check_participants(service, total_participants)
        more = total_participants > booking.total_participants
        booking.total_participants = total_participants
        if more and not booking.skip_availability_validation and check_places(booking)["conflict"]:
            what = "session" if booking.session_id else "course"
            raise FailedPrecondition(
                f"There are not enough places left in this {what} for {total_participants} people.",
                code="SESSION_CAPACITY_EXCEEDED" if booking.session_id else "SCHEDULE_CAPACITY_EXCEEDED",
            )
        return {"total_participants": total_participants}

    booking = save_transition(
        booking_id, "number_of_participants_updated", actor=actor_for(caller), revision=revision, decide=decide,
        reason=lambda b: f"from {b.total_participants} participant{'s' if b.total_participants != 1 else ''}",
    )
    return convert.booking(booking)


# ---- bulk create -----------------------------------------------------------------------------------------

def bulk_create_booking(
    requests: list[CreateBookingRequest],
    *,
    caller: Caller = Caller.STAFF,
    flow_control_settings: FlowControlSettings | None = None,
) -> list[BulkCreateResult]:
    """Malformed items fail the call before anything is made; the others are booked one by one, and those
    that cannot be had now are skipped and reported."""
    if not 1 <= len(requests) <= MAX_BULK:
        raise InvalidArgument(f"Create between 1 and {MAX_BULK} bookings at once.")
    flow = create_flow(caller, flow_control_settings)
    prepared, refused = {}, {}
    for index, request in enumerate(requests):
        try:
            prepared[index] = prepare(request, caller, flow)
        except InvalidArgument:
            raise
        except BookingsError as error:
            refused[index] = error
    results = []
    for index, request in enumerate(requests):
        if index in prepared:
            try:
                booking = create(request, prepared[index], caller, flow)
                results.append(BulkCreateResult(original_index=index, booking=booking))
                continue
            except BookingsError as error:
                refused[index] = error
        results.append(BulkCreateResult(original_index=index, error_code=refused[index].code,
                                        error_message=refused[index].message))
    return results


def _status_after_move(booking, flow) -> BookingStatus:
    """A booking that held its time needs the business's approval again after a move, unless staff skip it (Wix:
    skipBusinessConfirmation makes it CONFIRMED); a booking still waiting (CREATED, WAITING_LIST) stays so."""
    if booking.status not in (CONFIRMED, PENDING):
        return booking.status
    if booking.service.require_manual_approval and not flow.skip_business_confirmation:
        return PENDING
    return CONFIRMED


def previous_time(booking) -> str:
    where = f" with staff {booking.staff_id}" if booking.staff_id else ""
    return f"from {booking.start.isoformat()}{where}"
