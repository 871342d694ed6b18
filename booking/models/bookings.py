"""Bookings of the local engine, with the Wix status and payment status values (wix-api.md §5.1).

The choices take their values from the port's enums (booking/port.py), the one source of them; the labels are
what staff read in the admin.
"""

import uuid

from django.db import models
from django.db.models import F, Q

from booking import port
from booking.occupancy import span_capped

from .catalog import Location, Service, StaffMember
from .sessions import ClassSession


class BookingStatus(models.TextChoices):
    CREATED = port.BookingStatus.CREATED.value, "Created"
    PENDING = port.BookingStatus.PENDING.value, "Pending approval"
    CONFIRMED = port.BookingStatus.CONFIRMED.value, "Confirmed"
    DECLINED = port.BookingStatus.DECLINED.value, "Declined"
    CANCELED = port.BookingStatus.CANCELED.value, "Canceled"
    WAITING_LIST = port.BookingStatus.WAITING_LIST.value, "Waiting list"


class PaymentStatus(models.TextChoices):
    UNDEFINED = port.PaymentStatus.UNDEFINED.value, "Undefined"
    NOT_PAID = port.PaymentStatus.NOT_PAID.value, "Not paid"
    PAID = port.PaymentStatus.PAID.value, "Paid"
    PARTIALLY_PAID = port.PaymentStatus.PARTIALLY_PAID.value, "Partially paid (deposit)"
    REFUNDED = port.PaymentStatus.REFUNDED.value, "Refunded"
    EXEMPT = port.PaymentStatus.EXEMPT.value, "Free of charge"


class SelectedPaymentOption(models.TextChoices):
    UNDEFINED = port.SelectedPaymentOption.UNDEFINED.value, "Undefined"
    OFFLINE = port.SelectedPaymentOption.OFFLINE.value, "In person"
    ONLINE = port.SelectedPaymentOption.ONLINE.value, "Online"
    MEMBERSHIP = port.SelectedPaymentOption.MEMBERSHIP.value, "Membership"


class Booking(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="bookings")
    status = models.CharField(max_length=20, choices=BookingStatus.choices, default=BookingStatus.CREATED)
    payment_status = models.CharField(max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.UNDEFINED)
    selected_payment_option = models.CharField(
        max_length=20, choices=SelectedPaymentOption.choices, default=SelectedPaymentOption.UNDEFINED
    )
    revision = models.PositiveIntegerField(default=1)

    start = models.DateTimeField()
    end = models.DateTimeField()
    # The end plus the service's buffer (timeBetweenSessions) when booked: the staff member is busy until then.
    occupied_until = models.DateTimeField()
    time_zone = models.CharField(max_length=64)
    # Appointments only: a class or course booking takes a place, and the session's staff member teaches it.
    staff = models.ForeignKey(StaffMember, on_delete=models.PROTECT, null=True, blank=True, related_name="bookings")
    # The class session booked; empty for appointments and for courses, which are booked as a whole.
    session = models.ForeignKey(ClassSession, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="bookings")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, null=True, blank=True)
    total_participants = models.PositiveIntegerField(default=1)
    # The customer asked for any available staff member: confirmation may move the booking to another free one.
    any_staff = models.BooleanField(default=False)

    first_name = models.CharField(max_length=200)
    last_name = models.CharField(max_length=200, blank=True)
    email = models.EmailField()
    phone = models.CharField(max_length=40, blank=True)
    form_submission = models.JSONField(default=dict, blank=True)

    price = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3)
    double_booked = models.BooleanField(default=False)
    skip_availability_validation = models.BooleanField(default=False)
    skip_business_confirmation = models.BooleanField(default=False)
    # Bookings created together as one multi-service booking (a package) share this id.
    multi_service_booking = models.UUIDField(null=True, blank=True, db_index=True, editable=False)
    # A checkout hold: while the customer pays online, the CREATED booking keeps its capacity until this instant.
    hold_expires_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # Set from the customer's form: a second submit of the same form finds this booking instead of making another.
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Staff looked at a double booking and kept both (booking.admin_conflicts): it leaves the conflicts list.
    conflict_resolved = models.BooleanField(default=False)

    class Meta:
        ordering = ["-start"]
        # Staff with it may move a booking to a time the engine would refuse (skip the availability check).
        permissions = [("force_booking", "Can book or move past availability")]
        indexes = [
            models.Index(fields=["staff", "start"], name="booking_staff_start"),
            models.Index(fields=["service", "start"], name="booking_service_start"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="booking_end_after_start"),
            models.CheckConstraint(condition=Q(occupied_until__gte=F("end")), name="booking_occupied_after_end"),
            models.CheckConstraint(condition=Q(total_participants__gte=1), name="booking_has_participants"),
            # booking/occupancy.py: what lets the busy-time read bound `start` from below.
            models.CheckConstraint(condition=span_capped(), name="booking_occupied_span_capped"),
        ]

    def __str__(self) -> str:
        return f"{self.service} · {self.first_name} {self.last_name} · {self.start:%Y-%m-%d %H:%M} UTC"

    @property
    def customer_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class BookingChange(models.Model):
    """The audit trail: one row for every change of a booking, written in the same transaction as the change."""

    class Actor(models.TextChoices):
        CUSTOMER = "customer", "Customer"
        STAFF = "staff", "Staff"
        SYSTEM = "system", "System"

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="changes")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.CharField(max_length=10, choices=Actor.choices)
    user = models.ForeignKey("auth.User", on_delete=models.SET_NULL, null=True, blank=True)
    event = models.CharField(max_length=40)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    from_payment_status = models.CharField(max_length=20, blank=True)
    to_payment_status = models.CharField(max_length=20)
    revision = models.PositiveIntegerField(help_text="The booking's revision after the change.")
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["booking", "revision"]
        constraints = [models.UniqueConstraint(fields=["booking", "revision"], name="one_change_per_revision")]

    def __str__(self) -> str:
        return f"{self.event} → {self.to_status} (r{self.revision})"
