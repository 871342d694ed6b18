"""The local engine's classes and courses: event time slots, course places, and the capacity checks of both.

A class session's places are its capacity minus the participants of the bookings that occupy it; a course's are
the service's default capacity minus those of the course's bookings (wix-api.md §6.2, §9). Taking places locks the
session row (classes) or the service row (courses), so concurrent bookings queue up for the count.
"""

from collections import Counter
from datetime import datetime

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from booking import availability, models
from booking.dates import format_local_date, parse_time_zone
from booking.errors import InvalidArgument, NotFound
from booking.ids import parse_int_id, parse_uuid
from booking.occupancy import occupying
from booking.port import (
    STAFF_RESOURCE_TYPE_ID,
    AvailableResources,
    BookingStatus,
    CourseAvailability,
    EventInfo,
    ListTimeSlotsResponse,
    NonBookableReasons,
    Resource,
    ServiceType,
    TimeSlot,
    WaitingList,
)

from .. import cursors
from ..request_cache import per_call
from . import convert
from .catalog import default_policy, get_business_info, get_service
from .slots import MAX_PAGE, parse_window


def _booked(now):
    """Participants of the bookings that occupy a session, as an annotation on sessions."""
    return Coalesce(Sum("bookings__total_participants", filter=occupying(now, "bookings__")), 0)


def _waiting():
    """Customers on a session's waitlist, as an annotation on sessions (over the same join as `_booked`)."""
    return Count("bookings", filter=Q(bookings__status=BookingStatus.WAITING_LIST))


# ---- class sessions -------------------------------------------------------------------------------------

@per_call
def list_event_time_slots(
    *,
    service_ids: list[str] | None = None,
    from_local_date: str | None = None,
    to_local_date: str | None = None,
    time_zone: str | None = None,
    include_non_bookable: bool = True,
    min_bookable_capacity: int | None = None,
    max_slots_per_day: int | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> ListTimeSlotsResponse:
    args = {"service_ids": service_ids, "from": from_local_date, "to": to_local_date, "tz": time_zone,
            "include_non_bookable": include_non_bookable, "min": min_bookable_capacity,
            "per_day": max_slots_per_day, "limit": limit, "after": None}
    if cursor:
        args = _read_cursor(cursor)
    limit = args["limit"]
    if not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE:
        raise InvalidArgument(f"Ask for between 1 and {MAX_PAGE} time slots per page.")
    if args["min"] is not None and args["min"] < 1:
        raise InvalidArgument("The minimum number of open spots is at least 1.")
    if args["per_day"] is not None and args["per_day"] < 1:
        raise InvalidArgument("Ask for at least one time slot per day.")
    tz = parse_time_zone(args["tz"] or get_business_info().time_zone)
    if not args["from"] or not args["to"]:
        raise InvalidArgument("Give the first and last date of the range, or a cursor.")
    window_start, window_end = parse_window(args["from"], args["to"], tz)

    now = timezone.now()
    sessions = class_sessions().filter(
        service__type=ServiceType.CLASS, start__gte=max(window_start, now), start__lt=window_end
    )
    if args["service_ids"]:
        sessions = sessions.filter(service_id__in=[parse_int_id(i) for i in args["service_ids"]])
    if args["after"]:
        after_start, after_pk = args["after"]
        sessions = sessions.filter(Q(start__gt=after_start) | Q(start=after_start, pk__gt=after_pk))
    per_day, page, more = Counter(), [], False
    for session in sessions.annotate(booked=_booked(now), waiting=_waiting()).order_by("start", "pk"):
        slot = event_slot(session, tz, now)
        if not slot.bookable and not args["include_non_bookable"]:
            continue
        if args["min"] is not None and slot.bookable_capacity < args["min"]:
            continue
        day = slot.local_start_date[:10]
        if args["per_day"] is not None and per_day[day] >= args["per_day"]:
            continue
        if len(page) == limit:
            more = True
            break
        per_day[day] += 1
        page.append((session, slot))
    slots = tuple(slot for _, slot in page)
    next_cursor = None
    if more:
        last = page[-1][0]
        next_cursor = cursors.write({**args, "after": (last.start.isoformat(), last.pk)}, kind="events")
    return ListTimeSlotsResponse(time_slots=slots, time_zone=tz.key, next_cursor=next_cursor)


@per_call
def get_event_time_slot(*, event_id: str, time_zone: str | None = None) -> TimeSlot:
    tz = parse_time_zone(time_zone or get_business_info().time_zone)
    key = parse_uuid(event_id)
    session = None if key is None else (
        class_sessions().filter(public_id=key, service__type=ServiceType.CLASS)
        .annotate(booked=_booked(timezone.now()), waiting=_waiting()).first()
    )
    if session is None:
        raise NotFound("We could not find that class session.", code="SESSION_NOT_FOUND")
    return event_slot(session, tz, timezone.now())


def class_sessions():
    return models.ClassSession.objects.filter(service__hidden=False).select_related(
        "service__booking_policy", "staff", "location"
    )


def event_slot(session, tz, now, *, title=None) -> TimeSlot:
    service = session.service
    service.booking_policy = service.booking_policy or default_policy()
    violations = availability.policy_violations(session.start, now, convert.policy_rules(service))
    places = availability.places(session.capacity, session.booked, cancelled=session.cancelled)
    return TimeSlot(
        service_id=str(service.pk),
        local_start_date=format_local_date(session.start, tz),
        local_end_date=format_local_date(session.end, tz),
        bookable=places.bookable_for(1, violations),
        total_capacity=places.total,
        remaining_capacity=places.remaining,
        bookable_capacity=places.remaining,
        booking_policy_violations=violations,
        location=convert.location(session.location) if session.location_id else None,
        available_resources=_staff_resources(session),
        schedule_id="",  # Wix leaves it empty on event slots (wix-api.md §4.4)
        start_date=session.start,
        end_date=session.end,
        event_info=EventInfo(event_id=str(session.public_id), event_title=title or service.name,
                             waiting_list=_waiting_list(service, session)),
        non_bookable_reasons=NonBookableReasons(
            no_remaining_capacity=places.remaining == 0,
            violates_booking_policy=violations.any,
            event_cancelled=session.cancelled,
        ),
    )


def _waiting_list(service, session) -> WaitingList | None:
    """A class session's waitlist when its policy takes one (booking/backends/local/waitlist.py)."""
    policy = service.booking_policy
    if service.type != ServiceType.CLASS or policy is None or not policy.waitlist_enabled \
            or not hasattr(session, "waiting"):
        return None
    return WaitingList(total_capacity=policy.waitlist_capacity,
                       remaining_capacity=max(policy.waitlist_capacity - session.waiting, 0))


# ---- courses --------------------------------------------------------------------------------------------

def get_course_availability(*, service_id: str, time_zone: str | None = None) -> CourseAvailability:
    service = get_service(service_id)
    if service.type != ServiceType.COURSE:
        raise InvalidArgument("Only courses are booked as a whole.")
    tz = parse_time_zone(time_zone or get_business_info().time_zone)
    now = timezone.now()
    sessions = list(service.sessions.select_related("staff", "location").order_by("start"))
    held = [s for s in sessions if not s.cancelled]
    if not held:
        raise NotFound("This course has no sessions yet.", code="SCHEDULE_NOT_FOUND")
    booked = course_participants(service, now)
    violations = course_violations(service, held, now)
    places = availability.places(service.default_capacity, booked)
    for session in sessions:
        session.booked = booked
    return CourseAvailability(
        service_id=str(service.pk),
        schedule_id=convert.schedule_id(service),
        sessions=tuple(event_slot(s, tz, now) for s in sessions),
        total_capacity=places.total,
        remaining_capacity=places.remaining,
        bookable=places.bookable_for(1, violations),
        booking_policy_violations=violations,
        started=held[0].start <= now,
        ended=held[-1].end <= now,
        time_zone=tz.key,
    )


def course_participants(service, now, *, exclude=None) -> int:
    bookings = models.Booking.objects.filter(occupying(now), service=service)
    if exclude is not None:
        bookings = bookings.exclude(pk=exclude)
    return bookings.aggregate(n=Coalesce(Sum("total_participants"), 0))["n"]


def course_violations(service, held_sessions, now):
    policy = service.booking_policy or default_policy()
    return availability.course_violations(
        held_sessions[0].start, held_sessions[-1].end, now, convert.policy_rules(service),
        book_after_start=bool(policy and policy.book_after_start_enabled),
    )


# ---- taking places --------------------------------------------------------------------------------------

def lock_session(service, event_id) -> models.ClassSession:
    key = parse_uuid(event_id)
    session = None if key is None else (
        models.ClassSession.objects.select_for_update().filter(public_id=key, service=service).first()
    )
    if session is None:
        raise NotFound("We could not find that class session.", code="SESSION_NOT_FOUND")
    return session


def session_places_left(session, now, *, exclude=None) -> int:
    bookings = models.Booking.objects.filter(occupying(now), session=session)
    if exclude is not None:
        bookings = bookings.exclude(pk=exclude)
    booked = bookings.aggregate(n=Coalesce(Sum("total_participants"), 0))["n"]
    return 0 if session.cancelled else max(session.capacity - booked, 0)


def lock_course(service) -> list[models.ClassSession]:
    """Lock the course (its service row) and return its sessions that take place."""
    list(models.Service.objects.select_for_update().filter(pk=service.pk).values_list("pk"))
    held = list(service.sessions.filter(cancelled=False).order_by("start"))
    if not held:
        raise NotFound("This course has no sessions yet.", code="SCHEDULE_NOT_FOUND")
    return held


def check_places(booking) -> dict:
    """Under the session's or course's lock: {"conflict": True} when the booking's participants no longer
    fit beside the other bookings that occupy places."""
    now = timezone.now()
    if booking.session_id is not None:
        session = models.ClassSession.objects.select_for_update().get(pk=booking.session_id)
        left = session_places_left(session, now, exclude=booking.pk)
    else:
        service = booking.service
        lock_course(service)
        left = service.default_capacity - course_participants(service, now, exclude=booking.pk)
    return {"conflict": booking.total_participants > left}


def _staff_resources(session) -> tuple[AvailableResources, ...]:
    if session.staff_id is None:
        return ()
    return (AvailableResources(STAFF_RESOURCE_TYPE_ID, (Resource(id=str(session.staff_id), name=session.staff.name),)),)


def _read_cursor(cursor: str) -> dict:
    args = cursors.read(cursor, kind="events")
    # Signed by us, so well formed.
    args["after"] = (datetime.fromisoformat(args["after"][0]), args["after"][1]) if args.get("after") else None
    return args
