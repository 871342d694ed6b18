"""The month calendar of a service's page: the month and day an address asks for, the weeks of that month with the
days that have open times marked, and the links between them.

Dates are the customer's local dates, in the zone they read times in. Every link carries the month, the day (for a
day), and the filters of the page (staff, zone), so that each works as a plain link without JavaScript.
"""

import calendar
import functools
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape
from urllib.parse import urlencode

from django.utils import dateformat, formats, translation
from django.utils.safestring import SafeString, mark_safe

from booking.errors import InvalidArgument

MAX_WEEKS_AHEAD = 52
HORIZON = timedelta(weeks=MAX_WEEKS_AHEAD)  # bookings open at most a year ahead; the last month shown holds it
OPEN, CLOSED = "open", "closed"  # a day with times to choose; a day whose sessions are all full, cancelled or closed


def _month_after(first: date) -> date:
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1)


@dataclass(frozen=True)
class Month:
    """A month of the calendar (`first` is its 1st) as seen on `today`."""

    first: date
    today: date

    @property
    def last_day(self) -> date:
        """The last day that can be booked at all."""
        return self.today + HORIZON

    @property
    def start(self) -> date:
        """The first day of this month that is listed: today in the current month."""
        return max(self.first, self.today)

    @property
    def end(self) -> date:
        """The day after the last one listed: the next month's 1st, or the day after the horizon."""
        return min(_month_after(self.first), self.last_day + timedelta(days=1))

    @property
    def previous(self) -> date | None:
        before = (self.first - timedelta(days=1)).replace(day=1)
        return before if before >= self.today.replace(day=1) else None

    @property
    def next(self) -> date | None:
        after = _month_after(self.first)
        return after if after <= self.last_day else None

    def listed(self, day: date) -> bool:
        return self.start <= day < self.end


def requested(params, today: date) -> tuple[Month, date | None]:
    """The month and the day asked for by ?month=YYYY-MM and ?day=YYYY-MM-DD; the day, when given, decides the month.
    A month or day already past means the current one (old links keep working); beyond the horizon, or malformed,
    raises InvalidArgument."""
    day = _parse(params.get("day"), date.fromisoformat, "That day is not a date like 2026-12-08.")
    month = _parse(params.get("month"), lambda raw: date.fromisoformat(f"{raw}-01"),
                   "That month is not a month like 2026-12.")
    if day is not None and day < today:
        day = None
    first = (day or month or today).replace(day=1)
    if first < today.replace(day=1):
        first = today.replace(day=1)
    chosen = Month(first, today)
    if (day or chosen.first) > chosen.last_day:
        raise InvalidArgument("Bookings open at most a year ahead.")
    return chosen, day


def _parse(raw, parse, message):
    if not raw:
        return None
    try:
        return parse(raw)
    except ValueError as exc:
        raise InvalidArgument(message) from exc


@dataclass(frozen=True)
class Day:
    """A day of the month in the calendar: its state (OPEN, CLOSED or None) and, when it has one, its link, its name
    ("Tuesday 8 December") and its link's aria-label. `cell` is what its cell of the grid holds (`_cell`)."""

    date: date
    state: str | None
    href: str | None
    words: str | None
    today: bool
    chosen: bool
    label: str | None
    cell: SafeString


class Links:
    """The addresses of the calendar's months and days, with the page's own filters (staff, zone) kept."""

    def __init__(self, filters: list[tuple[str, str]]):
        self._tail = "&" + urlencode(filters) if filters else ""  # encoded once, not once a day

    def month(self, first: date) -> str:
        return f"?month={first:%Y-%m}{self._tail}"

    def day(self, day: date) -> str:
        return f"?month={day:%Y-%m}&day={day.isoformat()}{self._tail}"


def weeks(month: Month, states: dict[date, str], chosen: date | None, links: Links,
          available: str) -> list[list[Day | None]]:
    """The month's weeks from the locale's first day of the week; None pads the days of other months. `available`
    ends the label of an open day ("times available", "sessions available")."""
    grid = calendar.Calendar(firstweekday=(formats.get_format("FIRST_DAY_OF_WEEK") - 1) % 7)
    return [
        [None if day.month != month.first.month else _day(day, states.get(day), day == month.today, day == chosen,
                                                          links, available)
         for day in week]
        for week in grid.monthdatescalendar(month.first.year, month.first.month)
    ]


def _day(day: date, state: str | None, today: bool, chosen: bool, links: Links, available: str) -> Day:
    css = "calendar__day" if state is None else f"calendar__day calendar__day--{state}"
    if today:
        css += " calendar__day--today"
    words = label = href = None
    if state is not None:
        words = day_words(day)
        label = f"{words}{', today' if today else ''}, {'full or closed' if state == CLOSED else available}"
        href = links.day(day)
    return Day(date=day, state=state, href=href, words=words, today=today, chosen=chosen, label=label,
               cell=_cell(css, href, chosen, label, day.day))


def _cell(css: str, href: str | None, chosen: bool, label: str | None, number: int) -> SafeString:
    """A day's cell of the grid: a link to its times when it has a state, else its number. Written here rather than
    in _calendar.html, whose 42 cells of conditions and variables cost more than the rest of the month; the texts
    are escaped as the template would (Django's escape is html.escape; format_html cost as much as the template)."""
    current = ' aria-current="true"' if chosen else ""
    if href is None:
        return mark_safe(f'<span class="{css}"{current}>{number}</span>')  # noqa: S308 (our classes, a number)
    return mark_safe(  # noqa: S308 (escaped)
        f'<a class="{css}" href="{escape(href)}"{current} aria-label="{escape(label)}">{number}</a>')


def weekdays() -> list[date]:
    """Seven dates, one of each weekday in the calendar's column order, to name its columns."""
    grid = calendar.Calendar(firstweekday=(formats.get_format("FIRST_DAY_OF_WEEK") - 1) % 7)
    return grid.monthdatescalendar(2026, 1)[1]


def weekday_names() -> tuple[tuple[str, str], ...]:
    """The calendar's column names, short and long ("Sun", "Sunday"), in the language and order of the request."""
    return _weekday_names(translation.get_language(), formats.get_format("FIRST_DAY_OF_WEEK"))


@functools.lru_cache(maxsize=32)
def _weekday_names(language: str, first_day: int) -> tuple[tuple[str, str], ...]:
    # the arguments are the cache's key: the names and their order depend on nothing else
    return tuple((dateformat.format(day, "D"), dateformat.format(day, "l")) for day in weekdays())


def day_words(day: date) -> str:
    """A day as the calendar and the times name it ("Tuesday 8 December"), in the request's language."""
    return _day_words(day, translation.get_language())


@functools.lru_cache(maxsize=1024)
def _day_words(day: date, language: str) -> str:
    # the language is part of the key: the names come from its catalog. A month's days are formatted once a
    # process rather than once a page (dateformat parses the format for each call).
    return dateformat.format(day, "l j F")


def choose(states: dict[date, str], asked: date | None, *, keep: set[str]) -> date | None:
    """The day to show: the one asked for when its state is in `keep`, else the first open day from it on, else the
    month's first open day. A day asked for can have lost its times since, or be another day in another zone."""
    if asked is not None and states.get(asked) in keep:
        return asked
    open_days = sorted(day for day, state in states.items() if state == OPEN)
    return next((day for day in open_days if asked is None or day >= asked), open_days[0] if open_days else None)
