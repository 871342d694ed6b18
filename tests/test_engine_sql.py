"""The engine's SQL reads (booking/backends/local/sql.py) find exactly the rows of the ORM filters they stand for,
on SQLite and PostgreSQL: services' active staff and locations in display order, weekly hours, time off, the
sessions staff teach, and the bookings that occupy them (`occupying()`), with bookings left out and the clean-only
view of the double-booking checks."""

from datetime import UTC, datetime, time, timedelta

import pytest

from booking import models
from booking.backends.local import sql
from booking.backends.local.sql import attach_staff_and_locations, blocked_time, weekly_hours
from booking.occupancy import occupying
from tests.catalog import make_business, make_service, make_staff, weekdays

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
WINDOW = (datetime(2026, 3, 3, tzinfo=UTC), datetime(2026, 3, 5, tzinfo=UTC))
Status = models.BookingStatus


@pytest.fixture
def calendar():
    """Three staff and, for the first two, one of every kind of row in and around the window."""
    make_business()
    ada = make_staff("Ada", weekdays(time(9), time(17)))
    bob = make_staff("Bob", weekdays(time(8), time(12)) + [(5, time(10), time(14))])
    cy = make_staff("Cy", [])
    service = make_service([ada, bob, cy])
    start, end = WINDOW
    rows = {}

    def booking(member, name, begins, *, status=Status.CONFIRMED, hold=None, **flags):
        rows[member.name, name] = models.Booking.objects.create(
            service=service, staff=member, start=begins, end=begins + timedelta(hours=1),
            occupied_until=begins + timedelta(hours=1, minutes=15), time_zone="America/New_York",
            status=status, hold_expires_at=hold, first_name=name, email=f"{name}@example.com",
            currency="USD", **flags)

    for member in (ada, bob):
        booking(member, "confirmed", start + timedelta(hours=14))
        booking(member, "pending", start + timedelta(hours=16), status=Status.PENDING)
        booking(member, "held", start + timedelta(hours=18), status=Status.CREATED,
                hold=NOW + timedelta(minutes=5))
        booking(member, "hold lapsed", start + timedelta(hours=20), status=Status.CREATED,
                hold=NOW - timedelta(seconds=1))
        booking(member, "created", start + timedelta(hours=22), status=Status.CREATED)
        booking(member, "canceled", start + timedelta(hours=24), status=Status.CANCELED)
        booking(member, "declined", start + timedelta(hours=26), status=Status.DECLINED)
        booking(member, "double booked", start + timedelta(hours=28), double_booked=True)
        booking(member, "forced", start + timedelta(hours=30), skip_availability_validation=True)
        # Its buffer reaches into the window: it counts. The next (held, so that it may overlap the first) ends
        # as the window starts, the last starts as it ends: neither does.
        booking(member, "buffer inside", start - timedelta(hours=1, minutes=10))
        booking(member, "ends before", start - timedelta(hours=1, minutes=15), status=Status.CREATED,
                hold=NOW + timedelta(hours=1))
        booking(member, "starts after", end)
        models.TimeOff.objects.create(staff=member, start=start + timedelta(hours=35),
                                      end=start + timedelta(hours=40))
        models.TimeOff.objects.create(staff=member, start=end + timedelta(hours=1), end=end + timedelta(hours=3))
        # Instants are read as seconds since 1970: a microsecond must come back as it was stored.
        models.TimeOff.objects.create(staff=member, start=start + timedelta(hours=41, microseconds=1),
                                      end=start + timedelta(hours=42, microseconds=999_999))
        for hours, cancelled in ((12, False), (13, True)):
            models.ClassSession.objects.create(service=service, start=start + timedelta(hours=hours),
                                               end=start + timedelta(hours=hours, minutes=45), staff=member,
                                               capacity=5, cancelled=cancelled)
    return {"staff": (ada, bob, cy), "service": service, "bookings": rows}


def orm_blocked(staff_ids, start, end, now, *, exclude_bookings=(), clean_only=False) -> set:
    time_off = models.TimeOff.objects.filter(staff_id__in=staff_ids, end__gt=start, start__lt=end)
    sessions = models.ClassSession.objects.filter(staff_id__in=staff_ids, cancelled=False, end__gt=start,
                                                  start__lt=end)
    bookings = models.Booking.objects.filter(occupying(now), staff_id__in=staff_ids, occupied_until__gt=start,
                                             start__lt=end).exclude(pk__in=exclude_bookings)
    if clean_only:
        bookings = bookings.filter(double_booked=False, skip_availability_validation=False)
    return (
        {(s, a, b, True) for s, a, b in time_off.values_list("staff_id", "start", "end")}
        | {(s, a, b, True) for s, a, b in sessions.values_list("staff_id", "start", "end")}
        | {(s, a, b, False) for s, a, b in bookings.values_list("staff_id", "start", "occupied_until")}
    )


def names_of(rows, calendar) -> set:
    by_time = {(b.staff_id, b.start): name for (_, name), b in calendar["bookings"].items()}
    return {by_time[staff, start] for staff, start, _, off in rows if not off}


def test_the_bookings_that_occupy_time_are_the_ones_occupying_finds(calendar):
    ada, bob, _ = calendar["staff"]
    rows = blocked_time([ada.pk, bob.pk], *WINDOW, NOW)
    assert len(rows) == len(set(rows))
    assert set(rows) == orm_blocked([ada.pk, bob.pk], *WINDOW, NOW)
    assert names_of(rows, calendar) == {"confirmed", "pending", "held", "double booked", "forced", "buffer inside"}
    assert sum(1 for row in rows if row[3]) == 6  # per staff member: the two times off and the session in the window
    assert all(start.tzinfo == UTC and end.tzinfo == UTC for _, start, end, _ in rows)


def test_a_hold_stops_counting_the_moment_it_lapses(calendar):
    ada, _, _ = calendar["staff"]
    later = NOW + timedelta(minutes=5)
    rows = blocked_time([ada.pk], *WINDOW, later)
    assert set(rows) == orm_blocked([ada.pk], *WINDOW, later)
    assert "held" not in names_of(rows, calendar)


def test_the_holds_found_come_with_their_ends(calendar):
    ada, bob, _ = calendar["staff"]
    models.Booking.objects.filter(first_name="held").update(hold_expires_at=NOW + timedelta(minutes=5, microseconds=7))
    hold_ends = []
    blocked_time([ada.pk, bob.pk], *WINDOW, NOW, hold_ends=hold_ends)
    assert hold_ends == [NOW + timedelta(minutes=5, microseconds=7)] * 2
    assert all(end.tzinfo == UTC for end in hold_ends)


def test_left_out_and_clean_only_bookings(calendar):
    ada, bob, _ = calendar["staff"]
    moving = [calendar["bookings"]["Ada", "confirmed"].pk, calendar["bookings"]["Bob", "pending"].pk]
    rows = blocked_time([ada.pk, bob.pk], *WINDOW, NOW, exclude_bookings=moving, clean_only=True)
    assert set(rows) == orm_blocked([ada.pk, bob.pk], *WINDOW, NOW, exclude_bookings=moving, clean_only=True)
    assert names_of([r for r in rows if r[0] == ada.pk], calendar) == {"pending", "held", "buffer inside"}
    assert names_of([r for r in rows if r[0] == bob.pk], calendar) == {"confirmed", "held", "buffer inside"}


def test_only_the_staff_asked_for(calendar):
    _, bob, cy = calendar["staff"]
    rows = blocked_time([bob.pk, cy.pk], *WINDOW, NOW)
    assert {staff for staff, *_ in rows} == {bob.pk}
    assert set(rows) == orm_blocked([bob.pk, cy.pk], *WINDOW, NOW)
    assert blocked_time([cy.pk], *WINDOW, NOW) == []
    assert blocked_time([], *WINDOW, NOW) == []


def test_the_instants_kept_between_reads_stay_bounded(calendar, monkeypatch):
    ada, bob, _ = calendar["staff"]
    first = blocked_time([ada.pk, bob.pk], *WINDOW, NOW)
    assert blocked_time([ada.pk, bob.pk], *WINDOW, NOW) == first  # the second read's instants were all kept
    instants = {instant for _, start, end, _ in first for instant in (start, end)}
    monkeypatch.setattr(sql, "MAX_INSTANTS", len(instants) - 1)
    blocked_time([bob.pk], *WINDOW, NOW)  # over the bound: the map starts again from Bob's rows alone
    assert set(sql._INSTANTS.values()) == {i for s, start, end, _ in first if s == bob.pk for i in (start, end)}


def test_weekly_hours(calendar):
    ada, bob, cy = calendar["staff"]
    expected = set(models.WorkingHours.objects.filter(staff__in=[ada, bob, cy]).values_list(
        "staff_id", "weekday", "start_time", "end_time"))
    assert set(weekly_hours([ada.pk, bob.pk, cy.pk])) == expected
    assert (bob.pk, 5, time(10), time(14)) in expected and len(expected) == 11
    assert weekly_hours([cy.pk]) == [] and weekly_hours([]) == []


def test_services_come_with_their_active_staff_and_their_locations_in_display_order(calendar):
    ada, bob, cy = calendar["staff"]
    massage = calendar["service"]
    models.StaffMember.objects.filter(pk__in=[ada.pk, bob.pk]).update(sort_order=1)
    dee = make_staff("Dee", [])
    dee.is_active = False
    dee.save()
    massage.staff.add(dee)
    yoga = make_service([bob], name="Yoga")
    annex = models.Location.objects.create(name="Annex", address="2 Main St")
    studio = models.Location.objects.create(name="Studio", address="3 Main St", is_default=True)
    massage.locations.add(annex, studio)
    alone = make_service([], name="Alone")
    alone.locations.clear()

    services = list(models.Service.objects.filter(pk__in=[massage.pk, yoga.pk, alone.pk]).order_by("name"))
    attach_staff_and_locations(services)
    by_name = {s.name: s for s in services}
    for service in services:  # what the ORM gives, through the models' ordering and the is_active filter
        assert service.active_staff == list(service.staff.filter(is_active=True))
        assert service.location_list == list(service.locations.all())
    assert [m.name for m in by_name["Massage"].active_staff] == ["Cy", "Ada", "Bob"]
    assert [p.name for p in by_name["Massage"].location_list] == ["Studio", "Annex", "Main room"]
    assert by_name["Massage"].location_list[0].address == "3 Main St"
    assert [m.name for m in by_name["Yoga"].active_staff] == ["Bob"]
    assert by_name["Alone"].active_staff == [] and by_name["Alone"].location_list == []


def test_postgresql_keeps_the_reads_a_connection_repeats_prepared(calendar):
    """bookingsite/settings.py: parameters bound by the server, and a query run twice on a connection prepared,
    so that the slot page's reads are planned once per worker (docs/performance.md)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    staff_ids = list(models.StaffMember.objects.values_list("pk", flat=True))
    found = [blocked_time(staff_ids, *WINDOW, NOW) for _ in range(3)]
    assert found[0] and found[0] == found[1] == found[2]
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE NOT from_sql")
        prepared = [statement for (statement,) in cursor.fetchall()]
    assert any("UNION ALL" in statement and "booking_timeoff" in statement for statement in prepared)
