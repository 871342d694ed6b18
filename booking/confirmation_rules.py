"""Confirmation rules: the business's own logic for services that need approval (the seeds' "manual confirmation
flow"). A rule says "confirm all of a day's requests once that day has N of them".

It runs when a booking becomes PENDING (the "marked_as_pending" domain event, after commit): it counts the
service's pending requests on that booking's local day (the business's time zone) and, once there are N, confirms
each of them through the port as staff, so the customer gets the same email as for a staff confirmation.

Just before confirming, each request's time is checked again. A request whose time is no longer free (time off,
a session taught, a clean booking of the same staff member, or no places left in its class) is not confirmed: it is
left PENDING for the business to decide in the admin, which already lists it and has had its "pending" email. It is
not declined: declining is the business's call, and the customer may be moved instead.

The re-check reads the embedded engine's tables, so the rule applies when BOOKINGS_BACKEND is "local"; on a Wix
site the Wix dashboard's own approval settings apply instead.
"""

import logging
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction

from booking import models
from booking.port import BookingStatus, Caller
from booking.states import lock_booking

logger = logging.getLogger(__name__)


def on_booking_event(sender, *, event: str, booking_id: str, **kwargs) -> None:
    """booking.events.booking_event receiver. The request itself has committed, so a failure here is logged, never
    turned into an error page for the customer who made it."""
    if event != "marked_as_pending" or settings.BOOKINGS_BACKEND != "local":
        return
    try:
        apply_rule(booking_id)
    except Exception:
        logger.exception("Could not apply the confirmation rule after booking %s became pending", booking_id)


def apply_rule(booking_id: str) -> list[str]:
    """Apply the rule of the booking's service to the booking's day; the ids it confirmed."""
    from booking.backends import get_backend

    port = get_backend()
    found = port.query_extended_bookings(booking_ids=[booking_id])
    if not found or found[0].status != BookingStatus.PENDING:
        return []
    request = found[0]
    rule = models.ConfirmationRule.objects.filter(service_id=request.service_id, enabled=True,
                                                  service__require_manual_approval=True).first()
    if rule is None:
        return []
    tz = ZoneInfo(port.get_business_info().time_zone)
    day = request.start_date.astimezone(tz).date()
    day_start = datetime.combine(day, time(), tzinfo=tz)
    day_end = datetime.combine(day + timedelta(days=1), time(), tzinfo=tz)
    requests = [b for b in port.query_extended_bookings_starting(statuses=[BookingStatus.PENDING],
                                                                 start_from=day_start, start_to=day_end)
                if b.service_id == request.service_id]
    if len(requests) < rule.min_requests_per_day:
        return []
    confirmed = []
    for each in requests:
        if not time_still_free(each.id):
            logger.info("Confirmation rule left booking %s pending: its time is no longer free", each.id)
            continue
        port.confirm_booking(each.id, revision=each.revision, caller=Caller.STAFF)
        confirmed.append(each.id)
    return confirmed


def time_still_free(booking_id: str) -> bool:
    """The engine's own check (the one staff confirmation runs under the staff lock), asked before confirming so
    that a conflict leaves the request pending instead of confirming it double-booked."""
    from booking.backends.local.lifecycle import check_capacity

    with transaction.atomic():
        return not check_capacity(lock_booking(booking_id))["conflict"]
