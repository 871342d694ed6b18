"""The engine's reads that are written in SQL: the ones every slot page makes, where the ORM cost several times
what the database did.

Everything else in the engine goes through the ORM. These run on every slot page, for every staff member of the
service and every day shown. On the benchmark's week (docs/performance.md) building and compiling the three-armed
UNION of busy time took about 2.7 ms and converting its 580 datetimes about 3 ms, while the SQL ran in under 1 ms;
prefetching a service's staff and locations cost about three times what the same two queries cost through
`Model.objects.raw`. The SQL is plain enough for SQLite and PostgreSQL alike; tests/test_engine_sql.py checks on both
that each read finds exactly the rows of the ORM filters it stands for, and tests/test_occupancy.py that the busy
time agrees with booking/occupancy.py, where what occupies is stated.
"""

from datetime import UTC, datetime

from django.db import connection

from booking.models.catalog import Location, StaffMember
from booking.occupancy import MAX_OCCUPIED_SPAN, SQL_CLEAN, SQL_OCCUPYING

# A service's active staff and its locations, each in the models' display order (ties by id, so the first location
# is always the same one).
_STAFF = """
SELECT staff.*, link.service_id AS service_link FROM booking_staffmember staff
  JOIN booking_service_staff link ON link.staffmember_id = staff.id
 WHERE link.service_id IN ({services}) AND staff.is_active
 ORDER BY staff.sort_order, staff.name, staff.id
"""
_LOCATIONS = """
SELECT place.*, link.service_id AS service_link FROM booking_location place
  JOIN booking_service_locations link ON link.location_id = place.id
 WHERE link.service_id IN ({services})
 ORDER BY place.is_default DESC, place.name, place.id
"""

# (staff, weekday, start, end) in local wall time.
_HOURS = "SELECT staff_id, weekday, start_time, end_time FROM booking_workinghours WHERE staff_id IN ({staff})"

# (staff, start, end, blocks like time off): time off and the class or course sessions the staff teach (which keep
# them from appointments whatever the buffer), then the bookings that occupy them, each up to its `occupied_until`
# (its end plus the buffer it was booked with), as booking/occupancy.py states. A booking occupies at most
# MAX_OCCUPIED_SPAN (a check constraint), so one that reaches into the window starts after the window's start minus
# that: the lower bound on "start" keeps the `(staff, start)` index to a range that does not grow with history.
# The last column is a booking's checkout hold end (see blocked_time). Instants come as seconds since 1970
# (`_epoch`): a month of busy time is thousands of them, and the drivers' datetime loaders cost more than the query
# did, a float almost nothing (docs/performance.md).
_BLOCKED = """
SELECT staff_id, {start}, {end}, 1, CAST(NULL AS DOUBLE PRECISION) FROM booking_timeoff
 WHERE staff_id IN ({staff}) AND "end" > %s AND "start" < %s
UNION ALL
SELECT staff_id, {start}, {end}, 1, CAST(NULL AS DOUBLE PRECISION) FROM booking_classsession
 WHERE staff_id IN ({staff}) AND NOT cancelled AND "end" > %s AND "start" < %s
UNION ALL
SELECT staff_id, {start}, {occupied_until}, 0, {hold} FROM booking_booking
 WHERE staff_id IN ({staff}) AND occupied_until > %s AND "start" < %s AND "start" >= %s
   AND {occupying}{leave_out}
"""
_CLEAN_ONLY = f" AND {SQL_CLEAN}"


def attach_staff_and_locations(services) -> None:
    """Set `active_staff` and `location_list` on each service: its active staff members and its locations, in
    display order; two queries however many services. The engine reads these, never `service.staff.all()`
    (which would include staff who left)."""
    by_pk = {service.pk: service for service in services}
    for service in services:
        service.active_staff, service.location_list = [], []
    if not by_pk:
        return
    marks = _marks(by_pk)
    for member in StaffMember.objects.raw(_STAFF.format(services=marks), list(by_pk)):
        by_pk[member.service_link].active_staff.append(member)
    for place in Location.objects.raw(_LOCATIONS.format(services=marks), list(by_pk)):
        by_pk[place.service_link].location_list.append(place)


def weekly_hours(staff_ids) -> list[tuple]:
    """(staff, weekday, start time, end time) rows of the staff's working hours, in no particular order."""
    staff_ids = list(staff_ids)
    if not staff_ids:
        return []
    with connection.cursor() as cursor:
        cursor.execute(_HOURS.format(staff=_marks(staff_ids)), staff_ids)
        return cursor.fetchall()


def blocked_time(staff_ids, start: datetime, end: datetime, now: datetime, *, exclude_bookings=(),
                 clean_only=False, hold_ends: list | None = None) -> list[tuple]:
    """(staff, start, end, blocks like time off) rows for what overlaps [start, end), in no particular order.

    `exclude_bookings` leaves those bookings out (a booking being moved does not stand in its own way); with
    `clean_only`, bookings flagged as double-booked or forced in by staff do not count. `hold_ends`, when given,
    gets the checkout holds' ends among the bookings found: a hold stops counting then with nothing written, so a
    cached listing is good until the first of them (booking/backends/local/slot_cache.py)."""
    staff_ids, excluded = list(staff_ids), list(exclude_bookings or ())
    if not staff_ids:
        return []
    leave_out = f" AND id NOT IN ({_marks(excluded)})" if excluded else ""
    if clean_only:
        leave_out += _CLEAN_ONLY
    adapt = connection.ops.adapt_datetimefield_value
    window = [adapt(start), adapt(end)]
    earliest = adapt(start - MAX_OCCUPIED_SPAN)
    params = [*staff_ids, *window, *staff_ids, *window, *staff_ids, *window, earliest, adapt(now), *excluded]
    query = _BLOCKED.format(staff=_marks(staff_ids), occupying=SQL_OCCUPYING, leave_out=leave_out,
                            start=_epoch('"start"'), end=_epoch('"end"'), occupied_until=_epoch("occupied_until"),
                            hold=_epoch("hold_expires_at"))
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        rows = cursor.fetchall()
    if hold_ends is not None:
        hold_ends.extend(_instant(hold) for *_, hold in rows if hold is not None)
    known = _INSTANTS.get  # called inline: a month is thousands of instants
    if len(_INSTANTS) > MAX_INSTANTS:
        _INSTANTS.clear()
    return [(staff, known(begins) or _new_instant(begins), known(ends) or _new_instant(ends), off == 1)
            for staff, begins, ends, off, _ in rows]


def _marks(values) -> str:
    return ", ".join(["%s"] * len(values))


def _epoch(column: str) -> str:
    """SQL for the instant in `column` as seconds since 1970, a double (NULL stays NULL). A double holds an instant of
    these centuries to a quarter of a microsecond, so `_instant` gives back the stored microsecond exactly."""
    if connection.vendor == "postgresql":
        # date_part, not EXTRACT: since PostgreSQL 14 EXTRACT computes a numeric, which made the read ~40% slower.
        return f"date_part('epoch', {column})"
    # SQLite keeps a datetime as text, "YYYY-MM-DD HH:MM:SS" in UTC with ".ffffff" when it has microseconds. Its date
    # functions know milliseconds only: strftime gets the whole seconds, and the fraction is added from the text.
    return (f"(CAST(strftime('%%s', substr({column}, 1, 19)) AS REAL)"
            f" + COALESCE(CAST(NULLIF(substr({column}, 20), '') AS REAL), 0))")


def _instant(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


# The datetimes of the instants busy time was read with, kept by their seconds in this process. Bookings begin and
# end on their services' grids, so the same instants come back for one staff member after another and in every
# listing of the month, and looking one up costs a quarter of making it (docs/performance.md, 6 December 2026, later).
# Bounded: the keys come from stored data.
_INSTANTS: dict[float, datetime] = {}
MAX_INSTANTS = 100_000


def _new_instant(seconds: float) -> datetime:
    _INSTANTS[seconds] = made = _instant(seconds)
    return made
