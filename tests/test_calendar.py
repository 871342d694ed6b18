"""The month calendar's dates (booking/views/calendar.py): which month and day an address asks for, the months it
may page to, the day it falls on, and the weeks of a month. Pure date arithmetic: no database."""

from datetime import date

import pytest

from booking.errors import InvalidArgument
from booking.views.calendar import CLOSED, OPEN, Links, Month, choose, requested, weekday_names, weekdays, weeks

TODAY = date(2026, 1, 31)  # the last day of a month, before a short one


def test_a_month_starts_today_and_pages_forward_to_the_horizon():
    month = Month(date(2026, 1, 1), TODAY)
    assert (month.start, month.end) == (TODAY, date(2026, 2, 1))
    assert month.previous is None and month.next == date(2026, 2, 1)
    assert Month(date(2026, 2, 1), TODAY).previous == date(2026, 1, 1)
    # 52 weeks from Saturday 31 January 2026 is Saturday 30 January 2027: its month is the last, cut after that day.
    last = Month(date(2027, 1, 1), TODAY)
    assert last.last_day == date(2027, 1, 30)
    assert (last.start, last.end, last.next) == (date(2027, 1, 1), date(2027, 1, 31), None)
    assert last.listed(date(2027, 1, 30)) and not last.listed(date(2027, 1, 31))


@pytest.mark.parametrize(("query", "month", "day"), [
    ({}, date(2026, 1, 1), None),
    ({"month": "2026-03"}, date(2026, 3, 1), None),
    ({"day": "2026-03-10"}, date(2026, 3, 1), date(2026, 3, 10)),
    ({"month": "2026-05", "day": "2026-03-10"}, date(2026, 3, 1), date(2026, 3, 10)),  # the day decides
    ({"month": "2025-11", "day": "2026-01-02"}, date(2026, 1, 1), None),  # past: the current month
    ({"day": "2027-01-30"}, date(2027, 1, 1), date(2027, 1, 30)),
])
def test_the_address_names_a_month_and_maybe_a_day(query, month, day):
    asked = requested(query, TODAY)
    assert (asked[0].first, asked[1]) == (month, day)


@pytest.mark.parametrize("query", [{"month": "2026-1"}, {"month": "March"}, {"month": "2026-13"},
                                   {"day": "2026-02-30"}, {"day": "tomorrow"}, {"month": "2027-02"},
                                   {"day": "2027-01-31"}])
def test_malformed_months_and_days_or_ones_beyond_the_horizon_are_refused(query):
    with pytest.raises(InvalidArgument):
        requested(query, TODAY)


def test_the_day_shown_is_the_one_asked_for_if_it_has_times_else_the_next_open_one():
    states = {date(2026, 3, 3): CLOSED, date(2026, 3, 5): OPEN, date(2026, 3, 12): OPEN}
    assert choose(states, None, keep={OPEN}) == date(2026, 3, 5)
    assert choose(states, date(2026, 3, 12), keep={OPEN}) == date(2026, 3, 12)
    assert choose(states, date(2026, 3, 6), keep={OPEN}) == date(2026, 3, 12)
    assert choose(states, date(2026, 3, 20), keep={OPEN}) == date(2026, 3, 5)  # none after it: the first
    assert choose(states, date(2026, 3, 3), keep={OPEN}) == date(2026, 3, 5)
    assert choose(states, date(2026, 3, 3), keep={OPEN, CLOSED}) == date(2026, 3, 3)  # a full class day, as asked
    assert choose({date(2026, 3, 3): CLOSED}, None, keep={OPEN, CLOSED}) is None


def test_the_weeks_of_a_month_start_on_sunday_and_link_the_days_with_times():
    assert [d.strftime("%a") for d in weekdays()] == ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    assert weekday_names()[:2] == (("Sun", "Sunday"), ("Mon", "Monday"))
    month = Month(date(2026, 3, 1), date(2026, 3, 1))
    grid = weeks(month, {date(2026, 3, 2): OPEN, date(2026, 3, 3): CLOSED}, date(2026, 3, 2),
                 Links([("staff", "any"), ("tz", "Europe/London")]), "times available")
    assert len(grid) == 5 and all(len(week) == 7 for week in grid)
    assert grid[0][0].date == date(2026, 3, 1) and grid[0][0].today and grid[0][0].href is None
    monday, tuesday = grid[0][1], grid[0][2]
    assert monday.href == "?month=2026-03&day=2026-03-02&staff=any&tz=Europe%2FLondon"
    assert (monday.state, monday.chosen, monday.words) == (OPEN, True, "Monday 2 March")
    assert (tuesday.state, tuesday.chosen, tuesday.words) == (CLOSED, False, "Tuesday 3 March")
    assert grid[0][0].cell == '<span class="calendar__day calendar__day--today">1</span>'
    assert monday.cell == ('<a class="calendar__day calendar__day--open" href="?month=2026-03&amp;day=2026-03-02'
                           '&amp;staff=any&amp;tz=Europe%2FLondon" aria-current="true"'
                           ' aria-label="Monday 2 March, times available">2</a>')
    assert tuesday.label == "Tuesday 3 March, full or closed"
    assert 'class="calendar__day calendar__day--closed" href=' in tuesday.cell
    assert grid[4][2].date == date(2026, 3, 31) and grid[4][3:] == [None] * 4  # April's days are padding
    assert Links([("staff", "7")]).month(date(2026, 4, 1)) == "?month=2026-04&staff=7"
