"""Domain events of bookings, sent after the change they describe has committed.

Receivers (emails, outgoing webhooks) connect to `booking_event`; they get the event name, the booking's public id
and its revision, and read whatever else they need themselves.

Each emission names its source backend, and only the configured BOOKINGS_BACKEND's events reach the receivers: in
wix mode the wix backend emits after its own writes, while the local engine serving the Wix sandbox stays silent.
"""

from django.conf import settings
from django.db import transaction
from django.dispatch import Signal

EVENTS = frozenset({
    "created", "confirmed", "declined", "canceled", "rescheduled", "updated", "number_of_participants_updated",
    "marked_as_pending",
})

booking_event = Signal()


def emit_after_commit(event: str, booking_id: str, revision: int, *, source: str = "local") -> None:
    assert event in EVENTS, event
    if source != settings.BOOKINGS_BACKEND:
        return
    transaction.on_commit(
        lambda: booking_event.send(sender="booking", event=event, booking_id=booking_id, revision=revision,
                                   source=source)
    )
