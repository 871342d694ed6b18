"""The pure availability core: examples on DST days, and properties that hold for any zone and any rules."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from booking.availability import (
    AppointmentRules,
    Interval,
    PolicyRules,
    StaffCalendar,
    WeeklyHours,
    free_appointment_starts,
    free_starts_for_staff,
    policy_violations,
    wall_time_exists,
)

NY = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")


def rules(tz, duration=60, buffer=0, interval=30):
    return AppointmentRules(tz, timedelta(minutes=duration), timedelta(minutes=buffer), timedelta(minutes=interval))


def day_window(day: date, tz) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tz).astimezone(UTC)
    return start, end


def every_day(start: time, end: time) -> tuple[WeeklyHours, ...]:
    return tuple(WeeklyHours(d, start, end) for d in range(7))


def local_starts(starts, tz) -> list[str]:
    return [s.astimezone(tz).strftime("%H:%M") for s in starts]


def test_spring_forward_skips_the_missing_hour_in_new_york():
    # 8 March 2026: 02:00 becomes 03:00 in New York.
    calendar = StaffCalendar("1", every_day(time(1), time(5)))
    starts = free_starts_for_staff(calendar, rules(NY, duration=30), *day_window(date(2026, 3, 8), NY))
    assert local_starts(starts, NY) == ["01:00", "01:30", "03:00", "03:30", "04:00", "04:30"]
    # Elapsed time: 01:30 EST + 30 minutes is 03:00 EDT, and nothing overlaps.
    assert all(b - a >= timedelta(minutes=30) for a, b in zip(starts, starts[1:], strict=False))


def test_fall_back_offers_the_repeated_hour_once_in_new_york():
    # 1 November 2026: 02:00 becomes 01:00 again.
    calendar = StaffCalendar("1", every_day(time(0), time(4)))
    starts = free_starts_for_staff(calendar, rules(NY, duration=60, interval=60), *day_window(date(2026, 11, 1), NY))
    assert local_starts(starts, NY) == ["00:00", "01:00", "02:00", "03:00"]
    assert len(set(starts)) == len(starts)
    # The day is 25 hours long, so 00:00–04:00 local is five elapsed hours; a 60-minute slot at 01:00 EDT fits.
    assert starts[1] == datetime(2026, 11, 1, 5, 0, tzinfo=UTC)


def test_working_hours_stay_at_the_same_wall_time_across_the_london_change():
    calendar = StaffCalendar("1", every_day(time(9), time(10)))
    before = free_starts_for_staff(calendar, rules(LONDON), *day_window(date(2026, 3, 28), LONDON))
    after = free_starts_for_staff(calendar, rules(LONDON), *day_window(date(2026, 3, 30), LONDON))
    assert local_starts(before, LONDON) == local_starts(after, LONDON) == ["09:00"]
    assert before[0].hour == 9 and after[0].hour == 8  # GMT, then BST


def test_a_customer_in_sydney_sees_a_new_york_slot_on_their_own_day():
    calendar = StaffCalendar("1", every_day(time(17), time(18)))
    [start] = free_starts_for_staff(calendar, rules(NY), *day_window(date(2026, 3, 2), NY))
    assert start.astimezone(ZoneInfo("Australia/Sydney")).strftime("%a %H:%M") == "Tue 09:00"


def test_busy_time_and_buffers_block_both_ways():
    day = date(2026, 3, 2)
    busy = Interval(datetime(2026, 3, 2, 11, tzinfo=NY), datetime(2026, 3, 2, 12, 30, tzinfo=NY))
    calendar = StaffCalendar("1", every_day(time(9), time(14)), busy=(busy,))
    starts = free_starts_for_staff(calendar, rules(NY, buffer=30), *day_window(day, NY))
    assert local_starts(starts, NY) == ["09:00", "09:30", "12:30", "13:00"]


def test_any_staff_merges_starts_and_lists_who_is_free():
    day = date(2026, 3, 2)
    ana = StaffCalendar("ana", every_day(time(9), time(11)))
    ben = StaffCalendar("ben", every_day(time(10), time(12)))
    free = free_appointment_starts([ana, ben], rules(NY, interval=60), *day_window(day, NY))
    assert [(local_starts([f.start], NY)[0], f.staff_ids) for f in free] == [
        ("09:00", ("ana",)), ("10:00", ("ana", "ben")), ("11:00", ("ben",))]


def test_policy_minutes_are_elapsed_time_across_a_dst_change():
    now = datetime(2026, 3, 7, 12, tzinfo=NY)  # the day before the change
    start = datetime(2026, 3, 8, 12, tzinfo=NY)  # 23 elapsed hours later
    policy = PolicyRules(limit_late_booking_enabled=True, latest_booking=timedelta(hours=24))
    assert policy_violations(start, now, policy).too_late_to_book
    early = PolicyRules(limit_early_booking_enabled=True, earliest_booking=timedelta(hours=22))
    violation = policy_violations(start, now, early)
    # 22 elapsed hours before 12:00 EDT (16:00 UTC); wall-clock arithmetic would say 19:00 UTC.
    assert violation.too_early_to_book and violation.earliest_booking_date == datetime(2026, 3, 7, 18, tzinfo=UTC)


# ---- properties -------------------------------------------------------------------------------------------

ZONES = st.sampled_from(["America/New_York", "Europe/London", "Australia/Sydney", "Asia/Kolkata",
                         "America/Santiago", "Pacific/Chatham", "Europe/Berlin", "UTC"])


@st.composite
def scenarios(draw):
    tz = ZoneInfo(draw(ZONES))
    day = draw(st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31)))
    blocks = []
    for weekday in draw(st.sets(st.integers(0, 6), min_size=1)):
        start_minute = draw(st.integers(0, 22 * 60))
        end_minute = draw(st.integers(start_minute + 15, 24 * 60 - 1))
        blocks.append(WeeklyHours(weekday, time(*divmod(start_minute, 60)), time(*divmod(end_minute, 60))))
    rule = rules(tz, duration=draw(st.sampled_from([15, 30, 45, 60, 90])), buffer=draw(st.sampled_from([0, 10, 30])),
                 interval=draw(st.sampled_from([15, 30, 60])))
    window = (datetime.combine(day, time(0), tz).astimezone(UTC),
              datetime.combine(day + timedelta(days=draw(st.integers(1, 9))), time(0), tz).astimezone(UTC))
    busy = []
    for _ in range(draw(st.integers(0, 6))):
        offset = timedelta(minutes=draw(st.integers(0, 9 * 24 * 60)))
        length = timedelta(minutes=draw(st.integers(15, 180)))
        busy.append(Interval(window[0] + offset, window[0] + offset + length))
    return tz, tuple(blocks), rule, window, tuple(busy)


@settings(max_examples=300, deadline=None)
@given(scenarios())
def test_slots_respect_hours_busy_time_order_and_dst(scenario):
    tz, blocks, rule, (window_start, window_end), busy = scenario
    calendar = StaffCalendar("1", blocks, busy=busy)
    starts = free_starts_for_staff(calendar, rule, window_start, window_end)

    assert all(a < b for a, b in zip(starts, starts[1:], strict=False)), "starts strictly increase"
    for start in starts:
        end = start + rule.duration
        assert window_start <= start < window_end
        local = start.astimezone(tz)
        assert wall_time_exists(local.replace(tzinfo=None), tz), "no start in a DST gap"
        assert not any(b.overlaps(start, end + rule.buffer) for b in busy), "clear of busy time and buffers"
        inside = any(
            block.weekday == local.weekday()
            and block.start <= local.time()
            and start + rule.duration <= datetime.combine(local.date(), block.end, tz).astimezone(UTC)
            for block in blocks
        )
        assert inside, "inside working hours in local time"
    walls = [s.astimezone(tz).replace(tzinfo=None) for s in starts]
    assert len(walls) == len(set(walls)), "a wall-clock time that happens twice is offered once"


def test_the_fast_path_for_days_without_a_dst_change_gives_the_same_starts(monkeypatch):
    from booking import availability

    zones = ["America/New_York", "Australia/Lord_Howe", "America/Havana"]  # Lord Howe shifts 30 min; Havana at 00:00
    weekly = tuple(WeeklyHours(d, time(0), time(23, 59)) for d in range(7))
    fast = {}
    for zone in zones:
        tz = ZoneInfo(zone)
        window = (datetime(2026, 1, 1, tzinfo=tz).astimezone(UTC), datetime(2027, 1, 1, tzinfo=tz).astimezone(UTC))
        fast[zone] = availability.candidate_starts(weekly, rules(tz, duration=30, interval=45), *window)
    monkeypatch.setattr(availability, "_fixed_offset", lambda day, tz: None)  # every day the careful way
    for zone in zones:
        tz = ZoneInfo(zone)
        window = (datetime(2026, 1, 1, tzinfo=tz).astimezone(UTC), datetime(2027, 1, 1, tzinfo=tz).astimezone(UTC))
        assert availability.candidate_starts(weekly, rules(tz, duration=30, interval=45), *window) == fast[zone]
