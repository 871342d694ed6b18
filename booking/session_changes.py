"""What a class session's bookings do when staff cancel or move the session: they go with it, each through the
bookings port, so that every booking's change is checked, locked, audited and announced to its customer like any
other (docs/decisions.md, "Sessions canceled or moved by staff").

Both run inside the transaction that saves the session, so that the session and its bookings change together or
not at all; a booking that cannot follow raises its BookingsError and the whole change is undone.
"""

from booking.backends import get_backend
from booking.models import Booking, ClassSession
from booking.port import Caller, CancelFlowControlSettings, RescheduleFlowControlSettings, Slot
from booking.states import ACTIVE

# The business canceled, not the customer: the cancellation policy does not apply, and paid bookings are refunded.
CANCEL = CancelFlowControlSettings(ignore_cancellation_policy=True, with_refund=True)
# The customer's reschedule window does not apply either; each booking keeps its status (local_changes).
FOLLOW = RescheduleFlowControlSettings(ignore_reschedule_policy=True)


def _active(session: ClassSession) -> list[Booking]:
    return list(Booking.objects.filter(session=session, status__in=ACTIVE).order_by("pk"))


def cancel_session_bookings(session: ClassSession) -> int:
    """Cancel the active bookings of a session staff canceled; returns how many."""
    backend = get_backend()
    bookings = _active(session)
    for booking in bookings:
        backend.cancel_booking(str(booking.public_id), revision=booking.revision, caller=Caller.STAFF,
                               flow_control_settings=CANCEL)
    return len(bookings)


def move_session_bookings(session: ClassSession) -> int:
    """Move the active bookings of a session to the session's new time (already saved); returns how many moved."""
    backend = get_backend()
    moved = 0
    for booking in _active(session):
        if (booking.start, booking.end) == (session.start, session.end):
            continue
        slot = Slot(service_id=str(session.service_id), start_date=session.start, end_date=session.end,
                    timezone=booking.time_zone, event_id=str(session.public_id))
        backend.reschedule_booking(str(booking.public_id), slot=slot, revision=booking.revision,
                                   caller=Caller.STAFF, flow_control_settings=FOLLOW)
        moved += 1
    return moved
