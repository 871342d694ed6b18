"""The early exit per day (`timeSlotsPerDay`): the engine stops a day once it has enough bookable starts, and what it
returns is the full listing cut to that many a day, bookable first."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st

from booking import models
from booking.availability import (
    Interval,
    StaffCalendar,
    WeeklyHours,
    first_free_starts_per_day,
    free_appointment_starts,
)
from booking.backends.local.slots import per_day
from tests.catalog import make_business, make_policy, make_service, make_staff, weekdays
from tests.test_availability import ZONES, rules, scenarios

NY = ZoneInfo("America/New_York")


def cut(starts, limit, day_of, counts):
    """The full list kept to `limit` a day, counted ones first, in time order (wix-api.md §4.2)."""
    days: dict[date, list] = {}
    for start in starts:
        days.setdefault(day_of(start.start), []).append(start)
    kept = []
    for found in days.values():
        kept += sorted(sorted(found, key=lambda s: not counts(s.start))[:limit], key=lambda s: s.start)
    return kept


@settings(max_examples=300, deadline=None)
@given(scenarios(), st.integers(1, 4), ZONES, st.integers(0, 7), st.none() | st.integers(0, 10 * 24 * 60))
def test_cutting_the_early_exit_gives_the_full_listing_cut(scenario, limit, reader_zone, every, notice):
    tz, blocks, rule, (window_start, window_end), busy = scenario
    # Nothing counts before `counts_from` (a start too late to book), which the walk may be told.
    counts_from = None if notice is None else window_start + timedelta(minutes=notice)
    reader = ZoneInfo(reader_zone)
    # Two staff with different sets of hours (one a part of the other), and a third whose days are split in two
    # overlapping blocks, with time off: starts that some staff have and others lack, and starts two blocks of one
    # day both give.
    split = tuple(part for b in blocks for part in (WeeklyHours(b.weekday, b.start, _later(b.start, b.end, 2)),
                                                    WeeklyHours(b.weekday, _later(b.start, b.end, 1), b.end)))
    calendars = [StaffCalendar("1", blocks, busy=busy), StaffCalendar("2", blocks[:1], busy=busy[::2]),
                 StaffCalendar("3", split, time_off=busy[:1], busy=busy[1::2])]

    def day_of(start):
        return start.astimezone(reader).date()

    def counts(start):  # some starts are not bookable, as a policy makes them
        if counts_from is not None and start < counts_from:
            return False
        return every == 0 or int(start.timestamp() // 1800) % (every + 1) != 0

    full = free_appointment_starts(calendars, rule, window_start, window_end)
    early = first_free_starts_per_day(calendars, rule, window_start, window_end, limit=limit, zone=reader,
                                      counts=counts, counts_from=counts_from)
    assert cut(early, limit, day_of, counts) == cut(full, limit, day_of, counts)
    assert len(early) <= len(full)


def _later(start: time, end: time, parts: int = 1) -> time:
    """A time `parts` thirds of the way from `start` to `end`, to the minute."""
    minutes = start.hour * 60 + start.minute
    minutes += (end.hour * 60 + end.minute - minutes) * parts // 3
    return time(*divmod(minutes, 60))


@settings(max_examples=300, deadline=None)
@given(scenarios(), st.integers(1, 3), ZONES, st.integers(1, 12))
def test_the_walk_jumps_past_what_blocks_everyone_as_the_full_listing_would(scenario, limit, reader_zone, stretch):
    # Staff sharing their hours, as the walk's jumps need (every one has each start), with time off up to days long:
    # the walk moves past blocked starts, into later days, and skips days it has passed.
    tz, blocks, rule, (window_start, window_end), busy = scenario
    reader = ZoneInfo(reader_zone)
    off = tuple(Interval(b.start, b.start + (b.end - b.start) * stretch) for b in busy[::2])
    calendars = [StaffCalendar("1", blocks, time_off=off, busy=busy[1::2]),
                 StaffCalendar("2", blocks, time_off=off[::2], busy=busy)]

    def day_of(start):
        return start.astimezone(reader).date()

    def counts(start):
        return True

    full = free_appointment_starts(calendars, rule, window_start, window_end)
    early = first_free_starts_per_day(calendars, rule, window_start, window_end, limit=limit, zone=reader,
                                      counts=counts)
    assert cut(early, limit, day_of, counts) == cut(full, limit, day_of, counts)


def test_a_day_stops_at_its_limit():
    tz = NY
    rule = rules(tz, duration=60, interval=30)
    calendar = StaffCalendar("1", tuple(WeeklyHours(d, time(9), time(17)) for d in range(7)))
    start = datetime(2026, 3, 2, tzinfo=tz).astimezone(UTC)
    early = first_free_starts_per_day([calendar], rule, start, start + timedelta(days=3), limit=1,
                                      zone=tz, counts=lambda s: True)
    assert [s.start.astimezone(tz).strftime("%d %H:%M") for s in early] == ["02 09:00", "03 09:00", "04 09:00"]


def test_a_day_before_it_counts_stops_at_its_limit_of_starts_that_do_not():
    # Nothing counts before Tuesday 15:00 (a minimum notice): Monday keeps its first start only, as the full
    # listing cut to one a day would; Tuesday's first counted start is its first at or after 15:00.
    rule = rules(NY, duration=60, interval=30)
    calendar = StaffCalendar("1", tuple(WeeklyHours(d, time(9), time(17)) for d in range(7)))
    start = datetime(2026, 3, 2, tzinfo=NY).astimezone(UTC)
    counts_from = datetime(2026, 3, 3, 15, tzinfo=NY).astimezone(UTC)
    early = first_free_starts_per_day([calendar], rule, start, start + timedelta(days=3), limit=1, zone=NY,
                                      counts=lambda s: s >= counts_from, counts_from=counts_from)
    assert [s.start.astimezone(NY).strftime("%d %H:%M") for s in early] == ["02 09:00", "03 09:00", "03 15:00",
                                                                           "04 09:00"]


def test_time_off_may_begin_in_the_buffer_and_blocks_the_walk_until_it_ends():
    # The buffer keeps bookings apart, not a booking from time off: 09:00-10:00 is free before time off at 10:00.
    # The next day, time off from 08:00 to 12:30 moves the walk past every start it covers.
    rule = rules(NY, duration=60, interval=30, buffer=30)
    off = tuple(Interval(datetime(2026, 3, day, hour, tzinfo=NY), datetime(2026, 3, day, end_hour, 30, tzinfo=NY))
                for day, hour, end_hour in [(2, 10, 11), (3, 8, 12)])
    calendar = StaffCalendar("1", tuple(WeeklyHours(d, time(9), time(17)) for d in range(7)), time_off=off)
    start = datetime(2026, 3, 2, tzinfo=NY).astimezone(UTC)
    early = first_free_starts_per_day([calendar], rule, start, start + timedelta(days=2), limit=1, zone=NY,
                                      counts=lambda s: True)
    assert [s.start.astimezone(NY).strftime("%d %H:%M") for s in early] == ["02 09:00", "03 12:30"]


def test_time_off_into_the_next_day_skips_only_what_it_covers():
    # Both staff off from 21:45 until 20:00 the next day: the walk resumes at 20:00 on that day, not a day later.
    rule = rules(NY, duration=60, interval=30, buffer=0)
    off = (Interval(datetime(2026, 3, 2, 21, 45, tzinfo=NY), datetime(2026, 3, 3, 20, tzinfo=NY)),)
    hours = tuple(WeeklyHours(d, time(9), time(23)) for d in range(7))
    calendars = [StaffCalendar("1", hours, time_off=off), StaffCalendar("2", hours, time_off=off)]
    start = datetime(2026, 3, 2, tzinfo=NY).astimezone(UTC)
    early = first_free_starts_per_day(calendars, rule, start, start + timedelta(days=2), limit=1, zone=NY,
                                      counts=lambda s: False)  # nothing counts: every free start is listed
    assert early == free_appointment_starts(calendars, rule, start, start + timedelta(days=2))
    assert [s.start.astimezone(NY).strftime("%d %H:%M") for s in early][-6:] == [
        "02 20:30", "03 20:00", "03 20:30", "03 21:00", "03 21:30", "03 22:00"]


# ---- through the engine, on the database -------------------------------------------------------------------


@pytest.fixture
def spa():
    make_business()
    make_policy()
    ana = make_staff("Ana", weekdays(time(9), time(17)))
    ben = make_staff("Ben", weekdays(time(12), time(18), days=range(1, 6)))
    massage = make_service([ana, ben], time_between_sessions=15, slot_interval_minutes=30)
    for day, hour, staff in [(2, 9, ana), (2, 11, ana), (3, 12, ben), (4, 9, ana), (9, 9, ana), (9, 11, ana)]:
        start = datetime(2026, 3, day, hour, tzinfo=NY)
        models.Booking.objects.create(
            service=massage, staff=staff, location=massage.locations.get(), start=start,
            end=start + timedelta(hours=1), occupied_until=start + timedelta(minutes=75), time_zone="America/New_York",
            status=models.BookingStatus.CONFIRMED, price=80, currency="USD", first_name="A", last_name="B",
            email="a@example.com")
    return {"ana": ana, "ben": ben, "massage": massage}


CASES = [  # per day, policy (None: the default's own), customer's zone, staff
    (1, {}, None, None),
    (2, {}, "Asia/Tokyo", None),
    (3, {"limit_early_booking_enabled": True, "earliest_booking_in_minutes": 3 * 24 * 60}, None, None),
    (1, {"limit_early_booking_enabled": True, "earliest_booking_in_minutes": 2 * 24 * 60 + 5 * 60}, None, "ben"),
    (2, {"limit_late_booking_enabled": True, "latest_booking_in_minutes": 26 * 60}, "Europe/London", "ana"),
    (1, {"online": False}, None, None),
]


@pytest.mark.usefixtures("frozen_clock")
@pytest.mark.django_db
@pytest.mark.parametrize(("limit", "policy", "zone", "staff"), CASES)
def test_the_engine_per_day_listing_is_the_full_listing_cut(engine, spa, limit, policy, zone, staff):
    if policy.pop("online", True) is False:
        models.Service.objects.update(online_booking_enabled=False)
    models.BookingPolicy.objects.update(**policy)
    asked = {"service_id": str(spa["massage"].pk), "from_local_date": "2026-03-01T00:00:00",
             "to_local_date": "2026-04-01T00:00:00", "time_zone": zone,
             "resource_ids": [str(spa[staff].pk)] if staff else None}
    engine.list_availability_time_slots(**asked)  # reads the catalog, which later listings find kept
    with CaptureQueriesContext(connection) as full_queries:
        full = engine.list_availability_time_slots(**asked).time_slots
    with CaptureQueriesContext(connection) as early_queries:
        early = engine.list_availability_time_slots(**asked, time_slots_per_day=limit).time_slots
    assert list(early) == per_day(list(full), limit)
    assert len(early) < len(full)
    assert len(early_queries) == len(full_queries)
