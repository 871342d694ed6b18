"""Domain events of bookings, sent after the change they describe has committed.

Receivers (emails, refunds, outgoing webhooks) connect to `booking_event`; they get the event name, the booking's
public id and its revision, and what Wix's event bodies carry about the change itself (wix-api.md §5.7, §5.14):

- `initiated_by`: who made the change, "customer", "staff" or "system" (Wix's `initiatedBy`, by kind);
- `previous_status`: the booking's status before the change (Wix's `previousStatus`; "" for "created");
- `with_refund`: for "canceled", whether staff asked for the payment to be refunded whatever the refund policy
  (Wix's `flowControlSettings.withRefund`).

Anything else about the booking they read through the bookings port themselves. Receivers take `**kwargs`, so that
the event can grow.

Each emission names its source backend, and only the configured BOOKINGS_BACKEND's events reach the receivers: in
wix mode the wix backend emits after its own writes, while the local engine serving the Wix sandbox stays silent.
"""

from django.conf import settings
from django.db import transaction
from django.dispatch import Signal

EVENTS = frozenset({
    "created", "confirmed", "declined", "canceled", "rescheduled", "updated", "number_of_participants_updated",
    "marked_as_pending", "offered", "offer_accepted",
})

booking_event = Signal()

# Sent inside the transaction that offers a waitlisted customer a place (booking/backends/local/waitlist.py), not
# after it: the offer's email is filed in that transaction, so there is never an offer nobody is told about, nor an
# email about an offer that was rolled back. Receivers get `booking_id` and `revision`; an error undoes the offer.
waitlist_offered = Signal()


INITIATORS = frozenset({"customer", "staff", "system"})


def emit_after_commit(event: str, booking_id: str, revision: int, *, initiated_by: str, previous_status: str = "",
                      with_refund: bool = False, source: str = "local") -> None:
    assert event in EVENTS, event
    assert initiated_by in INITIATORS, initiated_by
    if source != settings.BOOKINGS_BACKEND:
        return
    details = {"initiated_by": initiated_by, "previous_status": str(previous_status), "with_refund": with_refund,
               "source": source}
    transaction.on_commit(
        lambda: booking_event.send(sender="booking", event=event, booking_id=booking_id, revision=revision, **details)
    )
