"""Domain events of bookings, sent after the change they describe has committed.

Receivers (emails, outgoing webhooks) connect to `booking_event`; they get the event name, the booking's public id
and its revision, and read whatever else they need themselves.
"""

from django.db import transaction
from django.dispatch import Signal

EVENTS = frozenset({
    "created", "confirmed", "declined", "canceled", "rescheduled", "updated", "number_of_participants_updated",
    "marked_as_pending",
})

booking_event = Signal()


def emit_after_commit(event: str, booking_id: str, revision: int) -> None:
    assert event in EVENTS, event
    transaction.on_commit(
        lambda: booking_event.send(sender="booking", event=event, booking_id=booking_id, revision=revision)
    )
