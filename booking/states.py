"""Booking status rules that more than one operation shares, kept as data in one place."""

from .models import BookingStatus, PaymentStatus

# Payment statuses under which a conflicting booking is declined rather than double-booked (wix-api.md §5.4).
UNPAID = frozenset({PaymentStatus.UNDEFINED, PaymentStatus.NOT_PAID, PaymentStatus.REFUNDED, PaymentStatus.EXEMPT})

# Statuses Confirm Or Decline Booking may start from.
CONFIRM_OR_DECLINE_FROM = frozenset({BookingStatus.CREATED, BookingStatus.PENDING})


def confirm_or_decline_outcome(
    *, conflict: bool, payment_status: str, requires_approval: bool
) -> tuple[BookingStatus, bool]:
    """Wix's Confirm Or Decline decision table: (new status, double_booked).

    | conflict | unpaid | approval | → status   | double booked |
    | no       | any    | yes      | PENDING    | no            |
    | no       | any    | no       | CONFIRMED  | no            |
    | yes      | yes    | any      | DECLINED   | no            |
    | yes      | no     | yes      | PENDING    | yes           |
    | yes      | no     | no       | CONFIRMED  | yes           |
    """
    if conflict and payment_status in UNPAID:
        return BookingStatus.DECLINED, False
    status = BookingStatus.PENDING if requires_approval else BookingStatus.CONFIRMED
    return status, conflict
