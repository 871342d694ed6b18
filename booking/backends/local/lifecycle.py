"""The local engine's booking lifecycle: confirm, decline, mark as pending, cancel, checkout holds, payment
status, allowed actions, and the bookings read by id.

Each operation is one call of `booking.states.transition()`; the availability re-checks run inside it, under the
booking's row lock and then the staff member's.
"""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Exists
from django.utils import timezone

from booking import calendar_version, models
from booking.errors import (
    BookingPolicyViolation,
    FailedPrecondition,
    InvalidArgument,
    PermissionDenied,
    SlotNotAvailable,
)
from booking.ids import parse_uuid
from booking.occupancy import clean, occupying, overlapping
from booking.port import (
    AllowedActions,
    Booking,
    BookingStatus,
    Caller,
    CancelFlowControlSettings,
    PaymentStatus,
    ServiceType,
)
from booking.states import ACTIVE, CUSTOMER, SYSTEM, Actor, confirm_or_decline_outcome, lock_booking, transition

from . import convert
from .catalog import default_policy, get_service
from .classes import check_places
from .locks import lock_staff, overlap_refused
from .slots import free_starts


def actor_for(caller: Caller) -> Actor:
    return {Caller.CUSTOMER: CUSTOMER, Caller.STAFF: Actor(models.BookingChange.Actor.STAFF)}.get(caller, SYSTEM)


def holds_time(staff_id: int, booking: models.Booking) -> bool:
    """Whether the staff member is taken at the booking's time by another booking that occupies it cleanly
    (booking/occupancy.py), by time off or by a session they teach."""
    clash = models.Booking.objects.filter(
        occupying(timezone.now()), clean(), overlapping(booking.start, booking.occupied_until), staff_id=staff_id,
    ).exclude(pk=booking.pk)
    away = models.TimeOff.objects.filter(staff_id=staff_id, start__lt=booking.end, end__gt=booking.start)
    teaching = models.ClassSession.objects.filter(staff_id=staff_id, cancelled=False, start__lt=booking.end,
                                                  end__gt=booking.start)
    # One query for the three, on the staff member's row (which the caller has locked).
    return models.StaffMember.objects.filter(pk=staff_id).filter(
        Exists(clash) | Exists(away) | Exists(teaching)).exists()


def check_capacity(booking: models.Booking) -> dict:
    """Decide under the staff lock whether the booking's time is still its own: {"conflict": bool} plus, for
    an "any staff" booking whose staff member was taken meanwhile, the free colleague it moves to."""
    if booking.skip_availability_validation:
        return {"conflict": False}
    if booking.session_id is not None or booking.service.type == ServiceType.COURSE:
        return check_places(booking)
    if booking.staff_id is None:
        return {"conflict": False}
    candidates = [booking.staff_id]
    if booking.any_staff:
        service = get_service(str(booking.service_id))
        candidates += [m.pk for m in service.active_staff if m.pk != booking.staff_id]
    lock_staff(candidates)
    if not holds_time(booking.staff_id, booking):
        return {"conflict": False}
    for staff_id in candidates[1:]:
        free = free_starts(service, booking.start, booking.start + timedelta(seconds=1), [str(staff_id)],
                           exclude_bookings=[booking.pk], clean_only=True)
        if free:
            return {"conflict": False, "staff_id": staff_id}
    return {"conflict": True}


def save_transition(booking_id, event, **kwargs):
    """A transition whose write the PostgreSQL exclusion constraint may still refuse (the second line)."""
    try:
        return transition(booking_id, event, **kwargs)
    except IntegrityError as error:
        if overlap_refused(error):
            raise SlotNotAvailable() from error
        raise


def check_payment_status(payment_status) -> None:
    if payment_status not in PaymentStatus:
        raise InvalidArgument(f"Unknown payment status {payment_status!r}.")


def confirm_or_decline_booking(booking_id: str, *, payment_status: PaymentStatus) -> Booking:
    check_payment_status(payment_status)

    def decide(booking):
        changes = check_capacity(booking)
        status, double_booked = confirm_or_decline_outcome(
            conflict=changes.pop("conflict"),
            payment_status=payment_status,
            requires_approval=booking.service.require_manual_approval and not booking.skip_business_confirmation,
        )
        return {**changes, "status": status, "payment_status": payment_status,
                "double_booked": booking.double_booked or double_booked}

    booking = save_transition(booking_id, "confirmed_or_declined", actor=SYSTEM, decide=decide)
    return convert.booking(booking)


def confirm_booking(booking_id: str, *, revision: int, caller: Caller = Caller.STAFF,
                    payment_status: PaymentStatus | None = None) -> Booking:
    """Staff confirm a booking. A time that is taken meanwhile is not refused but flagged double_booked."""
    staff_only(caller)

    return convert.booking(save_transition(booking_id, "confirmed", actor=actor_for(caller),
                                           revision=revision, decide=flag(payment_status)))


def flag(payment_status):
    """For staff confirming or marking as pending: a conflict does not refuse the change, it flags it."""
    if payment_status:
        check_payment_status(payment_status)

    def decide(booking):
        changes = check_capacity(booking)
        changes["double_booked"] = booking.double_booked or changes.pop("conflict")
        if payment_status:
            changes["payment_status"] = payment_status
        return changes

    return decide


def decline_booking(booking_id: str, *, revision: int, caller: Caller = Caller.STAFF,
                    payment_status: PaymentStatus | None = None) -> Booking:
    staff_only(caller)
    if payment_status:
        check_payment_status(payment_status)
    changes = {"payment_status": payment_status} if payment_status else {}
    return convert.booking(transition(booking_id, "declined", actor=actor_for(caller), revision=revision,
                                      **changes))


def mark_booking_as_pending(booking_id: str, *, revision: int, caller: Caller = Caller.STAFF,
                            payment_status: PaymentStatus | None = None) -> Booking:
    staff_only(caller)
    flagged = flag(payment_status)

    def decide(booking):
        if not booking.service.require_manual_approval:
            raise InvalidArgument("Only bookings of services that need approval can wait for it.")
        return flagged(booking)

    return convert.booking(save_transition(booking_id, "marked_as_pending", actor=actor_for(caller),
                                           revision=revision, decide=decide))


def cancel_booking(booking_id: str, *, revision: int, caller: Caller = Caller.CUSTOMER,
                   flow_control_settings: CancelFlowControlSettings | None = None) -> Booking:
    flow = flow_control_settings or CancelFlowControlSettings()
    if flow.any:
        staff_only(caller)

    def decide(booking):
        if not flow.ignore_cancellation_policy and not allowed(booking, timezone.now()).cancel:
            raise BookingPolicyViolation("This booking can no longer be canceled online.",
                                         code="BOOKING_CANNOT_BE_CANCELLED")
        return {}

    reason = "with refund" if flow.with_refund else ""
    return convert.booking(transition(booking_id, "canceled", actor=actor_for(caller), revision=revision,
                                      decide=decide, reason=reason, with_refund=flow.with_refund))


# ---- checkout holds (an addition to Wix: see docs/decisions.md) ----------------------------------------------

def hold_booking(booking_id: str, *, expires_at: datetime) -> Booking:
    """Give a CREATED booking its capacity until `expires_at` while the customer pays. A booking whose hold is
    still running keeps that hold (it is never held twice); a taken time raises SlotNotAvailable."""
    now = timezone.now()
    if expires_at <= now:
        raise InvalidArgument("A checkout hold must end in the future.")
    with transaction.atomic():
        booking = lock_booking(booking_id)
        if booking.status != BookingStatus.CREATED:
            raise FailedPrecondition("Only a booking waiting for payment can hold its time.",
                                     code="INVALID_BOOKING_STATUS")
        if booking.hold_expires_at is None or booking.hold_expires_at <= now:
            changes = check_capacity(booking)
            if changes.pop("conflict"):
                raise SlotNotAvailable()
            booking.staff_id = changes.get("staff_id", booking.staff_id)
            booking.hold_expires_at = expires_at
            booking.save(update_fields=["staff", "hold_expires_at", "updated_at"])
    return convert.booking(booking)


def release_hold(booking_id: str) -> None:
    """End a booking's checkout hold now, e.g. when the customer goes back and picks another time."""
    key = parse_uuid(booking_id)
    if key is not None:
        with transaction.atomic():
            if models.Booking.objects.filter(public_id=key, hold_expires_at__isnull=False).update(
                    hold_expires_at=None):
                calendar_version.bump()  # an update sends no signal; a released hold frees its time


def release_lapsed_holds() -> int:
    """Clear holds whose time is up (they already stopped counting, so availability is unchanged: no bump); for
    the cron command."""
    return models.Booking.objects.filter(hold_expires_at__lte=timezone.now()).update(hold_expires_at=None)


def update_payment_status(booking_id: str, *, payment_status: PaymentStatus, caller: Caller = Caller.SYSTEM,
                          reason: str = "") -> Booking:
    """Record a payment status reported after the fact (a refund, or staff marking a visit as paid)."""
    check_payment_status(payment_status)
    return convert.booking(transition(booking_id, "updated", actor=actor_for(caller),
                                      payment_status=payment_status, reason=reason))


def bulk_calculate_allowed_actions(*, booking_ids: list[str]) -> list[tuple[str, AllowedActions | None]]:
    now = timezone.now()
    keys = [key for key in map(parse_uuid, booking_ids) if key]
    found = models.Booking.objects.filter(public_id__in=keys).select_related("service__booking_policy")
    bookings = {str(b.public_id): b for b in found}
    return [
        (booking_id, allowed(bookings[booking_id], now) if booking_id in bookings else None)
        for booking_id in booking_ids
    ]


def allowed(booking: models.Booking, now) -> AllowedActions:
    """What a customer may still do without force flags: an active booking, ahead, inside the policy window."""
    policy = booking.service.booking_policy or default_policy()
    if policy is None or booking.status not in ACTIVE or booking.start <= now:
        return AllowedActions(cancel=False, reschedule=False)

    def window_open(enabled, limited, minutes):
        return enabled and (not limited or now <= booking.start - timedelta(minutes=minutes))

    return AllowedActions(
        cancel=window_open(policy.cancellation_enabled, policy.limit_latest_cancellation,
                           policy.latest_cancellation_in_minutes),
        # A course cannot move (Wix); nor a place in a waitlist's line, which is for its own session.
        reschedule=booking.service.type != ServiceType.COURSE and booking.status != BookingStatus.WAITING_LIST
        and window_open(
            policy.reschedule_enabled, policy.limit_latest_reschedule, policy.latest_reschedule_in_minutes),
    )


def staff_only(caller):
    if caller not in (Caller.STAFF, Caller.SYSTEM):
        raise PermissionDenied("Only the business's staff may do this.")


def query_extended_bookings(*, booking_ids: list[str]) -> list[Booking]:
    ids = [key for key in map(parse_uuid, booking_ids) if key]
    queryset = models.Booking.objects.filter(public_id__in=ids).select_related(
        "service", "staff", "location", "session__staff"
    )
    return [convert.booking(b) for b in queryset]


def query_extended_bookings_starting(*, statuses: list[BookingStatus], start_from: datetime,
                                     start_to: datetime) -> list[Booking]:
    queryset = models.Booking.objects.filter(
        status__in=list(statuses), start__gte=start_from, start__lt=start_to
    ).select_related("service", "staff", "location", "session__staff").order_by("start", "pk")
    return [convert.booking(b) for b in queryset]
