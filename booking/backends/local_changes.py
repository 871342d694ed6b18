"""The local engine's changes to what a booking is for: reschedule, number of participants, bulk create, and
moving or growing a package (wix-api.md §5.3, §5.8, §5.9, §5.12).

Like the lifecycle operations, each change is one `booking.states.transition()`: the booking row is locked first,
then the staff rows or the session/course row whose capacity the change takes, as Create Booking takes them.
"""

from django.db import transaction
from django.utils import timezone

from booking import models
from booking.errors import (
    BookingPolicyViolation,
    BookingsError,
    FailedPrecondition,
    InvalidArgument,
    PermissionDenied,
)
from booking.ids import parse_uuid
from booking.models.catalog import ServiceType
from booking.port import (
    BulkCreateResult,
    Caller,
    FlowControlSettings,
    RescheduleFlowControlSettings,
    ServiceSelection,
)
from booking.states import ACTIVE, CONFIRMED, PENDING, lock_booking

from . import local_convert as convert
from .local_lifecycle import actor_for
from .local_locks import places_message
from .local_packages import MAX_SERVICES, MIN_SERVICES

MAX_BULK = 8  # Wix's limit for Bulk Create Booking


class ChangesMixin:
    # ---- reschedule -----------------------------------------------------------------------------------------

    def reschedule_booking(self, booking_id, *, slot, revision, total_participants=None, caller=Caller.CUSTOMER,
                           flow_control_settings=None):
        flow = self._reschedule_flow(caller, flow_control_settings)
        decide = self._rescheduler(slot, total_participants, caller, flow)
        booking = self._save_transition(booking_id, "rescheduled", actor=actor_for(caller), revision=revision,
                                        decide=decide, reason=_previous_time)
        return convert.booking(booking)

    def _reschedule_flow(self, caller, flow):
        flow = flow or RescheduleFlowControlSettings()
        if flow.any and caller is not Caller.STAFF:
            raise PermissionDenied("Only the business's staff may skip rescheduling checks.")
        return flow

    def _rescheduler(self, slot, total_participants, caller, flow, *, off_grid=False, moving=()):
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
            if not flow.ignore_reschedule_policy and not self._allowed(booking, timezone.now()).reschedule:
                raise BookingPolicyViolation("This booking can no longer be rescheduled online.",
                                             code="BOOKING_CANNOT_BE_RESCHEDULED")
            participants = booking.total_participants if total_participants is None else total_participants
            if participants != booking.total_participants:
                self._check_participants(self._service(str(service.pk)), participants)
            create_flow = FlowControlSettings(skip_availability_validation=flow.skip_availability_validation)
            if service.type == ServiceType.CLASS:
                placed = self._class_move(booking, slot, participants, caller, create_flow)
            else:
                placed = self._appointment_move(booking, slot, caller, create_flow, off_grid, moving)
            # A booking that follows its own session to the session's new time keeps its status: nobody chose
            # another time that would need the business's approval again.
            follows = placed["session"] is not None and placed["session"].pk == booking.session_id
            return {**placed, "total_participants": participants,
                    "skip_availability_validation": flow.skip_availability_validation,
                    "status": booking.status if follows else _status_after_move(booking, flow)}

        return decide

    def _appointment_move(self, booking, slot, caller, flow, off_grid, moving):
        if slot.event_id:
            raise InvalidArgument("An appointment moves to a time, not to a class session.", code="VALIDATION_FAILURE")
        _, lock, place = self._appointment_placement(slot, caller, flow, off_grid=off_grid,
                                                     exclude_bookings=[booking.pk, *moving])
        lock()
        return {**place(), "session": None}

    def _class_move(self, booking, slot, participants, caller, flow):
        if not slot.event_id:
            raise InvalidArgument("A class booking moves to another session of the class.", code="VALIDATION_FAILURE")
        session = self._lock_session(booking.service, slot.event_id)
        # The same session is allowed only once staff moved it: the booking then follows it to its new time.
        same = session.pk == booking.session_id
        if same and (session.start, session.end) == (booking.start, booking.end):
            raise InvalidArgument("This booking is already for that session.", code="VALIDATION_FAILURE")
        if caller is Caller.CUSTOMER:
            self._check_policy(self._service(str(booking.service_id)), session.start)
        if not flow.skip_availability_validation:
            if session.cancelled:
                raise FailedPrecondition("This session has been cancelled.", code="SESSION_NOT_FOUND")
            # Following its own session takes no place the booking does not have already.
            left = booking.total_participants if same else self._session_places_left(session, timezone.now())
            if participants > left:
                raise FailedPrecondition(places_message(left, "session"), code="SESSION_CAPACITY_EXCEEDED")
        return {"session": session, "start": session.start, "end": session.end, "occupied_until": session.end,
                "location_id": session.location_id}

    # ---- participants -----------------------------------------------------------------------------------------

    def update_number_of_participants(self, booking_id, *, revision, total_participants, caller=Caller.CUSTOMER):
        def decide(booking):
            service = self._service(str(booking.service_id))
            if booking.session_id is None and service.type != ServiceType.COURSE:
                raise InvalidArgument("Only class and course bookings are for a number of participants.",
                                      code="VALIDATION_FAILURE")
            if caller is Caller.CUSTOMER and not self._allowed(booking, timezone.now()).cancel:
                raise BookingPolicyViolation("This booking can no longer be changed online.")
            self._check_participants(service, total_participants)
            more = total_participants > booking.total_participants
            booking.total_participants = total_participants
            if more and not booking.skip_availability_validation and self._check_places(booking)["conflict"]:
                what = "session" if booking.session_id else "course"
                raise FailedPrecondition(
                    f"There are not enough places left in this {what} for {total_participants} people.",
                    code="SESSION_CAPACITY_EXCEEDED" if booking.session_id else "SCHEDULE_CAPACITY_EXCEEDED",
                )
            return {"total_participants": total_participants}

        booking = self._save_transition(
            booking_id, "number_of_participants_updated", actor=actor_for(caller), revision=revision, decide=decide,
            reason=lambda b: f"from {b.total_participants} participant{'s' if b.total_participants != 1 else ''}",
        )
        return convert.booking(booking)

    # ---- bulk create -----------------------------------------------------------------------------------------

    def bulk_create_booking(self, requests, *, caller=Caller.STAFF, flow_control_settings=None):
        """Malformed items fail the call before anything is made; the others are booked one by one, and those
        that cannot be had now are skipped and reported."""
        if not 1 <= len(requests) <= MAX_BULK:
            raise InvalidArgument(f"Create between 1 and {MAX_BULK} bookings at once.")
        flow = self._create_flow(caller, flow_control_settings)
        prepared, refused = {}, {}
        for index, request in enumerate(requests):
            try:
                prepared[index] = self._prepare(request, caller, flow)
            except InvalidArgument:
                raise
            except BookingsError as error:
                refused[index] = error
        results = []
        for index, request in enumerate(requests):
            if index in prepared:
                try:
                    booking = self._create(request, prepared[index], caller, flow)
                    results.append(BulkCreateResult(original_index=index, booking=booking))
                    continue
                except BookingsError as error:
                    refused[index] = error
            results.append(BulkCreateResult(original_index=index, error_code=refused[index].code,
                                            error_message=refused[index].message))
        return results

    # ---- packages ----------------------------------------------------------------------------------------------

    def reschedule_multi_service_booking(self, multi_service_booking_id, *, reschedule_bookings_info,
                                         caller=Caller.CUSTOMER, flow_control_settings=None):
        """All moves in one transaction; the package must still run back to back afterwards. Parts move in the
        direction of the shift (the last first when moving later), so that no part lands on a time another part
        holds until it moves in turn."""
        flow = self._reschedule_flow(caller, flow_control_settings)
        package = self.get_multi_service_booking(multi_service_booking_id)
        by_id = {b.id: b for b in package.bookings}
        if not reschedule_bookings_info:
            raise InvalidArgument("Say which bookings of the package move.")
        moves = {info.booking_id: info for info in reschedule_bookings_info}
        if len(moves) != len(reschedule_bookings_info) or not moves.keys() <= by_id.keys():
            raise InvalidArgument("Each booking moved must belong to this package, once.", code="VALIDATION_FAILURE")
        _check_sequence([(moves[b.id].slot.start_date, moves[b.id].slot.end_date) if b.id in moves
                         else (b.start_date, b.end_date) for b in package.bookings])
        order = [b.id for b in package.bookings if b.id in moves]
        later = moves[order[0]].slot.start_date > by_id[order[0]].start_date
        moving_pks = list(models.Booking.objects.filter(public_id__in=order).values_list("pk", flat=True))
        with transaction.atomic():
            for booking_id in reversed(order) if later else order:
                info = moves[booking_id]
                first = booking_id == package.bookings[0].id
                decide = self._rescheduler(info.slot, None, caller, flow, off_grid=not first, moving=moving_pks)
                self._save_transition(booking_id, "rescheduled", actor=actor_for(caller), revision=info.revision,
                                      decide=decide, reason=_previous_time)
        return self.get_multi_service_booking(multi_service_booking_id)

    def add_bookings_to_multi_service_booking(self, multi_service_booking_id, *, bookings, caller=Caller.STAFF):
        self._staff_only(caller)
        package = self.get_multi_service_booking(multi_service_booking_id)
        if not bookings:
            raise InvalidArgument("Say which bookings to add.")
        if len(package.bookings) + len(bookings) > MAX_SERVICES:
            raise InvalidArgument(f"A package has {MIN_SERVICES} to {MAX_SERVICES} services.")
        group = parse_uuid(package.id)
        with transaction.atomic():
            added = []
            for booking_id, revision in bookings:
                booking = lock_booking(booking_id)
                if booking.multi_service_booking is not None:
                    raise FailedPrecondition("That booking already belongs to a package.",
                                             code="BOOKING_ALREADY_IN_MULTI_SERVICE_BOOKING")
                if booking.service.type != ServiceType.APPOINTMENT or booking.status not in ACTIVE:
                    raise FailedPrecondition("Only active appointments can join a package.",
                                             code="VALIDATION_FAILURE")
                added.append((booking, revision))
            times = sorted([(b.start_date, b.end_date) for b in package.bookings]
                           + [(b.start, b.end) for b, _ in added])
            _check_sequence(times)
            self._package_services([_selection(b) for b in package.bookings]
                                   + [_selection(convert.booking(b)) for b, _ in added])
            for booking, revision in added:
                self._save_transition(str(booking.public_id), "updated", actor=actor_for(caller), revision=revision,
                                      multi_service_booking=group, reason="added to a package")
        return self.get_multi_service_booking(multi_service_booking_id)


def _status_after_move(booking, flow) -> str:
    """A booking that held its time needs the business's approval again after a move, unless staff skip it (Wix:
    skipBusinessConfirmation makes it CONFIRMED); a booking still waiting (CREATED, WAITING_LIST) stays so."""
    if booking.status not in (CONFIRMED, PENDING):
        return booking.status
    if booking.service.require_manual_approval and not flow.skip_business_confirmation:
        return PENDING
    return CONFIRMED


def _previous_time(booking) -> str:
    where = f" with staff {booking.staff_id}" if booking.staff_id else ""
    return f"from {booking.start.isoformat()}{where}"


def _check_sequence(times) -> None:
    """(start, end) pairs in package order must follow each other with no gap and no overlap."""
    for (_, end), (start, _) in zip(times, times[1:], strict=False):
        if start != end:
            raise InvalidArgument("The services of a package follow each other with no gap.",
                                  code="VALIDATION_FAILURE")


def _selection(booking) -> ServiceSelection:
    staff = booking.slot.resource
    return ServiceSelection(service_id=booking.service_id, resource_ids=(staff.id,) if staff else ())
