"""Every reader of what occupies time agrees with booking/occupancy.py, on SQLite and PostgreSQL.

A table of cases (each status × a checkout hold live, lapsing now, lapsed or absent × double-booked or not × forced
or not), one booking per case at its own time, asked about at its time, inside its buffer and just after it, by:
the ORM filters, the slot page's SQL read of busy time, the check under the staff lock and, on PostgreSQL, the
exclusion constraint, which must also be the one stated in booking/occupancy.py.
"""

import itertools
from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction

from booking import models
from booking.backends.local.lifecycle import holds_time
from booking.backends.local.sql import blocked_time
from booking.occupancy import CONSTRAINT_NAME, clean, constraint_sql, occupying, overlapping
from booking.port import BookingStatus
from tests.catalog import make_business, make_service, make_staff, weekdays

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
FIRST = datetime(2026, 3, 3, 0, 0, tzinfo=UTC)
# A hold that ends at this very moment has lapsed.
HOLDS = {"live": NOW + timedelta(minutes=5), "lapsing now": NOW, "lapsed": NOW - timedelta(seconds=1), "none": None}
CASES = list(itertools.product(BookingStatus, HOLDS, (False, True), (False, True)))


def expected(status, hold, double_booked, forced) -> dict:
    """The rule, written out here on its own: what each reader should say of the case."""
    # A live hold: a checkout's (CREATED) or a waitlist offer's (WAITING_LIST).
    occupies = status in ("CONFIRMED", "PENDING") or (status in ("CREATED", "WAITING_LIST") and hold == "live")
    clean_ = not double_booked and not forced
    return {
        "occupies": occupies,
        "occupies cleanly": occupies and clean_,
        "constraint guards": status in ("CONFIRMED", "PENDING") and clean_,  # a constraint cannot read the clock
    }


@pytest.fixture
def cases():
    """One booking per case for one staff member, two hours apart, none overlapping another."""
    make_business()
    ana = make_staff("Ana", weekdays(time(0), time(23, 59), days=range(7)))
    service = make_service([ana])
    made = []
    for index, (status, hold, double_booked, forced) in enumerate(CASES):
        start = FIRST + timedelta(hours=2 * index)
        made.append(models.Booking.objects.create(
            service=service, staff=ana, start=start, end=start + timedelta(hours=1),
            occupied_until=start + timedelta(hours=1, minutes=15), time_zone="America/New_York", status=status,
            hold_expires_at=HOLDS[hold], double_booked=double_booked, skip_availability_validation=forced,
            first_name=f"case {index}", email=f"case{index}@example.com", currency="USD",
        ))
    return ana, service, made


def test_the_table_covers_every_status_and_flag():
    assert len(CASES) == 6 * 4 * 2 * 2
    # CONFIRMED, PENDING; a live hold of CREATED and of WAITING_LIST
    assert sum(expected(*case)["occupies"] for case in CASES) == 2 * 4 * 4 + 2 * 4
    assert sum(expected(*case)["occupies cleanly"] for case in CASES) == 2 * 4 + 2


# Times asked about, from a case booking's start (it ends at 1:00 and occupies until 1:15, its buffer included):
# the same hour, half an hour inside its buffer, and half an hour from the moment it stops occupying.
PROBES = {"same time": (0, 60), "in its buffer": (65, 95), "after its buffer": (75, 105)}


def test_the_orm_filters_the_sql_read_and_the_check_under_the_lock_agree(cases):
    ana, _, made = cases
    for case, booking in zip(CASES, made, strict=True):
        want = expected(*case)
        for probe, (begins, ends) in PROBES.items():
            start, end = booking.start + timedelta(minutes=begins), booking.start + timedelta(minutes=ends)
            found = models.Booking.objects.filter(occupying(NOW), overlapping(start, end))
            busy = {row[1] for row in blocked_time([ana.pk], start, end, NOW) if not row[3]}
            busy_clean = {row[1] for row in blocked_time([ana.pk], start, end, NOW, clean_only=True) if not row[3]}
            # The check under the lock asks about a newcomer at the probe's time: is that time taken?
            newcomer = models.Booking(start=start, end=end, occupied_until=end)
            with time_machine.travel(NOW, tick=False):
                taken = holds_time(ana.pk, newcomer)
            inside = probe != "after its buffer"
            said = {"orm": found.filter(pk=booking.pk).exists(), "sql": booking.start in busy}
            said_clean = {"orm": found.filter(clean(), pk=booking.pk).exists(), "sql": booking.start in busy_clean,
                          "under the lock": taken}
            assert said == dict.fromkeys(said, want["occupies"] and inside), (case, probe)
            assert said_clean == dict.fromkeys(said_clean, want["occupies cleanly"] and inside), (case, probe)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="exclusion constraints are PostgreSQL's")
def test_the_constraint_refuses_an_overlap_exactly_where_the_rule_says(cases):
    ana, service, made = cases
    for case, booking in zip(CASES, made, strict=True):
        rival = models.Booking(
            service=service, staff=ana, start=booking.start + timedelta(minutes=30),
            end=booking.start + timedelta(minutes=90), occupied_until=booking.start + timedelta(minutes=90),
            time_zone="America/New_York", status=BookingStatus.CONFIRMED, first_name="rival",
            email="rival@example.com", currency="USD",
        )
        try:
            with transaction.atomic():
                rival.save(force_insert=True)
                transaction.set_rollback(True)
            refused = False
        except IntegrityError:
            refused = True
        assert refused == expected(*case)["constraint guards"], case


@pytest.mark.skipif(connection.vendor != "postgresql", reason="exclusion constraints are PostgreSQL's")
def test_the_live_constraint_is_the_one_stated_in_booking_occupancy():
    """PostgreSQL's own rendering of the migrated constraint and of constraint_sql() on a scratch copy of the
    table, so that spelling and casts do not matter."""
    definition = "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = %s"
    with connection.cursor() as cursor:
        cursor.execute(definition, [CONSTRAINT_NAME])
        (live,) = cursor.fetchone()
        cursor.execute("CREATE TEMPORARY TABLE occupancy_scratch (LIKE booking_booking)")
        cursor.execute(constraint_sql("occupancy_scratch", "occupancy_scratch_no_overlap"))
        cursor.execute(definition, ["occupancy_scratch_no_overlap"])
        (stated,) = cursor.fetchone()
    assert live == stated
    assert "CONFIRMED" in live and "double_booked" in live and "skip_availability_validation" in live
