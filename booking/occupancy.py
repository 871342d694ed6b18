"""What occupies a staff member's time or a place in a class or course: stated once, beside the PostgreSQL
constraint that guards it.

- A booking occupies while it is CONFIRMED or PENDING, or while it is CREATED with a checkout hold that has not
  lapsed, or WAITING_LIST with a place offered to it (the offer is a hold too) that has not lapsed. A lapsed hold
  stops counting the moment it lapses, before any command clears it.
- It occupies its staff member from its start until its `occupied_until`: its end plus the buffer
  (timeBetweenSessions) it was booked with.
- It occupies at most MAX_OCCUPIED_SPAN from its start: the longest appointment (wix-api.md: 30 d 23 h 59 min) plus
  the longest buffer (720 min). A check constraint (`booking_occupied_span_capped`, both databases) holds every
  booking with a staff member to it, so a read of busy time over a window need only look at bookings starting from
  MAX_OCCUPIED_SPAN before it, and the `(staff, start)` index reads that range alone, however long the history.
- It holds that time *cleanly* unless it is double-booked (Confirm Or Decline let it through, paid, despite a
  conflict) or forced (staff skipped the availability check). Those two may overlap other bookings; whether a
  booking's time is still its own is decided against the clean ones only.

Three readers use these definitions: the ORM filters below (places in classes and courses, the check under the
staff lock in booking/backends/local/lifecycle.py), the SQL fragments below (the slot page's busy-time read in
booking/backends/local/sql.py) and the exclusion constraint (`constraint_sql()`, added by migration 0003). The
constraint cannot read the clock, so it guards the occupying statuses, clean; a live hold is kept from overlapping
by the check under the staff lock. tests/test_occupancy.py runs every reader over a table of cases on both
databases, and checks that the live constraint is the one stated here.
"""

from datetime import timedelta

from django.db.models import F, Q

from booking.port import BookingStatus

MAX_DURATION_MINUTES = 44639  # the service's session length, as Wix allows it
MAX_BUFFER_MINUTES = 720  # timeBetweenSessions
MAX_OCCUPIED_SPAN = timedelta(minutes=MAX_DURATION_MINUTES + MAX_BUFFER_MINUTES)

# Statuses whose bookings occupy whatever the clock says.
OCCUPYING_STATUSES = (BookingStatus.CONFIRMED, BookingStatus.PENDING)
# The statuses whose bookings occupy while their hold runs: a checkout's, or a waitlist offer's.
HELD_STATUSES = (BookingStatus.CREATED, BookingStatus.WAITING_LIST)


def occupying(now, prefix: str = "") -> Q:
    """Bookings that occupy at `now`. `prefix` is the path from another model, such as "bookings__"."""
    return Q(**{f"{prefix}status__in": OCCUPYING_STATUSES}) | Q(
        **{f"{prefix}status__in": HELD_STATUSES, f"{prefix}hold_expires_at__gt": now}
    )


def clean() -> Q:
    """Bookings that hold their time cleanly: neither double-booked nor forced."""
    return Q(double_booked=False, skip_availability_validation=False)


def span_capped() -> Q:
    """The check constraint: a booking with a staff member (an appointment) occupies at most MAX_OCCUPIED_SPAN.
    Class and course bookings have no staff member (a course's booking spans all its weeks) and are not read as
    busy time."""
    return Q(staff__isnull=True) | Q(occupied_until__lte=F("start") + MAX_OCCUPIED_SPAN)


def overlapping(start, end) -> Q:
    """Bookings whose occupied time [start, occupied_until) overlaps [start, end)."""
    return Q(start__lt=end, occupied_until__gt=start)


# The same on the columns of booking_booking, in SQL that SQLite and PostgreSQL both run. The values are the
# enum's own, never input. SQL_OCCUPYING takes one parameter, `now`.
def _listed(statuses) -> str:
    return ", ".join(f"'{status.value}'" for status in statuses)


SQL_OCCUPYING_STATUSES = f"status IN ({_listed(OCCUPYING_STATUSES)})"
SQL_OCCUPYING = f"({SQL_OCCUPYING_STATUSES} OR (status IN ({_listed(HELD_STATUSES)}) AND hold_expires_at > %s))"
SQL_CLEAN = "NOT double_booked AND NOT skip_availability_validation"

CONSTRAINT_NAME = "booking_staff_no_overlap"


def constraint_sql(table: str = "booking_booking", name: str = CONSTRAINT_NAME) -> str:
    """The PostgreSQL exclusion constraint: no two bookings that occupy a staff member cleanly may overlap.

    Migration 0003 added it as it was then; a migration keeps meaning what it meant when it ran, so it does not
    import this. A change here needs a migration replacing the constraint, and the test comparing the live
    definition with this one fails until there is one."""
    return (
        f"ALTER TABLE {table} ADD CONSTRAINT {name} EXCLUDE USING gist ("
        f" staff_id WITH =, tstzrange(\"start\", occupied_until, '[)') WITH &&"
        f") WHERE ({SQL_OCCUPYING_STATUSES} AND {SQL_CLEAN})"
    )
