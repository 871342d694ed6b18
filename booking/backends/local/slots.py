"""The local engine's appointment availability: free starts with the staff free at each, as time slots.

Two queries whatever the window (weekly hours, and the busy time of booking/occupancy.py through sql.py); the
availability core (booking/availability.py) does the rest in Python. Create Booking, reschedules, packages and the
checks under the staff lock read the same free starts, uncached; listings are cached under the calendar version
(slot_cache.py), and they and the review step's check take the weekly hours from this process's copy under the
catalog version (one query then).
"""

from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from django.utils import timezone

from booking import availability
from booking.dates import format_local_date, parse_local_date, parse_time_zone
from booking.errors import InvalidArgument, NotFound
from booking.ids import parse_int_id
from booking.port import STAFF_RESOURCE_TYPE_ID, AvailableResources, ListTimeSlotsResponse, Resource, TimeSlot

from .. import cursors
from ..request_cache import memo, per_call
from . import convert, slot_cache, sql
from .catalog import appointment_service, catalog_token, get_business_info, staff_names, version_now
from .catalog_cache import kept

MAX_RANGE = timedelta(days=62)
MAX_PAGE = 1000


def parse_window(from_local_date, to_local_date, tz):
    """[start, end) in UTC from two local dates: end after start, at most 62 days apart."""
    start = parse_local_date(from_local_date, tz).astimezone(UTC)
    end = parse_local_date(to_local_date, tz).astimezone(UTC)
    if end <= start:
        raise InvalidArgument("The end of the date range must come after its start.")
    if end - start > MAX_RANGE:
        raise InvalidArgument("Ask for at most 62 days of time slots at once.")
    return start, end


@per_call
def list_availability_time_slots(
    *,
    service_id: str | None = None,
    from_local_date: str | None = None,
    to_local_date: str | None = None,
    time_zone: str | None = None,
    resource_ids: list[str] | None = None,
    time_slots_per_day: int | None = None,
    cursor: str | None = None,
    limit: int = MAX_PAGE,
) -> ListTimeSlotsResponse:
    args = {"service_id": service_id, "from": from_local_date, "to": to_local_date, "tz": time_zone,
            "resource_ids": resource_ids, "per_day": time_slots_per_day, "limit": limit, "after": None}
    if cursor:
        args = cursors.read(cursor, kind="slots")
    if not isinstance(args["limit"], int) or not 1 <= args["limit"] <= MAX_PAGE:
        raise InvalidArgument(f"Ask for between 1 and {MAX_PAGE} time slots per page.")
    if args["per_day"] is not None and args["per_day"] < 1:
        raise InvalidArgument("Ask for at least one time slot per day.")
    now = timezone.now()
    entry = slot_cache.key(args) if slot_cache.enabled() else None
    if entry and (cached := slot_cache.get(entry, now)) is not None:
        return cached
    service = appointment_service(args["service_id"])
    tz = parse_time_zone(args["tz"] or get_business_info().time_zone)
    window_start, window_end = parse_window(args["from"], args["to"], tz)
    policy = convert.policy_rules(service)
    early_exit = None
    if args["per_day"] is not None:
        # Each day's starts stop once it has `per_day` bookable ones; per_day() below then keeps what the full
        # listing would.
        check_policy = availability.policy_check(now, policy)
        early_exit = availability.PerDay(args["per_day"], tz, lambda start: not check_policy(start).any,
                                         availability.bookable_from(now, policy))
    hold_ends = []
    free = free_starts(service, window_start, window_end, args["resource_ids"], per_day=early_exit,
                       hold_ends=hold_ends, listing=True)
    make_slot = slot_maker(service, tz, now)
    slots = [make_slot(f) for f in free]
    if args["per_day"] is not None:
        slots = per_day(slots, args["per_day"])
    if args["after"]:
        after = datetime.fromisoformat(args["after"])
        slots = [s for s in slots if s.start_date > after]
    page, more = slots[: args["limit"]], len(slots) > args["limit"]
    next_cursor = cursors.write({**args, "after": page[-1].start_date.isoformat()}, kind="slots") if more else None
    response = ListTimeSlotsResponse(time_slots=tuple(page), time_zone=tz.key, next_cursor=next_cursor)
    if entry:
        slot_cache.put(entry, response, now, slot_cache.good_until(
            [start for start, _ in free], policy, now, hold_ends))
    return response


@per_call
def get_availability_time_slot(
    *,
    service_id: str,
    local_start_date: str,
    local_end_date: str,
    time_zone: str | None = None,
    resource_ids: list[str] | None = None,
) -> TimeSlot:
    service = appointment_service(service_id)
    tz = parse_time_zone(time_zone or get_business_info().time_zone)
    start = parse_local_date(local_start_date, tz).astimezone(UTC)
    end = parse_local_date(local_end_date, tz).astimezone(UTC)
    if end - start != timedelta(minutes=service.duration_minutes):
        raise NotFound("This service has no time slot of that length.", code="SLOT_NOT_FOUND")
    free = free_starts(service, start, start + timedelta(seconds=1), resource_ids, kept_hours=True)
    if not free:
        raise NotFound("This time is no longer available.", code="SLOT_NOT_FOUND")
    return slot_maker(service, tz, timezone.now())(free[0])


def free_starts(service, window_start, window_end, resource_ids, *, exclude_bookings=None, clean_only=False,
                per_day=None, hold_ends=None, listing=False, kept_hours=False):
    """Free starts in the window with the staff free at each; two queries whatever the window. With `per_day` (an
    `availability.PerDay`), each day's starts stop early as `availability.first_free_starts_per_day` says.

    With `clean_only`, bookings already flagged as double-booked or forced do not count: they are the
    intruders, and must not turn the booking that holds the time into a conflict too. A `listing` may reuse the
    hours and busy time an earlier listing of the request read (`calendars`), and takes the weekly hours this
    process keeps, as `kept_hours` does (the review step's check); nothing that books ever does either."""
    staff_calendars, rules = calendars(service, window_start, window_end, resource_ids,
                                       exclude_bookings=exclude_bookings, clean_only=clean_only, hold_ends=hold_ends,
                                       listing=listing, kept_hours=kept_hours)
    names = staff_names(service)
    staff_for = {}  # one tuple of Resources per set of free staff: a week repeats the same few sets
    free = []
    if per_day is None:
        found = availability.free_appointment_starts(staff_calendars, rules, window_start, window_end)
    else:
        found = availability.first_free_starts_per_day(staff_calendars, rules, window_start, window_end,
                                                       limit=per_day.limit, zone=per_day.zone,
                                                       counts=per_day.counts, counts_from=per_day.counts_from)
    for start in found:
        if start.staff_ids not in staff_for:
            staff_for[start.staff_ids] = tuple(Resource(id=pk, name=names[int(pk)]) for pk in start.staff_ids)
        free.append((start.start, staff_for[start.staff_ids]))
    return free


def calendars(service, window_start, window_end, resource_ids, *, exclude_bookings=None, clean_only=False,
              hold_ends=None, listing=False, kept_hours=False):
    """The calendars of the service's staff (or of `resource_ids` among them) for starts in the window, and
    the service's appointment rules. A `listing` whose window lies inside one an earlier listing of this request
    read, for the same staff and calendar version, is computed from that read (the slot page's day, inside the
    month it has just listed): intervals outside the window change nothing, and more holds' ends only make the
    listing's cache entry end sooner. A listing, or a read with `kept_hours`, takes the weekly hours from this
    process's copy under the catalog version (`_weekly_hours`); the rest read them under their staff lock."""
    staff_ids = {s.pk for s in service.active_staff}
    if resource_ids is not None:
        wanted = {parse_int_id(r) for r in resource_ids}
        if not wanted <= staff_ids:
            raise InvalidArgument("That staff member does not offer this service.", code="INVALID_RESOURCE")
        staff_ids = wanted
    rules = convert.appointment_rules(service, parse_time_zone(get_business_info().time_zone))
    start, end = window_start, window_end + rules.duration + rules.buffer
    if not listing:
        return convert.staff_calendars(staff_ids, *_read(staff_ids, start, end, exclude_bookings, clean_only,
                                                           hold_ends, kept_hours)), rules
    reads = memo(("listing reads",), list)
    version = version_now()
    read = next((r for r in reads if (r.staff_ids, r.version) == (staff_ids, version) and r.start <= start
                 and end <= r.end), None)
    if read is None:
        holds = []
        found = convert.staff_calendars(staff_ids, *_read(staff_ids, start, end, None, False, holds, True))
        read = _ListingRead(staff_ids, version, start, end, found, holds)
        reads.append(read)
    if hold_ends is not None:
        hold_ends.extend(read.hold_ends)
    return read.calendars, rules


class _ListingRead(NamedTuple):
    staff_ids: set
    version: int
    start: datetime
    end: datetime
    calendars: list
    hold_ends: list


def _read(staff_ids, start, end, exclude_bookings, clean_only, hold_ends, kept_hours):
    """The staff's weekly hours and their busy time over [start, end): two queries, or one with `kept_hours`."""
    hours = _weekly_hours(staff_ids) if kept_hours else sql.weekly_hours(staff_ids)
    return hours, sql.blocked_time(staff_ids, start, end, timezone.now(), exclude_bookings=exclude_bookings,
                                   clean_only=clean_only, hold_ends=hold_ends)


def _weekly_hours(staff_ids) -> list[tuple]:
    """The staff's weekly hours from this process's copy under the catalog version read with the business row
    (catalog_cache.py): a change to working hours draws a new one, as the calendar version moves, in the same
    transaction, so the copy is as current as the version the listing is keyed by. A page that lists and then
    checks its time would otherwise read the same rows again on every step of a booking."""
    key = ("weekly hours", *sorted(staff_ids))
    return kept(catalog_token(), key, lambda: sql.weekly_hours(staff_ids))


def slot_maker(service, tz, now):
    """A function from (start, free staff) to a TimeSlot; what all slots of the service share is worked out once."""
    duration = timedelta(minutes=service.duration_minutes)
    check_policy = availability.policy_check(now, convert.policy_rules(service))
    location = convert.first_location(service)
    service_id, schedule_id = str(service.pk), convert.schedule_id(service)
    # Formatting a local time is the costliest step of a slot, and a slot's end is usually a later slot's
    # start: each instant is formatted once.
    formatted = {}

    def make(free) -> TimeSlot:
        start, staff = free
        end = start + duration
        for instant in (start, end):
            if instant not in formatted:
                formatted[instant] = format_local_date(instant, tz)
        violations = check_policy(start)
        return TimeSlot(
            service_id=service_id,
            local_start_date=formatted[start],
            local_end_date=formatted[end],
            bookable=not violations.any,
            total_capacity=1,
            remaining_capacity=1,
            bookable_capacity=1,
            booking_policy_violations=violations,
            location=location,
            available_resources=(AvailableResources(STAFF_RESOURCE_TYPE_ID, staff),),
            schedule_id=schedule_id,
            start_date=start,
            end_date=end,
        )

    return make


def per_day(slots, limit):
    """At most `limit` time slots a day, bookable ones first (wix-api.md §4.2), in time order."""
    days: dict[str, list[TimeSlot]] = {}
    for slot in slots:
        days.setdefault(slot.local_start_date[:10], []).append(slot)
    kept = []
    for day_slots in days.values():
        chosen = sorted(day_slots, key=lambda s: not s.bookable)[:limit]
        kept.extend(sorted(chosen, key=lambda s: s.start_date))
    return kept
