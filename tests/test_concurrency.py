"""Booking is a race: real threads against the real database (a file on SQLite, or PostgreSQL)."""

import random
import threading
import time as clock
from collections import Counter
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, connections

from booking import models
from booking.backends.local import LocalEngine
from booking.errors import BookingsError
from booking.port import (
    BookingsPort,
    Caller,
    CancelFlowControlSettings,
    ContactDetails,
    CreateBookingRequest,
    RescheduleFlowControlSettings,
    Resource,
    Slot,
)
from tests.catalog import ANSWERS, make_business, make_policy, make_service, make_staff, weekdays

NY = ZoneInfo("America/New_York")

pytestmark = [
    pytest.mark.usefixtures("running_clock"),
    pytest.mark.concurrency,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def studio():
    make_business()
    make_policy(cancellation_enabled=True)
    ana = make_staff("Ana", weekdays(time(9), time(17)))
    return {"ana": ana, "massage": make_service([ana], slot_interval_minutes=60)}


def race(count: int, work) -> list:
    """Run work(i) in `count` threads released together; each result is a value or the exception raised."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(i):
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as error:  # noqa: BLE001 - the test inspects every outcome
            results[i] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return results


def request(service, staff, start, email="ada@example.com"):
    return CreateBookingRequest(
        slot=Slot(str(service.pk), start, start + timedelta(hours=1), "America/New_York",
                  resource=Resource(str(staff.pk), staff.name) if staff else None),
        contact_details=ContactDetails("", "", ""), form_submission={**ANSWERS, "email": email},
        selected_payment_option="OFFLINE")


def book_in_person(engine, service, staff, start, **kwargs):
    """Create Booking, then Confirm Or Decline as unpaid (what a page that settles a made booking does)."""
    booking = engine.create_booking(request(service, staff, start), **kwargs)
    if booking.status == "CREATED":
        booking = engine.confirm_or_decline_booking(booking.id, payment_status="NOT_PAID")
    return booking


def settle_in_person(engine, service, staff, start, **kwargs):
    """What the review page does: Create And Settle Booking as unpaid, in one transaction."""
    return engine.create_and_settle_booking(request(service, staff, start), payment_status="NOT_PAID", **kwargs)


def settle_the_ports_way(engine, service, staff, start, **kwargs):
    """The port's own Create And Settle Booking, the wix backend's: the two calls, a second submit's refused
    settling turned into the booking it finds settled."""
    return BookingsPort.create_and_settle_booking(engine, request(service, staff, start), payment_status="NOT_PAID",
                                                  **kwargs)


EVERY_WAY = pytest.mark.parametrize("book", [book_in_person, settle_in_person, settle_the_ports_way],
                                    ids=["two_calls", "one_call", "ports_default"])


def outcome(result) -> str:
    if isinstance(result, BookingsError):
        return result.code
    if isinstance(result, Exception):
        return f"unexpected {type(result).__name__}: {result}"
    return result.status


@EVERY_WAY
@pytest.mark.parametrize("staff_count", [1, 3])
def test_fifty_threads_race_for_the_last_slot(studio, staff_count, book):
    engine = LocalEngine()
    for n in range(staff_count - 1):
        studio["massage"].staff.add(make_staff(f"Colleague {n}", weekdays(time(9), time(17))))
    start = datetime(2026, 3, 2, 16, tzinfo=NY)  # the last hour of the day, with any staff member
    results = race(50, lambda i: book(engine, studio["massage"], None, start))
    outcomes = Counter(outcome(r) for r in results)
    # Losers are refused at Create Booking or declined at Confirm Or Decline: both mean "just taken". In one
    # transaction there is nothing to decline: the one check refuses.
    assert outcomes["CONFIRMED"] == staff_count, outcomes
    assert outcomes["SLOT_NOT_AVAILABLE"] + outcomes["DECLINED"] == 50 - staff_count, outcomes
    if book is settle_in_person:
        assert outcomes["DECLINED"] == 0, outcomes
    confirmed = models.Booking.objects.filter(status="CONFIRMED")
    assert confirmed.values("staff").distinct().count() == staff_count


@EVERY_WAY
def test_a_form_submitted_twenty_times_at_once_makes_one_booking(studio, book):
    engine = LocalEngine()
    start = datetime(2026, 3, 2, 10, tzinfo=NY)
    key = "6f1f1d7e-9a1c-4f43-9a55-3f7c1f1b2a10"
    results = race(20, lambda i: book(engine, studio["massage"], studio["ana"], start, submission_key=key))
    ids = {r.id for r in results if not isinstance(r, Exception)}
    errors = [outcome(r) for r in results if isinstance(r, Exception)]
    # Two calls: a later submit may find the booking the first one is still settling, and be refused settling it.
    assert len(ids) == 1 and set(errors) <= ({"INVALID_BOOKING_STATUS"} if book is book_in_person else set()), (
        ids, errors)
    if book is not book_in_person:
        assert all(r.status == "CONFIRMED" for r in results), results
    assert models.Booking.objects.count() == 1
    assert models.Booking.objects.get().status == "CONFIRMED"


def test_two_requests_for_one_slot_marked_pending_at_once_are_never_silently_both(studio):
    engine = LocalEngine()
    studio["massage"].require_manual_approval = True
    studio["massage"].save()
    start = datetime(2026, 3, 2, 11, tzinfo=NY)
    created = [engine.create_booking(request(studio["massage"], studio["ana"], start, f"c{i}@example.com"))
               for i in range(2)]
    # The race is here: under the staff lock, the second to arrive sees the first holding the time.
    pending = race(2, lambda i: engine.mark_booking_as_pending(created[i].id, revision=created[i].revision))
    assert all(p.status == "PENDING" for p in pending)
    assert sorted(p.double_booked for p in pending) == [False, True]
    confirmed = race(2, lambda i: engine.confirm_booking(pending[i].id, revision=pending[i].revision))
    assert [outcome(c) for c in confirmed] == ["CONFIRMED", "CONFIRMED"]
    clean = models.Booking.objects.filter(status="CONFIRMED", double_booked=False)
    assert clean.count() == 1, "one booking holds the time; the other is flagged for staff"


def test_eight_bookings_rescheduled_to_one_free_time_at_once_leave_exactly_one_there(studio):
    engine = LocalEngine()
    mine = [book_in_person(engine, studio["massage"], studio["ana"], datetime(2026, 3, 3, hour, tzinfo=NY))
            for hour in range(9, 17)]
    target = datetime(2026, 3, 4, 10, tzinfo=NY)

    def move(i):
        return engine.reschedule_booking(
            mine[i].id, slot=Slot(str(studio["massage"].pk), target, target + timedelta(hours=1), "America/New_York",
                                  resource=Resource(str(studio["ana"].pk), "Ana")),
            revision=mine[i].revision, caller=Caller.STAFF,
            flow_control_settings=RescheduleFlowControlSettings(ignore_reschedule_policy=True))

    outcomes = Counter(outcome(r) for r in race(len(mine), move))
    assert outcomes == {"CONFIRMED": 1, "SLOT_NOT_AVAILABLE": len(mine) - 1}, outcomes
    assert models.Booking.objects.filter(start=target).count() == 1
    assert models.Booking.objects.filter(start__date=date(2026, 3, 3)).count() == len(mine) - 1


def test_a_storm_of_mixed_changes_never_overbooks(studio):
    engine = LocalEngine()
    ben = make_staff("Ben", weekdays(time(9), time(17)))
    studio["massage"].staff.add(ben)
    starts = [datetime(2026, 3, 2, hour, tzinfo=NY) for hour in range(9, 13)]
    deadline = clock.monotonic() + (10 if connection.vendor == "postgresql" else 8)

    def worker(i):
        rng = random.Random(i)
        done = Counter()
        while clock.monotonic() < deadline:
            try:
                action = rng.choice(["book", "book", "cancel", "pay", "confirm", "reschedule"])
                if action == "book":
                    book_in_person(engine, studio["massage"], None, rng.choice(starts))
                else:
                    mine = list(models.Booking.objects.filter(status__in=["CONFIRMED", "CREATED"])
                                .values_list("public_id", "revision", "status")[:20])
                    if not mine:
                        continue
                    public_id, revision, status = rng.choice(mine)
                    if action == "cancel":
                        engine.cancel_booking(str(public_id), revision=revision, caller=Caller.STAFF,
                                              flow_control_settings=CancelFlowControlSettings(
                                                  ignore_cancellation_policy=True))
                    elif action == "reschedule":
                        start = rng.choice(starts)
                        engine.reschedule_booking(
                            str(public_id), slot=Slot(str(studio["massage"].pk), start, start + timedelta(hours=1),
                                                      "America/New_York"),
                            revision=revision, caller=Caller.STAFF,
                            flow_control_settings=RescheduleFlowControlSettings(ignore_reschedule_policy=True))
                    elif action == "confirm" and status == "CREATED":
                        engine.confirm_or_decline_booking(str(public_id), payment_status="NOT_PAID")
                    else:
                        engine.confirm_or_decline_booking(str(public_id), payment_status="PAID")
                done[action] += 1
            except BookingsError as error:
                done[error.code] += 1
        return done

    results = race(6, worker)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(results, Counter())["reschedule"] > 0, "the storm moved bookings too"
    active = models.Booking.objects.filter(status__in=["CONFIRMED", "PENDING"], double_booked=False)
    per_slot = Counter((b.staff_id, b.start) for b in active)
    assert all(n == 1 for n in per_slot.values()), per_slot
    for booking in models.Booking.objects.prefetch_related("changes"):
        revisions = [c.revision for c in booking.changes.all()]
        assert revisions == list(range(1, booking.revision + 1)), "every change has its audit row, in order"


def test_fifty_threads_for_a_class_with_ten_places_left(studio):
    from tests.catalog import make_class
    from tests.test_classes import class_request

    engine = LocalEngine()
    yoga = make_class(studio["ana"], [(1, time(18))], capacity=12, name="Yoga")
    session = models.ClassSession.objects.filter(service=yoga).first()
    for n in range(2):  # two places already taken
        taken = engine.create_booking(class_request(str(session.public_id), yoga, email=f"early{n}@example.com"))
        engine.confirm_or_decline_booking(taken.id, payment_status="NOT_PAID")

    def book(i):
        booking = engine.create_booking(class_request(str(session.public_id), yoga, email=f"p{i}@example.com"))
        return engine.confirm_or_decline_booking(booking.id, payment_status="NOT_PAID")

    outcomes = Counter(outcome(r) for r in race(50, book))
    assert outcomes["CONFIRMED"] == 10, outcomes
    assert outcomes["SESSION_CAPACITY_EXCEEDED"] + outcomes["DECLINED"] == 40, outcomes
    occupied = models.Booking.objects.filter(session=session, status__in=["CONFIRMED", "PENDING"])
    assert sum(occupied.values_list("total_participants", flat=True)) == 12


def test_twenty_checkouts_for_one_slot_make_exactly_one_hold(studio):
    engine = LocalEngine()
    start = datetime(2026, 3, 2, 10, tzinfo=NY)
    bookings = [engine.create_booking(request(studio["massage"], None, start, email=f"c{i}@example.com"))
                for i in range(20)]  # CREATED without a hold takes nothing: all twenty are made

    def hold(i):
        return engine.hold_booking(bookings[i].id, expires_at=datetime.now(NY) + timedelta(minutes=30))

    results = race(20, hold)
    assert Counter(outcome(r) for r in results) == {"CREATED": 1, "SLOT_NOT_AVAILABLE": 19}
    assert models.Booking.objects.filter(hold_expires_at__isnull=False).count() == 1
