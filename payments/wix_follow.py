"""Following the bookings sent to a Wix checkout until Wix settles them.

On a Wix eCommerce site Wix, not this site, moves such a booking: the order approved confirms it (or makes it a
request when the service needs approval), a declined payment declines it (wix-api.md §8.5). The site's emails (with
the manage link) follow the domain events of booking.events, which the wix backend raises only after its own
writes, so the site watches: each WixEcomCheckout keeps the status last seen, and a change seen is raised once as
the event our own write would have raised ("confirmed", "marked_as_pending", "declined"). A change is claimed with
a conditional UPDATE, so two workers seeing it at once raise it once; the outbox files one email per booking
revision in any case.

It is seen right after a write of ours that Wix answers by moving the booking (Create Order for a booking paid in
person, Add Payments of a Stripe payment) and, for the hosted checkout, by the scheduled job `wix_follow` every
minute. The return page, a GET, only reads. Wix's webhooks (order approved, booking confirmed) would make the
hosted checkout's email immediate; this site does not take them yet (docs/decisions.md).
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from booking.backends import get_backend
from booking.events import emit_after_commit
from booking.port import Booking, BookingStatus

from .models import WixEcomCheckout

logger = logging.getLogger(__name__)

EVENTS = {BookingStatus.CONFIRMED: "confirmed", BookingStatus.PENDING: "marked_as_pending",
          BookingStatus.DECLINED: "declined"}
# Statuses Wix may still move a booking out of without a write of ours; the others end the following.
OPEN = (BookingStatus.CREATED, BookingStatus.PENDING)
# A checkout nobody paid lapses within hours; a request waits at most for the business's answer.
FOLLOW_FOR = timedelta(days=14)
BATCH = 100


def seen(booking: Booking, row: WixEcomCheckout) -> bool:
    """Raise the event of the booking's change since its checkout `row` last saw it, unless there is none or
    another process has claimed it. True when this call took the change."""
    if row.seen_status == booking.status:
        return False
    if not WixEcomCheckout.objects.filter(pk=row.pk, seen_status=row.seen_status).update(
            seen_status=str(booking.status)):
        return False
    if event := EVENTS.get(booking.status):
        emit_after_commit(event, booking.id, booking.revision, initiated_by="system",
                          previous_status=row.seen_status, source="wix")
    return True


def follow_open() -> str:
    """The scheduled job: read the open ones (one Query Extended Bookings per hundred) and raise what changed."""
    if settings.BOOKINGS_BACKEND != "wix":
        return "not in wix mode"
    since = timezone.now() - FOLLOW_FOR
    rows = {row.booking_id: row for row in WixEcomCheckout.objects.filter(
        seen_status__in=[str(s) for s in OPEN], created_at__gte=since)}
    ids = list(rows)
    changed = sum(seen(booking, rows[booking.id]) for start in range(0, len(ids), BATCH)
                  for booking in get_backend().query_extended_bookings(booking_ids=ids[start:start + BATCH]))
    return f"{len(ids)} followed, {changed} changed"
