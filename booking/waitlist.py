"""When a place in a class session frees up, the session's waitlist hears of it at once: a receiver of the domain
events that free places (a booking canceled or declined, fewer participants, a booking moved away) asks the port to
offer the session's free places to the first customers waiting. The worker's every-minute job
(`notifications.scheduled.waitlist_offers`) ends lapsed offers and catches what no event announces (more seats
given to a session, a checkout hold that lapsed).

A Wix site keeps no waitlist of ours (`BookingsPort.offers_waitlist`), so the receiver does nothing there.
"""

import logging

from booking.backends import get_backend

logger = logging.getLogger(__name__)

# Events after which a class session may have a place more than before.
FREEING = frozenset({"canceled", "declined", "number_of_participants_updated", "rescheduled"})


def on_booking_event(sender, *, event: str, booking_id: str, **kwargs) -> None:
    """booking.events.booking_event receiver, after commit: the change that freed the place stands whatever
    happens here, so a failure is logged (the worker's job offers the place a minute later)."""
    backend = get_backend()
    if event not in FREEING or not backend.offers_waitlist:
        return
    try:
        found = backend.query_extended_bookings(booking_ids=[booking_id])
        if not found or not found[0].slot.event_id:
            return
        # A moved booking frees its old session, which the event does not name: every waitlist is looked at.
        event_id = None if event == "rescheduled" else found[0].slot.event_id
        backend.offer_waitlist_places(event_id=event_id)
    except Exception:
        logger.exception("Could not offer the places freed by booking %s (%s) to the waitlist", booking_id, event)
