"""The waitlist is a race too: places freed while many customers join, accept their offers and book directly at
once, with the worker's job running beside them; real threads against the real database (a file on SQLite, or
PostgreSQL). The session's capacity is never exceeded, offers go in the order customers joined, and no freed place
is lost."""

import threading
import time as clock
from collections import Counter
from datetime import time

import pytest
from django.db import connection, connections, transaction
from django.db.models import Sum
from django.utils import timezone

from booking import models
from booking.backends.local import LocalEngine
from booking.errors import BookingsError
from booking.occupancy import occupying
from booking.port import Caller, ContactDetails, PaymentStatus, SelectedPaymentOption
from tests.catalog import make_business, make_class, make_policy, make_staff, weekdays
from tests.test_classes import class_request
from tests.test_concurrency import outcome, race

pytestmark = [
    pytest.mark.usefixtures("running_clock"),
    pytest.mark.concurrency,
    pytest.mark.django_db(transaction=True),
]

CAPACITY = 5


def occupied(session) -> int:
    return models.Booking.objects.filter(occupying(timezone.now()), session=session).aggregate(
        n=Sum("total_participants"))["n"] or 0


def test_places_freed_while_many_join_and_accept_at_once_never_overfill_the_session():
    engine = LocalEngine()
    make_business()
    make_policy(cancellation_enabled=True, waitlist_enabled=True, waitlist_capacity=40,
                waitlist_reservation_minutes=10)
    yoga = make_class(make_staff("Sam", weekdays(time(8), time(20))), [(1, time(18))], capacity=CAPACITY)
    session = models.ClassSession.objects.filter(service=yoga).order_by("start").first()
    event_id = str(session.public_id)

    def book(email):
        made = engine.create_booking(class_request(event_id, yoga, email=email))
        return engine.confirm_or_decline_booking(made.id, payment_status=PaymentStatus.NOT_PAID)

    taken = [book(f"taken{n}@example.com") for n in range(CAPACITY)]
    waiting = [engine.join_waitlist(event_id=event_id, contact_details=ContactDetails(f"W{n}", "",
                                                                                      f"w{n}@example.com"))
               for n in range(10)]
    tokens = [engine.get_anonymous_action_token(w.id) for w in waiting]
    done = threading.Event()
    overfull, canceled = [], []

    def confirmed():
        return models.Booking.objects.filter(session=session, status="CONFIRMED").count()

    def accept_when_offered(token):
        """A waiting customer who takes the place the moment it is offered (their email arrived)."""
        deadline = clock.monotonic() + 60
        while clock.monotonic() < deadline and not done.is_set():
            try:
                booking = engine.accept_waitlist_offer(token, selected_payment_option=SelectedPaymentOption.OFFLINE)
            except BookingsError as error:
                if error.code != "WAITLIST_OFFER_LAPSED":
                    raise
                clock.sleep(0.05)
                continue
            return engine.confirm_or_decline_booking(booking.id, payment_status=PaymentStatus.NOT_PAID)
        return "never offered"

    def tend():
        """The worker's job, and staff pressing "offer the free places now", over and over."""
        for _ in range(15):
            engine.expire_waitlist_offers()
            engine.offer_waitlist_places(event_id=event_id)
            clock.sleep(0.05)
        return "tended"

    def watch():
        """Someone reading the session's places throughout: never more taken than it has. Once the five places
        freed are all booked again, the customers still waiting stop waiting for an offer."""
        deadline = clock.monotonic() + 60
        while clock.monotonic() < deadline:
            if (n := occupied(session)) > CAPACITY:
                overfull.append(n)
            if len(canceled) == CAPACITY and confirmed() == CAPACITY:
                break
            clock.sleep(0.01)
        done.set()
        return "watched"

    def cancel(booking):
        try:
            return engine.cancel_booking(booking.id, revision=booking.revision, caller=Caller.CUSTOMER)
        finally:
            canceled.append(booking.id)

    jobs = (
        [lambda b=b: cancel(b) for b in taken]
        + [lambda t=t: accept_when_offered(t) for t in tokens]
        + [lambda n=n: engine.join_waitlist(event_id=event_id, contact_details=ContactDetails(
            f"J{n}", "", f"j{n}@example.com")) for n in range(12)]
        + [lambda n=n: book(f"direct{n}@example.com") for n in range(8)]
        + [tend, tend]
    )

    def work(i):
        return watch() if i == len(jobs) else jobs[i]()

    results = race(len(jobs) + 1, work)
    kinds = Counter(outcome(r) if not isinstance(r, str) else r for r in results)
    unexpected = [k for k in kinds if k.startswith("unexpected")]
    assert not unexpected, kinds
    assert not overfull, overfull
    assert kinds["CANCELED"] == CAPACITY, kinds
    assert set(kinds) <= {"CANCELED", "CONFIRMED", "DECLINED", "WAITING_LIST", "never offered", "tended", "watched",
                          "SESSION_HAS_PLACES", "SESSION_CAPACITY_EXCEEDED"}, kinds

    # Offers went in the order customers joined: those of the first ten offered a place are the first in line.
    offered = set(models.BookingChange.objects.filter(event="offered").values_list("booking__email", flat=True))
    line = [f"w{n}@example.com" for n in range(10)]
    first = [email for email in line if email in offered]
    assert first == line[:len(first)], (first, offered)
    # No place was lost: the five freed were all booked again, by customers from the line or directly.
    assert confirmed() == occupied(session) == CAPACITY, (confirmed(), occupied(session), kinds)
    assert kinds["CONFIRMED"] == CAPACITY, kinds
    for booking in models.Booking.objects.prefetch_related("changes"):
        revisions = [c.revision for c in booking.changes.all()]
        assert revisions == list(range(1, booking.revision + 1)), "every change has its audit row, in order"
    connections.close_all()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises writers; nothing is skipped")
def test_an_entry_locked_by_another_change_holds_the_line_instead_of_deadlocking():
    """Staff confirming a waiting customer lock their booking, then the session: the offer, which locks the session
    first, skips the locked booking instead of waiting for it, and offers nobody behind it meanwhile."""
    engine = LocalEngine()
    make_business()
    make_policy(waitlist_enabled=True)
    yoga = make_class(make_staff("Sam", weekdays(time(8), time(20))), [(1, time(18))], capacity=1)
    session = models.ClassSession.objects.filter(service=yoga).order_by("start").first()
    event_id = str(session.public_id)
    taken = engine.create_booking(class_request(event_id, yoga, email="taken@example.com"))
    engine.confirm_or_decline_booking(taken.id, payment_status=PaymentStatus.NOT_PAID)
    first, second = (engine.join_waitlist(event_id=event_id, contact_details=ContactDetails(n, "", f"{n}@x.org"))
                     for n in ("first", "second"))
    models.ClassSession.objects.filter(pk=session.pk).update(capacity=2)
    locked, release = threading.Event(), threading.Event()

    def hold_the_first():
        with transaction.atomic():
            list(models.Booking.objects.select_for_update().filter(public_id=first.id))
            locked.set()
            release.wait(timeout=30)
        connections.close_all()

    holder = threading.Thread(target=hold_the_first)
    holder.start()
    assert locked.wait(timeout=30)
    try:
        assert engine.offer_waitlist_places(event_id=event_id) == []  # returns at once: nobody jumps the line
    finally:
        release.set()
        holder.join(timeout=30)
    assert [b.id for b in engine.offer_waitlist_places(event_id=event_id)] == [first.id]
    assert models.Booking.objects.get(public_id=second.id).hold_expires_at is None
