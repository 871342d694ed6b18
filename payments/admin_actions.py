"""Payment actions on the bookings list of the admin (added to booking.admin.BookingAdmin.actions)."""

from django.contrib import admin, messages

from booking.backends import get_backend
from booking.errors import BookingsError
from booking.port import BookingStatus, Caller, PaymentStatus

from . import wix_orders

DUE = frozenset({PaymentStatus.NOT_PAID, PaymentStatus.PARTIALLY_PAID})


@admin.action(description="Mark as paid in person", permissions=["change"])
def mark_paid_in_person(modeladmin, request, queryset):
    """The seeds' "mark order as paid": the customer paid (the rest) at the visit. Only confirmed or pending
    bookings with money still due; the change is audited as the staff member's. A booking with a Wix order has the
    payment recorded on the order instead (wix_orders.mark_paid_in_person), which Wix's booking then follows."""
    done = 0
    for booking in queryset:
        order = wix_orders.order_row(str(booking.public_id))
        if order is not None:
            try:
                wix_orders.mark_paid_in_person(order, request.user)
                done += 1
            except BookingsError as error:
                modeladmin.message_user(request, f"{booking}: {error.message}", messages.ERROR)
            continue
        if booking.status not in {BookingStatus.CONFIRMED, BookingStatus.PENDING} or booking.payment_status not in DUE:
            modeladmin.message_user(
                request, f"{booking}: only confirmed or pending bookings with money still due can be marked as paid "
                         f"(this one is {booking.get_status_display().lower()}, "
                         f"{booking.get_payment_status_display().lower()}).", messages.WARNING)
            continue
        try:
            get_backend().update_payment_status(
                str(booking.public_id), payment_status=PaymentStatus.PAID, caller=Caller.STAFF,
                reason=f"paid in person, marked by {request.user.get_username()}")
            done += 1
        except BookingsError as error:
            modeladmin.message_user(request, f"{booking}: {error.message}", messages.ERROR)
    if done:
        modeladmin.message_user(request, f"Marked {done} booking(s) as paid.", messages.SUCCESS)
