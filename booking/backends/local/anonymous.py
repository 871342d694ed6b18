"""The local engine's anonymous actions: the token in a customer's emailed link, and what its holder may do.

A token is 32 random bytes, URL-safe; only its SHA-256 digest is stored, and a token is found by its digest (no
secret is ever compared in Python, so there is nothing to time). A token works while its booking is active and not
over, read at each use, so an old email still opens a booking that was moved later; once the booking is canceled,
declined or over, its tokens open nothing, with the same answer as a token we never made.
"""

import hashlib
import re
import secrets

from django.utils import timezone

from booking import models
from booking.errors import BookingPolicyViolation, NotFound
from booking.ids import parse_uuid
from booking.port import AllowedActions, AnonymousBooking, Booking, Caller, Slot
from booking.states import CANCELED, DECLINED

from . import convert
from .catalog import default_policy
from .changes import reschedule_booking
from .lifecycle import allowed, cancel_booking

# One answer for a token we never made and for one whose booking is canceled, declined or over: a link tells its
# holder nothing about the booking it was for once it stops working.
GONE = "This link no longer opens a booking. If you have a booking with us, use the link in your latest email."

# What secrets.token_urlsafe(32) makes: 43 characters of URL-safe base64. Anything else is not worth a query.
TOKEN_FORMAT = re.compile(r"[A-Za-z0-9_-]{43}")
CLOSED = frozenset({CANCELED, DECLINED})


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def get_anonymous_action_token(booking_id: str) -> str:
    key = parse_uuid(booking_id)
    booking = models.Booking.objects.filter(public_id=key).first() if key else None
    if booking is None:
        raise NotFound("We could not find that booking.", code="BOOKING_NOT_FOUND")
    token = secrets.token_urlsafe(32)
    models.AnonymousActionToken.objects.create(booking=booking, digest=token_digest(token))
    return token


def get_booking_anonymously(token: str) -> AnonymousBooking:
    booking = booking_for_token(token)
    customer_may = allowed(booking, timezone.now())
    return AnonymousBooking(booking=convert.booking(booking), allowed_anonymous_actions=AllowedActions(
        cancel=customer_may.cancel and link_may(booking, "cancel"),
        reschedule=customer_may.reschedule and link_may(booking, "reschedule"),
    ))


def cancel_booking_anonymously(token: str, *, revision: int) -> Booking:
    booking = booking_for_token(token)
    if not link_may(booking, "cancel"):
        raise BookingPolicyViolation("This booking cannot be canceled online.", code="BOOKING_CANNOT_BE_CANCELLED")
    # Held to the cancellation policy, as any customer is, under the booking's lock.
    return cancel_booking(str(booking.public_id), revision=revision, caller=Caller.CUSTOMER)


def reschedule_booking_anonymously(token: str, *, slot: Slot, revision: int) -> Booking:
    booking = booking_for_token(token)
    if not link_may(booking, "reschedule"):
        raise BookingPolicyViolation("This booking cannot be moved online.", code="BOOKING_CANNOT_BE_RESCHEDULED")
    return reschedule_booking(str(booking.public_id), slot=slot, revision=revision, caller=Caller.CUSTOMER)


def link_may(booking: models.Booking, action: str) -> bool:
    """What a link may do beyond what any customer may ("cancel" or "reschedule"): the policy's allowAnonymous
    flags say. A package's part is not moved alone, which would break the package's sequence."""
    policy = booking.service.booking_policy or default_policy()
    if policy is None:
        return False
    if action == "cancel":
        return policy.cancellation_allow_anonymous
    return policy.reschedule_allow_anonymous and booking.multi_service_booking is None


def booking_for_token(token) -> models.Booking:
    """The booking a token opens; NotFound for a token we never made and for one whose booking is canceled,
    declined or over."""
    found = None
    if isinstance(token, str) and TOKEN_FORMAT.fullmatch(token):
        found = (
            models.AnonymousActionToken.objects.filter(digest=token_digest(token))
            .select_related("booking__service__booking_policy", "booking__staff", "booking__location",
                            "booking__session__staff")
            .first()
        )
    if found is None or found.booking.status in CLOSED or found.booking.end <= timezone.now():
        raise NotFound(GONE, code="ANONYMOUS_TOKEN_NOT_FOUND")
    return found.booking
