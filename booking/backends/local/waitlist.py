"""The local engine's waitlists of full class sessions (an addition to Wix's public API: docs/decisions.md).

A customer on a waitlist is a WAITING_LIST booking of the session, for one participant, in the order they joined.
When places free up, the first customers waiting are offered them: the offer is a hold (`hold_expires_at`, counted
by booking/occupancy.py like a checkout's), so the place is theirs until it lapses and nobody else can take it.
Accepting turns the booking CREATED with that hold, to be settled as a new booking is (paid online, in person, or
free); an offer that lapses ends the entry (DECLINED) and passes the place to the next.

Every change of a session's waitlist runs under the session's row lock, the lock every class booking takes, and
locks the session before any waiting booking: offers, expiry and acceptance queue up for the same count of places,
and none of them locks in the opposite order; a waiting booking another change has locked first (a staff confirm
locks the booking, then the session) is skipped, not waited for. The offer's email is filed in the offer's
transaction (`booking.events.waitlist_offered`).
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from booking import models
from booking.errors import FailedPrecondition, InvalidArgument, NotFound, SlotNotAvailable
from booking.events import waitlist_offered
from booking.ids import parse_uuid
from booking.port import (
    Booking,
    ContactDetails,
    FlowControlSettings,
    RateType,
    SelectedPaymentOption,
    ServiceType,
)
from booking.states import CUSTOMER, SYSTEM, WAITING_LIST, record, transition

from . import convert
from .anonymous import booking_for_token
from .catalog import default_policy, get_business_info
from .classes import lock_session, session_places_left
from .create import check_payment_option, check_policy

LAPSED = "The place offered to you was not taken up in time and has gone to the next person on the waitlist."


def policy_of(service):
    return service.booking_policy or default_policy()


def join_waitlist(*, event_id: str, contact_details: ContactDetails) -> Booking:
    first_name, email = contact_details.first_name.strip(), contact_details.email.strip()
    if not first_name or not email:
        raise InvalidArgument("A place on the waitlist needs the customer's first name and email.",
                              code="VALIDATION_FAILURE")
    key = parse_uuid(event_id)
    found = None if key is None else (
        models.ClassSession.objects.filter(public_id=key, service__type=ServiceType.CLASS, service__hidden=False)
        .select_related("service__booking_policy").first()
    )
    if found is None:
        raise NotFound("We could not find that class session.", code="SESSION_NOT_FOUND")
    service = found.service
    policy = policy_of(service)
    if policy is None or not policy.waitlist_enabled:
        raise FailedPrecondition("This class takes no waitlist.", code="WAITLIST_NOT_AVAILABLE")
    with transaction.atomic():
        session = lock_session(service, event_id)
        check_policy(service, session.start)  # a session too late (or too early) to book is too late to wait for
        if session.cancelled:
            raise FailedPrecondition("This session has been cancelled.", code="SESSION_NOT_FOUND")
        if session_places_left(session, timezone.now()) > 0:
            raise FailedPrecondition("This session still has places: book one instead.", code="SESSION_HAS_PLACES")
        waiting = models.Booking.objects.filter(session=session, status=WAITING_LIST)
        if waiting.filter(email__iexact=email).exists():
            raise FailedPrecondition("This email address is already on the waitlist for this session.",
                                     code="ALREADY_ON_WAITLIST")
        if waiting.count() >= policy.waitlist_capacity:
            raise FailedPrecondition("The waitlist for this session is full.", code="WAITLIST_FULL")
        booking = models.Booking.objects.create(
            service=service, session=session, status=WAITING_LIST, start=session.start, end=session.end,
            occupied_until=session.end, location_id=session.location_id, time_zone=get_business_info().time_zone,
            first_name=first_name, last_name=contact_details.last_name.strip(), email=email,
            phone=contact_details.phone.strip(), form_submission={"first_name": first_name, "email": email},
            price=service.price if service.rate_type in (RateType.FIXED, RateType.VARIED) else None,
            currency=get_business_info().currency,
        )
        record(booking, "created", actor=CUSTOMER, reason="joined the waitlist")
    return convert.booking(booking)


def offer_waitlist_places(*, event_id: str | None = None) -> list[Booking]:
    """Offer free places to the first customers waiting: on one session, or (None) on every session with a
    waitlist."""
    offered = []
    for session_id in _sessions_waiting(event_id):
        offered += tend(session_id)[1]
    return [convert.booking(b) for b in offered]


def expire_waitlist_offers() -> int:
    """For the worker: end lapsed offers and the waitlists of sessions that started, then offer what is free."""
    return sum(len(tend(session_id)[0]) for session_id in _sessions_waiting(None))


def _sessions_waiting(event_id):
    sessions = models.ClassSession.objects.filter(bookings__status=WAITING_LIST)
    if event_id is not None:
        key = parse_uuid(event_id)
        if key is None:
            raise NotFound("We could not find that class session.", code="SESSION_NOT_FOUND")
        sessions = sessions.filter(public_id=key)
    return list(sessions.order_by("start", "pk").values_list("pk", flat=True).distinct())


def tend(session_id) -> tuple[list, list]:
    """In one transaction, under the session's lock then its waiting bookings' (in the order they joined): end the
    entries whose offer lapsed or whose session started or was cancelled, then offer the free places in turn while
    the next customer's participants fit. (ended, offered)."""
    ended, offered = [], []
    with transaction.atomic():
        session = models.ClassSession.objects.select_for_update(of=("self",)) \
            .select_related("service__booking_policy").filter(pk=session_id).first()
        if session is None:
            return ended, offered
        now = timezone.now()
        line = list(models.Booking.objects.filter(session=session, status=WAITING_LIST)
                    .order_by("created_at", "pk").values_list("pk", flat=True))
        # An entry another transaction has locked is being changed (a staff confirm locks it before the session):
        # waiting for it could deadlock, so it is skipped, and nobody behind it is offered a place meanwhile; the
        # change's own event (or the worker's job, within a minute) tends the line again once it commits.
        held = models.Booking.objects.select_for_update(skip_locked=True).filter(pk__in=line, status=WAITING_LIST)
        mine = {entry.pk: entry for entry in held}
        waiting = [mine.get(pk) for pk in line]
        over = session.cancelled or session.start <= now
        for entry in filter(None, waiting):
            lapsed = entry.hold_expires_at is not None and entry.hold_expires_at <= now
            if over or lapsed:
                why = "the session is no longer open" if over else "the offered place was not taken up in time"
                ended.append(transition(str(entry.public_id), "declined", actor=SYSTEM, reason=why))
        if over:
            return ended, offered
        left = session_places_left(session, now)  # live offers count as taken
        policy = policy_of(session.service)
        until = now + timedelta(minutes=policy.waitlist_reservation_minutes if policy else 10)
        for entry in waiting:
            if entry is None:
                break  # being changed elsewhere: the line waits for it
            if entry.hold_expires_at is not None:
                continue  # offered already: a live offer is counted in `left`, a lapsed one has just ended
            if entry.total_participants > left:
                break  # first come, first served: nobody jumps the queue for a smaller place
            booking = transition(str(entry.public_id), "offered", actor=SYSTEM, hold_expires_at=until,
                                 reason=f"a place held until {until.isoformat()}")
            waitlist_offered.send(sender="booking", booking_id=str(booking.public_id), revision=booking.revision,
                                  email=booking.email)
            left -= entry.total_participants
            offered.append(booking)
    return ended, offered


def accept_waitlist_offer(token: str, *, selected_payment_option: SelectedPaymentOption) -> Booking:
    entry = _waiting(token)
    check_payment_option(entry.service, selected_payment_option, FlowControlSettings())
    with transaction.atomic():
        session = models.ClassSession.objects.select_for_update().get(pk=entry.session_id)

        def decide(booking):
            now = timezone.now()
            if booking.status != WAITING_LIST:
                return {}  # the state machine refuses it with the status it has now
            if booking.hold_expires_at is None or booking.hold_expires_at <= now:
                raise FailedPrecondition(LAPSED if booking.hold_expires_at else "No place has been offered to you yet.",
                                         code="WAITLIST_OFFER_LAPSED")
            if booking.total_participants > session_places_left(session, now, exclude=booking.pk):
                raise SlotNotAvailable()  # staff took places meanwhile: fewer seats, or a forced booking
            return {"selected_payment_option": selected_payment_option}

        booking = transition(str(entry.public_id), "offer_accepted", actor=CUSTOMER, decide=decide,
                             reason="took up the offered place")
    return convert.booking(booking)


def leave_waitlist(token: str) -> Booking:
    """Cancel the link's waitlist entry, declining its offer if one runs (whose place then goes to the next)."""
    entry = _waiting(token)
    return convert.booking(transition(str(entry.public_id), "canceled", actor=CUSTOMER, reason="left the waitlist"))


def _waiting(token) -> models.Booking:
    entry = booking_for_token(token)
    if entry.status != WAITING_LIST or entry.session_id is None:
        raise FailedPrecondition("This booking is not on a waitlist.", code="INVALID_BOOKING_STATUS")
    return entry

