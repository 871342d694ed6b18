"""The booking state machine: which changes may happen from which status, and the one function that applies them.

Read it like a table. Every change of a booking (except its creation) goes through `transition()`, which locks the
booking row, checks the caller's revision and the source status, applies the change, bumps the revision, writes an
audit row and emits the domain event once the transaction commits. A booking made settled (Create And Settle
Booking) takes the table's CREATED → CONFIRMED or PENDING step as it is inserted: `record_settled_on_creation()`
leaves the trail of both.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from .errors import FailedPrecondition, NotFound, RevisionMismatch
from .events import emit_after_commit
from .ids import parse_uuid
from .models import Booking, BookingChange
from .occupancy import HELD_STATUSES
from .port import BookingStatus, PaymentStatus

CREATED, PENDING, CONFIRMED = BookingStatus.CREATED, BookingStatus.PENDING, BookingStatus.CONFIRMED
DECLINED, CANCELED, WAITING_LIST = BookingStatus.DECLINED, BookingStatus.CANCELED, BookingStatus.WAITING_LIST

ACTIVE = frozenset({CREATED, PENDING, CONFIRMED, WAITING_LIST})

# event → (statuses it may start from, status it leads to; None keeps the status or lets the caller decide)
TRANSITIONS: dict[str, tuple[frozenset[BookingStatus], BookingStatus | None]] = {
    "confirmed": (frozenset({CREATED, PENDING, WAITING_LIST}), CONFIRMED),
    "declined": (frozenset({CREATED, PENDING, WAITING_LIST}), DECLINED),
    "marked_as_pending": (frozenset({CREATED}), PENDING),
    # The waitlist (booking/backends/local/waitlist.py): a place is offered and held, then taken up; accepting
    # goes to CREATED, from where the booking is settled as the normal flow settles a new one.
    "offered": (frozenset({WAITING_LIST}), None),
    "offer_accepted": (frozenset({WAITING_LIST}), CREATED),
    # Confirm Or Decline ends in CONFIRMED, PENDING or DECLINED: see confirm_or_decline_outcome().
    "confirmed_or_declined": (frozenset({CREATED, PENDING}), None),
    "canceled": (ACTIVE, CANCELED),
    "rescheduled": (ACTIVE, None),
    "number_of_participants_updated": (ACTIVE, None),
    "updated": (frozenset(BookingStatus), None),
}

# Payment statuses under which a conflicting booking is declined rather than double-booked (wix-api.md §5.4).
UNPAID = frozenset({PaymentStatus.UNDEFINED, PaymentStatus.NOT_PAID, PaymentStatus.REFUNDED, PaymentStatus.EXEMPT})


def confirm_or_decline_outcome(
    *, conflict: bool, payment_status: str, requires_approval: bool
) -> tuple[BookingStatus, bool]:
    """Wix's Confirm Or Decline decision table: (new status, double_booked).

    | conflict | unpaid | approval | → status   | double booked |
    | no       | any    | yes      | PENDING    | no            |
    | no       | any    | no       | CONFIRMED  | no            |
    | yes      | yes    | any      | DECLINED   | no            |
    | yes      | no     | yes      | PENDING    | yes           |
    | yes      | no     | no       | CONFIRMED  | yes           |
    """
    if conflict and payment_status in UNPAID:
        return DECLINED, False
    status = PENDING if requires_approval else CONFIRMED
    return status, conflict


@dataclass(frozen=True)
class Actor:
    kind: str  # BookingChange.Actor: customer, staff or system
    user_id: int | None = None


SYSTEM = Actor(BookingChange.Actor.SYSTEM)
CUSTOMER = Actor(BookingChange.Actor.CUSTOMER)


def _event_name(event: str, status: str) -> str:
    """The domain event a Confirm Or Decline turned out to be."""
    if event != "confirmed_or_declined":
        return event
    return {CONFIRMED: "confirmed", PENDING: "marked_as_pending", DECLINED: "declined"}[status]


def record(booking: Booking, event: str, *, actor: Actor, from_status="", from_payment_status="", reason="",
           with_refund: bool = False) -> None:
    """Write the audit row for the booking's current revision and emit its event after commit, with who made the
    change, the status before it and (for a cancel) whether a refund was asked for."""
    BookingChange.objects.create(
        booking=booking, actor=actor.kind, user_id=actor.user_id, event=event,
        from_status=from_status, to_status=booking.status,
        from_payment_status=from_payment_status, to_payment_status=booking.payment_status,
        revision=booking.revision, reason=reason[:300],
    )
    emit_after_commit(event, str(booking.public_id), booking.revision, initiated_by=str(actor.kind),
                      previous_status=from_status, with_refund=with_refund)


def record_settled_on_creation(booking: Booking, *, created_by: Actor) -> None:
    """The trail of a booking inserted already settled (booking/backends/local/create.py): the audit rows and events
    its Create Booking (by `created_by`) and Confirm Or Decline Booking (by the system) would have left as two
    changes, revisions 1 and 2, in one insert."""
    settled_by = _event_name("confirmed_or_declined", booking.status)
    BookingChange.objects.bulk_create([
        BookingChange(booking=booking, actor=created_by.kind, user_id=created_by.user_id, event="created",
                      to_status=CREATED, to_payment_status=PaymentStatus.UNDEFINED, revision=booking.revision - 1),
        BookingChange(booking=booking, actor=SYSTEM.kind, event=settled_by, from_status=CREATED,
                      to_status=booking.status, from_payment_status=PaymentStatus.UNDEFINED,
                      to_payment_status=booking.payment_status, revision=booking.revision),
    ])
    public_id = str(booking.public_id)
    emit_after_commit("created", public_id, booking.revision - 1, initiated_by=str(created_by.kind))
    emit_after_commit(settled_by, public_id, booking.revision, initiated_by=str(SYSTEM.kind), previous_status=CREATED)


def transition(
    booking_id: str,
    event: str,
    *,
    actor: Actor,
    revision: int | None = None,
    decide: Callable[[Booking], dict] | None = None,
    reason: str | Callable[[Booking], str] = "",
    with_refund: bool = False,
    **changes,
) -> Booking:
    """Apply `event` to the booking under a row lock. `revision`, when given, must be the booking's current one.
    `decide(booking)` runs under the lock and returns more field changes (it may raise to refuse the change);
    a callable `reason` is given the booking as it was before the change. `with_refund` goes out with the event
    (a cancel's flowControlSettings.withRefund)."""
    allowed_from, target = TRANSITIONS[event]
    with transaction.atomic():
        booking = lock_booking(booking_id)
        if revision is not None and int(revision) != booking.revision:
            raise RevisionMismatch(data={"currentRevision": booking.revision})
        if booking.status not in allowed_from:
            raise FailedPrecondition(
                f"A {booking.get_status_display().lower()} booking cannot be {event.replace('_', ' ')}.",
                code="INVALID_BOOKING_STATUS",
            )
        if callable(reason):
            reason = reason(booking)
        if decide is not None:
            changes = {**changes, **decide(booking)}
        from_status, from_payment_status = booking.status, booking.payment_status
        if target is not None:
            changes.setdefault("status", target)
        for field, value in changes.items():
            setattr(booking, field, value)
        if booking.status not in HELD_STATUSES:
            booking.hold_expires_at = None  # settled: the status itself now says whether it occupies capacity
        booking.revision += 1
        booking.save()
        record(booking, _event_name(event, booking.status), actor=actor, from_status=from_status,
               from_payment_status=from_payment_status, reason=reason, with_refund=with_refund)
    return booking


def lock_booking(booking_id) -> Booking:
    key = parse_uuid(booking_id)
    booking = None if key is None else (
        Booking.objects.select_for_update(of=("self",))
        .select_related("service", "staff", "location", "session__staff")
        .filter(public_id=key)
        .first()
    )
    if booking is None:
        raise NotFound("We could not find that booking.", code="BOOKING_NOT_FOUND")
    return booking
