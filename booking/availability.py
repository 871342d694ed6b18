"""The availability core: pure functions, no ORM, no clock. The engine feeds it and shapes what it returns.

Rules are local wall-clock time in the business's zone; everything that comes out is a UTC instant. Slot starts
step through wall-clock time (so a 09:00 start stays 09:00 across a DST change); a start that falls in a DST gap
does not exist and is skipped; a start that happens twice when clocks go back is offered once, at its first
occurrence. Durations and buffers are elapsed time and are added in UTC.
"""

import functools
import heapq
import itertools
from bisect import bisect_right
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

# What the core says of a policy is what the port returns: the same four fields, so no copy is made per slot.
from booking.port import BookingPolicyViolations as Violations


@dataclass(frozen=True)
class WeeklyHours:
    weekday: int  # Monday = 0
    start: time
    end: time


class Interval(NamedTuple):
    """A time taken, [start, end). A named tuple rather than a dataclass: a month of busy time makes thousands,
    and a tuple is made in two thirds of the time."""

    start: datetime
    end: datetime

    def overlaps(self, start: datetime, end: datetime) -> bool:
        return self.start < end and start < self.end


@dataclass(frozen=True)
class StaffCalendar:
    """One staff member's rules and commitments over the window being computed."""

    staff_id: str
    weekly_hours: tuple[WeeklyHours, ...]
    time_off: tuple[Interval, ...] = ()
    busy: tuple[Interval, ...] = ()  # bookings, each already extended by its own buffer


@dataclass(frozen=True)
class AppointmentRules:
    time_zone: ZoneInfo
    duration: timedelta
    buffer: timedelta
    interval: timedelta


@dataclass(frozen=True)
class FreeStart:
    start: datetime
    end: datetime
    staff_ids: tuple[str, ...]


@dataclass(frozen=True)
class PolicyRules:
    online_booking_enabled: bool = True
    limit_early_booking_enabled: bool = False
    earliest_booking: timedelta = timedelta(days=7)
    limit_late_booking_enabled: bool = False
    latest_booking: timedelta = timedelta(days=1)


def wall_time_exists(naive: datetime, tz: ZoneInfo) -> bool:
    """False for a wall-clock time skipped when clocks go forward."""
    roundtrip = naive.replace(tzinfo=tz).astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    return roundtrip == naive


def to_utc(naive: datetime, tz: ZoneInfo) -> datetime:
    """The first instant of a local wall-clock time (a time in a DST gap moves forward by the gap)."""
    return naive.replace(tzinfo=tz, fold=0).astimezone(UTC)


def local_dates(start: datetime, end: datetime, tz: ZoneInfo) -> list[date]:
    """The local dates whose days touch [start, end)."""
    first = start.astimezone(tz).date()
    last = (end - timedelta(microseconds=1)).astimezone(tz).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def candidate_starts(
    weekly_hours: tuple[WeeklyHours, ...], rules: AppointmentRules, window_start: datetime, window_end: datetime
) -> list[datetime]:
    """Every start within working hours on the local days of the window, in UTC, sorted, without duplicates."""
    by_weekday = _by_weekday(weekly_hours)
    starts: set[datetime] = set()
    for day in local_dates(window_start, window_end, rules.time_zone):
        offset = _fixed_offset(day, rules.time_zone)
        for hours in by_weekday.get(day.weekday(), ()):
            starts.update(s for s in _block_starts(day, hours, rules, offset) if window_start <= s < window_end)
    return sorted(starts)


def _by_weekday(weekly_hours: tuple[WeeklyHours, ...]) -> dict[int, list[WeeklyHours]]:
    by_weekday: dict[int, list[WeeklyHours]] = {}
    for hours in weekly_hours:
        by_weekday.setdefault(hours.weekday, []).append(hours)
    return by_weekday


def _block_starts(day: date, hours: WeeklyHours, rules: AppointmentRules,
                  offset: timedelta | None) -> Iterator[datetime]:
    """The starts of one block of working hours on the local `day`, in UTC and in time order (a wall time that
    happens twice is taken once, at its first occurrence, so UTC grows with the wall clock). `offset` is the day's
    UTC offset when it has no DST change (`_fixed_offset`)."""
    tz = rules.time_zone
    latest = to_utc(datetime.combine(day, hours.end), tz) - rules.duration  # the last start that ends within the block
    if offset is not None:
        # No DST change today: every wall time exists, once, and moves in step with UTC, so the starts are a plain
        # series in UTC.
        start = (datetime.combine(day, hours.start) - offset).replace(tzinfo=UTC)
        while start <= latest:
            yield start
            start += rules.interval
        return
    wall, wall_end = datetime.combine(day, hours.start), datetime.combine(day, hours.end)
    while wall < wall_end:
        if wall_time_exists(wall, tz) and (start := to_utc(wall, tz)) <= latest:
            yield start
        wall += rules.interval


@functools.lru_cache(maxsize=4096)
def _fixed_offset(day: date, tz: ZoneInfo) -> timedelta | None:
    """The day's UTC offset when it is the same from midnight to midnight, else None (a DST change happens). Kept:
    every listing asks it of each of its days, and a zone's rules do not change while the process runs."""
    edges = [datetime.combine(day + timedelta(days=n), time(0), tz).replace(fold=f) for n in (0, 1) for f in (0, 1)]
    offsets = {edge.utcoffset() for edge in edges}
    return offsets.pop() if len(offsets) == 1 else None


class _IntervalIndex:
    """Intervals sorted by end, for "does anything overlap [start, end)?" in about log n."""

    def __init__(self, intervals: tuple[Interval, ...]):
        self.ordered = sorted(intervals, key=lambda i: i.end)
        self.ends = [i.end for i in self.ordered]
        self.longest = max((i.end - i.start for i in self.ordered), default=timedelta(0))

    def collides(self, start: datetime, end: datetime) -> bool:
        return self.blocked_until(start, end) is not None

    def blocked_until(self, start: datetime, end: datetime) -> datetime | None:
        """The end of the earliest-ending interval that overlaps [start, end), or None. That interval also overlaps
        [s, s + (end - start)) for every later s before its end: no such start can be clear of it."""
        # Only intervals ending after `start` can overlap. Scanning them by end, once an interval ends at or after
        # `end + longest`, it and every later one start at or after `end`.
        for interval in self.ordered[bisect_right(self.ends, start) :]:
            if interval.start < end:
                return interval.end
            if interval.end >= end + self.longest:
                return None
        return None


def free_starts_for_staff(
    calendar: StaffCalendar,
    rules: AppointmentRules,
    window_start: datetime,
    window_end: datetime,
    candidates: list[datetime] | None = None,
) -> list[datetime]:
    """Starts at which this staff member can take the appointment: inside working hours, clear of time off, and
    with the appointment plus its buffer clear of every busy interval. `candidates` may pass in the starts of
    these working hours (sorted, as `candidate_starts` gives them) when they are already known."""
    if candidates is None:
        candidates = candidate_starts(calendar.weekly_hours, rules, window_start, window_end)
    clear_of_time_off = _clear_of(candidates, calendar.time_off, rules.duration)
    return _clear_of(clear_of_time_off, calendar.busy, rules.duration + rules.buffer)


def _clear_of(starts: list[datetime], intervals: tuple[Interval, ...], length: timedelta) -> list[datetime]:
    """The sorted `starts` at which [start, start + length) overlaps none of the intervals, in one sweep."""
    if not intervals:
        return list(starts)
    ordered = sorted(intervals, key=lambda i: i.start)
    clear, taken, latest_end = [], 0, None
    for start in starts:
        end = start + length
        # An interval overlaps [start, end) when it starts before `end` and ends after `start`. Ends only grow
        # from one start to the next, so the intervals starting before `end` only accumulate, and the latest of
        # their ends says whether one of them reaches past `start`.
        while taken < len(ordered) and ordered[taken].start < end:
            if latest_end is None or ordered[taken].end > latest_end:
                latest_end = ordered[taken].end
            taken += 1
        if latest_end is None or latest_end <= start:
            clear.append(start)
    return clear


def free_appointment_starts(
    calendars: list[StaffCalendar], rules: AppointmentRules, window_start: datetime, window_end: datetime
) -> list[FreeStart]:
    """Starts at which at least one staff member is free, each with all the staff free then, in calendar order."""
    staff_by_start: dict[datetime, list[str]] = {}
    # Staff often share the same hours; their candidate starts (the costly, DST-aware part) are computed once.
    candidates_by_hours: dict[tuple[WeeklyHours, ...], list[datetime]] = {}
    for calendar in calendars:
        hours = tuple(sorted(calendar.weekly_hours, key=lambda h: (h.weekday, h.start, h.end)))
        if hours not in candidates_by_hours:
            candidates_by_hours[hours] = candidate_starts(hours, rules, window_start, window_end)
        for start in free_starts_for_staff(calendar, rules, window_start, window_end, candidates_by_hours[hours]):
            staff_by_start.setdefault(start, []).append(calendar.staff_id)
    return [
        FreeStart(start=start, end=start + rules.duration, staff_ids=tuple(staff_by_start[start]))
        for start in sorted(staff_by_start)
    ]


@dataclass(frozen=True)
class PerDay:
    """An early exit per day: stop a day (a local date in `zone`) once `limit` of its starts satisfy `counts`. No
    start before `counts_from` satisfies it (a start too late to book), when that is known."""

    limit: int
    zone: ZoneInfo
    counts: Callable[[datetime], bool]
    counts_from: datetime | None = None


def first_free_starts_per_day(
    calendars: list[StaffCalendar],
    rules: AppointmentRules,
    window_start: datetime,
    window_end: datetime,
    *,
    limit: int,
    zone: ZoneInfo,
    counts: Callable[[datetime], bool],
    counts_from: datetime | None = None,
) -> list[FreeStart]:
    """What `free_appointment_starts` gives, cut short on each day (the reader's local date in `zone`) once `limit`
    of its starts satisfy `counts` (are bookable): a day's starts up to and including its `limit`-th counted one, or
    all of them. Keeping at most `limit` a day, counted ones first, from this gives what it gives from the full list
    (wix-api.md §4.2, `timeSlotsPerDay`), for a fraction of the work when a month is asked for one start a day.

    Starts are made day by day as the walk reaches them, in time order, and each staff member is checked at a start
    against its intervals indexed for search. The rest of a full day is not checked (nor made, when the reader's day
    ends with the business's); when every staff member has a start in their hours and is blocked at it, the walk
    moves on to the earliest end of what blocks them. With `counts_from` (no start before it counts), a day that
    has `limit` starts before it is not checked again until then: the cut keeps the earliest uncounted starts, so
    later ones could never be kept (today's past hours, a minimum notice of days)."""
    hour_sets: dict[tuple[WeeklyHours, ...], int] = {}  # the distinct sets of hours, numbered; staff often share one
    staff = []  # (id, the number of its set of hours, time off, busy)
    for calendar in calendars:
        hours = tuple(sorted(calendar.weekly_hours, key=lambda h: (h.weekday, h.start, h.end)))
        staff.append((calendar.staff_id, hour_sets.setdefault(hours, len(hour_sets)),
                      _IntervalIndex(calendar.time_off), _IntervalIndex(calendar.busy)))
    weekdays = [_by_weekday(hours) for hours in hour_sets]
    tz, length, reach = rules.time_zone, rules.duration, rules.duration + rules.buffer
    found: list[FreeStart] = []
    day, full_day, counted, kept = None, None, 0, 0
    skip_until = None  # after a full day: the reader's next midnight, when it is a plain instant
    # No start before this can have anyone free: at the last start checked, each staff member was blocked by
    # something lasting at least until then.
    resume = window_start
    for business_day in local_dates(window_start, window_end, tz):
        blocks = [(index, hours) for index, by_weekday in enumerate(weekdays)
                  for hours in by_weekday.get(business_day.weekday(), ())]
        day_end = to_utc(datetime.combine(business_day + timedelta(days=1), time(0)), tz)
        if not blocks or resume >= day_end or (skip_until is not None and skip_until >= day_end):
            continue
        for start, hour_set in _starts_in_order(business_day, blocks, rules):
            if start < resume or (skip_until is not None and start < skip_until):
                continue
            if start >= window_end:
                return found
            start_day = start.astimezone(zone).date()
            if start_day == full_day or (start_day == day and kept >= limit and counts_from is not None
                                         and start < counts_from):
                continue
            end, busy_end = start + length, start + reach
            free, until = [], []
            for staff_id, own, off, busy in staff:
                if own not in hour_set:
                    until.append(start)  # its next start may come before the others' blocks end
                elif (blocked := off.blocked_until(start, end) or busy.blocked_until(start, busy_end)) is not None:
                    until.append(blocked)
                else:
                    free.append(staff_id)
            if not free:
                resume = min(until)
                continue
            free = tuple(free)
            if start_day != day:
                day, counted, kept = start_day, 0, 0
            found.append(FreeStart(start=start, end=end, staff_ids=free))
            kept += 1
            if counts(start):
                counted += 1
                if counted == limit:
                    full_day, skip_until = day, _next_midnight(day, zone)
                    if skip_until is not None and skip_until >= day_end:
                        break
    return found


def _starts_in_order(day: date, blocks: list[tuple[int, WeeklyHours]],
                     rules: AppointmentRules) -> Iterator[tuple[datetime, Collection[int]]]:
    """(start, the indexes of the sets of hours that have it) for the local `day`'s `blocks` ((index, hours)), in
    time order, each start once."""
    offset = _fixed_offset(day, rules.time_zone)
    if len(blocks) == 1:  # one set of hours with one block today, as most days are: nothing to merge
        index, hours = blocks[0]
        only = (index,)
        for start in _block_starts(day, hours, rules, offset):
            yield start, only
        return
    merged = heapq.merge(*(zip(_block_starts(day, hours, rules, offset), itertools.repeat(index))
                           for index, hours in blocks))
    for start, group in itertools.groupby(merged, key=lambda pair: pair[0]):
        yield start, {index for _, index in group}


def _next_midnight(day: date, zone: ZoneInfo) -> datetime | None:
    """The instant `day` ends in `zone` when the day has no DST change; None on a day with one (where local dates can
    even repeat, as when clocks go back at midnight), whose starts are then told apart one by one."""
    offset = _fixed_offset(day, zone)
    if offset is None:
        return None
    return (datetime.combine(day + timedelta(days=1), time(0)) - offset).replace(tzinfo=UTC)


def policy_violations(start: datetime, now: datetime, policy: PolicyRules) -> Violations:
    """How booking a session starting at `start` breaks the policy at `now`; minutes are elapsed time."""
    return policy_check(now, policy)(start)


def bookable_from(now: datetime, policy: PolicyRules) -> datetime:
    """No start before this instant can be booked at `now`: it has begun, or it is inside the minimum notice."""
    now = now.astimezone(UTC)
    return now + policy.latest_booking if policy.limit_late_booking_enabled else now


def policy_check(now: datetime, policy: PolicyRules) -> Callable[[datetime], Violations]:
    """`policy_violations` at one `now` for many starts: the limits are worked out once, and the starts that are
    not too early share one answer per outcome (a week of slots has two at most)."""
    # In UTC: arithmetic on datetimes that share a ZoneInfo is wall-clock arithmetic, wrong across DST.
    now = now.astimezone(UTC)
    earliest = now + policy.earliest_booking if policy.limit_early_booking_enabled else None
    latest = bookable_from(now, policy)
    disabled = not policy.online_booking_enabled
    shared = {late: Violations(too_late_to_book=late, book_online_disabled=disabled) for late in (False, True)}

    def check(start: datetime) -> Violations:
        start = start.astimezone(UTC)
        too_late = start <= now or start < latest
        if earliest is not None and start > earliest:
            return Violations(too_early_to_book=True, earliest_booking_date=start - policy.earliest_booking,
                              too_late_to_book=too_late, book_online_disabled=disabled)
        return shared[too_late]

    return check


# ---- classes and courses -----------------------------------------------------------------------------------


def weekly_occurrences(weekday: int, start: time, first_day: date, last_day: date,
                       tz: ZoneInfo) -> list[tuple[date, datetime]]:
    """The (local date, UTC start) of a weekly session from `first_day` to `last_day` inclusive.

    A start in a DST gap moves on by the gap (02:30 on the spring-forward night becomes 03:30); a start that
    happens twice is taken at its first occurrence."""
    day = first_day + timedelta(days=(weekday - first_day.weekday()) % 7)
    found = []
    while day <= last_day:
        found.append((day, to_utc(datetime.combine(day, start), tz)))
        day += timedelta(weeks=1)
    return found


@dataclass(frozen=True)
class Places:
    """How many places a class session or a course has, and why it may not be bookable."""

    total: int
    remaining: int
    cancelled: bool = False

    def bookable_for(self, participants: int, violations: Violations) -> bool:
        return not self.cancelled and self.remaining >= participants and not violations.any


def places(capacity: int, booked: int, *, cancelled: bool = False) -> Places:
    return Places(total=capacity, remaining=max(capacity - booked, 0), cancelled=cancelled)


def course_violations(first_start: datetime, last_end: datetime, now: datetime, policy: PolicyRules,
                      *, book_after_start: bool) -> Violations:
    """Wix's course rules: ended once the last session is over; too late once the first has started (unless the
    policy lets people join a running course, then only the minimum notice before the first session counts);
    too early by the earliest-booking limit before the first session."""
    first_start, last_end, now = first_start.astimezone(UTC), last_end.astimezone(UTC), now.astimezone(UTC)
    started = first_start <= now
    if last_end <= now:
        too_late = True
    elif started:
        too_late = not book_after_start
    else:
        too_late = policy.limit_late_booking_enabled and first_start < now + policy.latest_booking
    too_early = policy.limit_early_booking_enabled and first_start > now + policy.earliest_booking
    return Violations(
        too_early_to_book=too_early,
        earliest_booking_date=first_start - policy.earliest_booking if too_early else None,
        too_late_to_book=too_late,
        book_online_disabled=not policy.online_booking_enabled,
    )


# ---- multi-service packages --------------------------------------------------------------------------------


class _StaffDay:
    """One staff member's calendar, indexed for "free for this appointment at exactly this start?"."""

    def __init__(self, calendar: StaffCalendar, tz: ZoneInfo):
        self.staff_id = calendar.staff_id
        self.hours = calendar.weekly_hours
        self.tz = tz
        self.time_off = _IntervalIndex(calendar.time_off)
        self.busy = _IntervalIndex(calendar.busy)

    def free_at(self, start: datetime, rules: AppointmentRules) -> bool:
        end = start + rules.duration
        day = start.astimezone(self.tz).date()
        inside = any(
            h.weekday == day.weekday()
            and to_utc(datetime.combine(day, h.start), self.tz) <= start
            and end <= to_utc(datetime.combine(day, h.end), self.tz)
            for h in self.hours
        )
        return inside and not self.time_off.collides(start, end) and not self.busy.collides(start, end + rules.buffer)


def free_staff_at(calendars: list[StaffCalendar], rules: AppointmentRules, start: datetime) -> list[str]:
    """The staff free for the appointment at exactly `start`, on or off the slot grid (a package's later parts
    start when the part before ends)."""
    return [c.staff_id for c in calendars if _StaffDay(c, rules.time_zone).free_at(start, rules)]


@dataclass(frozen=True)
class SequenceStart:
    start: datetime
    parts: tuple[FreeStart, ...]  # one per service, back to back, each with the staff free for it


def sequential_starts(
    parts: list[tuple[list[StaffCalendar], AppointmentRules]], window_start: datetime, window_end: datetime
) -> list[SequenceStart]:
    """Starts at which the services can follow each other with no gap, in order, each part with a staff member
    free for it. One person may take several parts when their buffer allows (see `assign_staff`). The first part
    keeps its slot interval; each other part starts when the one before ends."""
    first_calendars, first_rules = parts[0]
    later = [([_StaffDay(c, rules.time_zone) for c in calendars], rules) for calendars, rules in parts[1:]]
    buffers = [rules.buffer for _, rules in parts]
    found = []
    for first in free_appointment_starts(first_calendars, first_rules, window_start, window_end):
        sequence, at = [first], first.end
        for days, rules in later:
            free = tuple(d.staff_id for d in days if d.free_at(at, rules))
            if not free:
                break
            sequence.append(FreeStart(start=at, end=at + rules.duration, staff_ids=free))
            at += rules.duration
        else:
            if assign_staff(sequence, buffers) is not None:
                found.append(SequenceStart(start=first.start, parts=tuple(sequence)))
    return found


def assign_staff(parts: list[FreeStart], buffers: list[timedelta]) -> tuple[str, ...] | None:
    """One staff member per part, from each part's free staff in order, such that whoever takes two parts has
    finished the first and its buffer before the second starts; None if there is no such choice."""

    def pick(index: int, chosen: tuple[str, ...], busy_until: dict[str, datetime]):
        if index == len(parts):
            return chosen
        part = parts[index]
        for staff_id in part.staff_ids:
            if busy_until.get(staff_id, part.start) <= part.start:
                later = {**busy_until, staff_id: part.end + buffers[index]}
                if (result := pick(index + 1, (*chosen, staff_id), later)) is not None:
                    return result
        return None

    return pick(0, (), {})
