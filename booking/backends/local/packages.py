"""The local engine's multi-service packages: 2 to 8 appointments back to back at one place (wix-api.md §4.6,
§5.12), each service with its own staff member, found, booked, moved and grown together."""

import uuid
from datetime import UTC, timedelta

from django.db import transaction
from django.utils import timezone

from booking import availability, models
from booking.dates import format_local_date, parse_local_date, parse_time_zone
from booking.errors import FailedPrecondition, InvalidArgument, NotFound, SlotNotAvailable
from booking.ids import parse_uuid
from booking.port import (
    STAFF_RESOURCE_TYPE_ID,
    AvailableResources,
    Caller,
    CreateBookingRequest,
    FlowControlSettings,
    ListTimeSlotsResponse,
    MultiServiceBooking,
    NestedTimeSlot,
    RescheduleFlowControlSettings,
    RescheduleInfo,
    Resource,
    ServiceSelection,
    ServiceType,
    TimeSlot,
)
from booking.states import ACTIVE, lock_booking

from ..request_cache import per_call
from . import convert
from .catalog import get_business_info, get_service, staff_names
from .changes import previous_time, reschedule_flow, rescheduler
from .create import appointment_placement, check_request, insert
from .lifecycle import actor_for, save_transition, staff_only
from .locks import lock_staff, parse_submission_key
from .slots import calendars, parse_window, per_day

MIN_SERVICES, MAX_SERVICES = 2, 8


@per_call
def list_multi_service_availability_time_slots(
    *,
    services: list[ServiceSelection],
    from_local_date: str,
    to_local_date: str,
    time_zone: str | None = None,
    time_slots_per_day: int | None = None,
) -> ListTimeSlotsResponse:
    if time_slots_per_day is not None and time_slots_per_day < 1:
        raise InvalidArgument("Ask for at least one time slot per day.")
    chosen, location = package_services(services)
    tz = parse_time_zone(time_zone or get_business_info().time_zone)
    window_start, window_end = parse_window(from_local_date, to_local_date, tz)
    slots = sequences(chosen, location, tz, window_start, window_end)
    if time_slots_per_day is not None:
        slots = per_day(slots, time_slots_per_day)
    return ListTimeSlotsResponse(time_slots=tuple(slots), time_zone=tz.key)


@per_call
def get_multi_service_availability_time_slot(
    *, services: list[ServiceSelection], local_start_date: str, time_zone: str | None = None
) -> TimeSlot:
    chosen, location = package_services(services)
    tz = parse_time_zone(time_zone or get_business_info().time_zone)
    start = parse_local_date(local_start_date, tz).astimezone(UTC)
    slots = sequences(chosen, location, tz, start, start + timedelta(seconds=1))
    if not slots:
        raise NotFound("This time is no longer available.", code="SLOT_NOT_FOUND")
    return slots[0]


def package_services(selections):
    """The services (with their staff choices) and the one place they share; raises InvalidArgument."""
    if not MIN_SERVICES <= len(selections) <= MAX_SERVICES:
        raise InvalidArgument(f"A package has {MIN_SERVICES} to {MAX_SERVICES} services.")
    chosen = []
    for selection in selections:
        service = get_service(selection.service_id)
        if service.type != ServiceType.APPOINTMENT:
            raise InvalidArgument("Only appointment services can be combined into a package.")
        chosen.append((service, list(selection.resource_ids) or None))
    if len({service.pk for service, _ in chosen}) != len(chosen):
        raise InvalidArgument("Each service can be in a package once.")
    shared = set.intersection(*({loc.pk for loc in s.location_list} for s, _ in chosen))
    if any(s.location_list for s, _ in chosen) and not shared:
        raise InvalidArgument("These services are not offered at the same place.", code="NO_SHARED_LOCATION")
    location = next((loc for loc in chosen[0][0].location_list if loc.pk in shared), None)
    return chosen, location


def sequences(chosen, location, tz, window_start, window_end) -> list[TimeSlot]:
    total = timedelta(minutes=sum(s.duration_minutes for s, _ in chosen))
    parts = [calendars(service, window_start, window_end + total, staff) for service, staff in chosen]
    now = timezone.now()
    slots = []
    buffers = [rules.buffer for _, rules in parts]
    for sequence in availability.sequential_starts(parts, window_start, window_end):
        nested, violated = [], False
        # Each part lists its free staff with, first, the one who makes the whole sequence work: booking the
        # first staff member of every part always fits.
        assigned = availability.assign_staff(list(sequence.parts), buffers)
        for (service, _), part, first in zip(chosen, sequence.parts, assigned, strict=True):
            names = staff_names(service)
            ids = (first, *(pk for pk in part.staff_ids if pk != first))
            staff = tuple(Resource(id=pk, name=names[int(pk)]) for pk in ids)
            violated |= availability.policy_violations(part.start, now, convert.policy_rules(service)).any
            nested.append(NestedTimeSlot(
                service_id=str(service.pk),
                local_start_date=format_local_date(part.start, tz),
                local_end_date=format_local_date(part.end, tz),
                available_resources=(AvailableResources(STAFF_RESOURCE_TYPE_ID, staff),),
                schedule_id=convert.schedule_id(service),
                start_date=part.start,
                end_date=part.end,
            ))
        first_policy = availability.policy_violations(sequence.start, now, convert.policy_rules(chosen[0][0]))
        slots.append(TimeSlot(
            service_id="",  # a multi-service container (wix-api.md §4.1)
            local_start_date=nested[0].local_start_date,
            local_end_date=nested[-1].local_end_date,
            bookable=not violated,
            total_capacity=1,
            remaining_capacity=1,
            bookable_capacity=1,
            booking_policy_violations=first_policy,
            location=convert.location(location) if location else None,
            available_resources=(),
            schedule_id="",
            start_date=nested[0].start_date,
            end_date=nested[-1].end_date,
            nested_time_slots=tuple(nested),
        ))
    return slots


def create_multi_service_booking(
    requests: list[CreateBookingRequest], *, submission_key: str | None = None
) -> MultiServiceBooking:
    """All parts under one transaction and the locks of every staff member involved: each part's check sees
    the parts booked before it, and a part that cannot be had undoes the whole package."""
    if not MIN_SERVICES <= len(requests) <= MAX_SERVICES:
        raise InvalidArgument(f"A package has {MIN_SERVICES} to {MAX_SERVICES} services.")
    if any(r.slot is None or r.slot.event_id for r in requests):
        raise InvalidArgument("A package is made of appointments.", code="VALIDATION_FAILURE")
    for before, after in zip(requests, requests[1:], strict=False):
        if after.slot.start_date != before.slot.end_date:
            raise InvalidArgument("The services of a package follow each other with no gap.",
                                  code="VALIDATION_FAILURE")
    package_services([_selection(r) for r in requests])
    key = parse_submission_key(submission_key)
    flow = FlowControlSettings()
    placements = [appointment_placement(r.slot, Caller.CUSTOMER, flow, off_grid=index > 0)
                  for index, r in enumerate(requests)]
    checked = [check_request(service, r, flow) for (service, _, _), r in zip(placements, requests, strict=True)]
    staff_ids = sorted({pk for service, _, _ in placements for pk in staff_names(service)})
    group = uuid.uuid4()
    with transaction.atomic():
        lock_staff(staff_ids)
        if key and (first := models.Booking.objects.filter(submission_key=key).first()):
            return get_multi_service_booking(str(first.multi_service_booking))
        for index, ((service, _, place), request, answers) in enumerate(zip(placements, requests, checked,
                                                                             strict=True)):
            part_key = key if index == 0 or key is None else uuid.uuid5(key, str(index))
            try:
                insert(service, request, answers, flow, Caller.CUSTOMER, key=part_key,
                       multi_service_booking=group, **place())
            except SlotNotAvailable as error:
                raise SlotNotAvailable(f"{service.name} is no longer free at that time.") from error
    return get_multi_service_booking(str(group))


def get_multi_service_booking(multi_service_booking_id: str) -> MultiServiceBooking:
    key = parse_uuid(multi_service_booking_id)
    bookings = [] if key is None else list(
        models.Booking.objects.filter(multi_service_booking=key)
        .select_related("service", "staff", "location", "session__staff").order_by("start")
    )
    if not bookings:
        raise NotFound("We could not find that package booking.", code="MULTI_SERVICE_BOOKING_NOT_FOUND")
    return MultiServiceBooking(id=str(key), bookings=tuple(convert.booking(b) for b in bookings))


# ---- moving and growing a package ---------------------------------------------------------------------------

def reschedule_multi_service_booking(
    multi_service_booking_id: str,
    *,
    reschedule_bookings_info: list[RescheduleInfo],
    caller: Caller = Caller.CUSTOMER,
    flow_control_settings: RescheduleFlowControlSettings | None = None,
) -> MultiServiceBooking:
    """All moves in one transaction; the package must still run back to back afterwards. Parts move in the
    direction of the shift (the last first when moving later), so that no part lands on a time another part
    holds until it moves in turn."""
    flow = reschedule_flow(caller, flow_control_settings)
    package = get_multi_service_booking(multi_service_booking_id)
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
            decide = rescheduler(info.slot, None, caller, flow, off_grid=not first, moving=moving_pks)
            save_transition(booking_id, "rescheduled", actor=actor_for(caller), revision=info.revision,
                            decide=decide, reason=previous_time)
    return get_multi_service_booking(multi_service_booking_id)


def add_bookings_to_multi_service_booking(
    multi_service_booking_id: str, *, bookings: list[tuple[str, int]], caller: Caller = Caller.STAFF
) -> MultiServiceBooking:
    staff_only(caller)
    package = get_multi_service_booking(multi_service_booking_id)
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
        package_services([_booked_selection(b) for b in package.bookings]
                         + [_booked_selection(convert.booking(b)) for b, _ in added])
        for booking, revision in added:
            save_transition(str(booking.public_id), "updated", actor=actor_for(caller), revision=revision,
                            multi_service_booking=group, reason="added to a package")
    return get_multi_service_booking(multi_service_booking_id)


def _selection(request):
    resource = request.slot.resource
    return ServiceSelection(service_id=request.slot.service_id, resource_ids=(resource.id,) if resource else ())


def _check_sequence(times) -> None:
    """(start, end) pairs in package order must follow each other with no gap and no overlap."""
    for (_, end), (start, _) in zip(times, times[1:], strict=False):
        if start != end:
            raise InvalidArgument("The services of a package follow each other with no gap.",
                                  code="VALIDATION_FAILURE")


def _booked_selection(booking) -> ServiceSelection:
    staff = booking.slot.resource
    return ServiceSelection(service_id=booking.service_id, resource_ids=(staff.id,) if staff else ())
