"""History stays cheap: a booking with a staff member occupies at most MAX_OCCUPIED_SPAN (a check constraint on both
databases), so the busy-time read bounds `start` from below and finds what the unbounded read finds."""

from datetime import UTC, datetime, time, timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from booking import models
from booking.backends.local.sql import blocked_time
from booking.occupancy import MAX_OCCUPIED_SPAN
from tests.catalog import make_business, make_service, make_staff, weekdays
from tests.test_engine_sql import orm_blocked

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
WINDOW = (datetime(2026, 3, 3, tzinfo=UTC), datetime(2026, 3, 5, tzinfo=UTC))


@pytest.fixture
def studio():
    make_business()
    ada = make_staff("Ada", weekdays(time(9), time(17)))
    bob = make_staff("Bob", weekdays(time(9), time(17)))
    return {"ada": ada, "bob": bob, "service": make_service([ada, bob])}


def book(studio, member, start, span, **values):
    return models.Booking.objects.create(
        service=studio["service"], staff=member, start=start, end=start + min(span, timedelta(hours=1)),
        occupied_until=start + span, time_zone="America/New_York", status=models.BookingStatus.CONFIRMED,
        first_name="A", email="a@example.com", currency="USD", **values)


def test_a_staff_booking_occupies_at_most_the_longest_appointment_and_buffer(studio):
    start = datetime(2026, 1, 5, 9, tzinfo=UTC)
    assert timedelta(days=30, hours=23, minutes=59) + timedelta(minutes=720) == MAX_OCCUPIED_SPAN
    book(studio, studio["ada"], start, MAX_OCCUPIED_SPAN)
    with pytest.raises(IntegrityError), transaction.atomic():
        book(studio, studio["bob"], start, MAX_OCCUPIED_SPAN + timedelta(microseconds=1))
    # Class and course bookings have no staff member: a course's booking spans all its weeks.
    book(studio, None, start, timedelta(days=120))
    assert models.Booking.objects.count() == 2


def test_the_read_is_bounded_below_and_finds_what_the_unbounded_read_finds(studio):
    ada, bob = studio["ada"], studio["bob"]
    start, end = WINDOW
    # Two years of history, and bookings at the edge of the bound: the longest span reaching 1 µs into the window
    # counts; one that ends as the window starts does not. (Forced in by staff, so that they may overlap history on
    # PostgreSQL's exclusion constraint; they still occupy.)
    for day in range(1, 730, 3):
        for member in (ada, bob):
            book(studio, member, start - timedelta(days=day, hours=-2), timedelta(minutes=75))
    forced = {"skip_availability_validation": True}
    book(studio, ada, start - MAX_OCCUPIED_SPAN + timedelta(microseconds=1), MAX_OCCUPIED_SPAN, **forced)
    book(studio, bob, start - MAX_OCCUPIED_SPAN, MAX_OCCUPIED_SPAN, **forced)
    book(studio, bob, start + timedelta(hours=10), timedelta(hours=2))
    staff = [ada.pk, bob.pk]
    with CaptureQueriesContext(connection) as queries:
        rows = blocked_time(staff, start, end, NOW)
    assert set(rows) == orm_blocked(staff, start, end, NOW)
    assert {(s, b) for s, b, _, _ in rows} == {(ada.pk, start - MAX_OCCUPIED_SPAN + timedelta(microseconds=1)),
                                                (bob.pk, start + timedelta(hours=10))}
    (read,) = queries.captured_queries
    bookings_arm = read["sql"].split("FROM booking_booking")[1]
    assert '"start" >=' in bookings_arm
    lower = (start - MAX_OCCUPIED_SPAN).strftime("%Y-%m-%d %H:%M:%S")
    assert lower in bookings_arm, "the bound is the window's start minus the longest span"
