"""What the payments app remembers: Stripe checkouts, the webhook events already handled, and refunds. (The Stripe
sandbox keeps its own state in its own app, bookingsite/sandboxes/stripe/.)

Bookings are referred to by their port id (`booking_id`, a string), not by a foreign key, so that the same tables
serve the local engine and a Wix site behind the bookings port.
"""

from django.conf import settings
from django.db import models


class StripeCheckout(models.Model):
    """One attempt to pay for a booking: a Stripe Checkout Session and what came of it."""

    class Status(models.TextChoices):
        STARTING = "starting", "Starting"  # the row exists, the session is being created
        OPEN = "open", "Open"
        COMPLETE = "complete", "Complete"
        EXPIRED = "expired", "Expired"
        FAILED = "failed", "Failed"

    booking_id = models.CharField(max_length=64, db_index=True)
    attempt = models.PositiveIntegerField(help_text="1 for the booking's first checkout, 2 after that one ended, …")
    revision = models.PositiveIntegerField(help_text="The booking's revision when the checkout started.")
    session_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    url = models.URLField(max_length=2000, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.STARTING)
    payment_status = models.CharField(max_length=30, blank=True, help_text="Stripe's: paid, unpaid, …")
    amount = models.DecimalField(max_digits=10, decimal_places=2, help_text="Charged online, in the currency.")
    currency = models.CharField(max_length=3)
    is_deposit = models.BooleanField(default=False)
    expires_at = models.DateTimeField(help_text="The session's expiry, which is also the booking's hold.")
    payment_intent = models.CharField(max_length=255, blank=True, db_index=True)
    # In sandbox mode, the sandbox address the session was made at, so that a later refund reaches the same one.
    api_base = models.CharField(max_length=300, blank=True)
    fulfilled_at = models.DateTimeField(null=True, blank=True)
    # Set while one caller (the webhook or the return page) settles the booking through the port, outside any
    # transaction; cleared when it records the outcome or its call fails.
    settling_since = models.DateTimeField(null=True, blank=True)
    # The payment settled the booking (as opposed to one refunded because the booking was gone or already paid).
    paid_booking = models.BooleanField(default=False)
    outcome = models.CharField(max_length=300, blank=True, help_text="What the payment did to the booking.")
    # Who started it, as keyed hashes of their address and session (booking.limits.client_key): the limit on live
    # holds counts a client's open checkouts by these.
    client_ip = models.CharField(max_length=40, blank=True, db_index=True)
    client_session = models.CharField(max_length=40, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["booking_id", "attempt"], name="one_checkout_per_attempt")]

    def __str__(self) -> str:
        return f"{self.session_id or 'checkout'} · booking {self.booking_id[:8]} · {self.status}"

    @property
    def idempotency_key(self) -> str:
        return f"checkout-{self.booking_id}-r{self.revision}-a{self.attempt}"


class StripeEvent(models.Model):
    """A webhook event, stored once its effect is done: the unique id makes a repeat a no-op."""

    class Outcome(models.TextChoices):
        PROCESSED = "processed", "Processed"
        IGNORED = "ignored", "Ignored"

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=255, blank=True)
    livemode = models.BooleanField(default=False)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    detail = models.CharField(max_length=300, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.event_id} {self.type} ({self.outcome})"


class StripeRefund(models.Model):
    """A refund of one checkout's payment. One per checkout, so that a repeat asks Stripe for nothing more."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        PENDING = "pending", "Pending at Stripe"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    checkout = models.OneToOneField(StripeCheckout, on_delete=models.PROTECT, related_name="refund")
    booking_id = models.CharField(max_length=64, db_index=True)
    refund_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    reason = models.CharField(max_length=300)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.refund_id or 'refund'} · booking {self.booking_id[:8]} · {self.status}"

    @property
    def idempotency_key(self) -> str:
        return f"refund-{self.checkout.session_id}"


class WixEcomCheckout(models.Model):
    """A booking sent through the Wix site's own checkout (payments/wix_ecom.py): the checkout Wix made for it, with
    what Wix said is paid now and later, and the order its thank-you page named once that order was read back."""

    booking_id = models.CharField(max_length=64, db_index=True)
    checkout_id = models.CharField(max_length=64, unique=True)
    currency = models.CharField(max_length=3, blank=True)
    total = models.DecimalField(max_digits=10, decimal_places=2)
    pay_now = models.DecimalField(max_digits=10, decimal_places=2)
    pay_later = models.DecimalField(max_digits=10, decimal_places=2)
    order_id = models.CharField(max_length=64, blank=True)
    # The booking's status as this site last saw it (payments/wix_follow.py): Wix moves the booking with its order,
    # and the site tells the customer once it sees the change.
    seen_status = models.CharField(max_length=20, default="CREATED")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "Wix order"

    def __str__(self) -> str:
        return f"Wix checkout {self.checkout_id[:8]} · booking {self.booking_id[:8]}"


class WixOrderPayment(models.Model):
    """A payment this site recorded on a booking's Wix order with Add Payments (payments/wix_orders.py): cash staff
    took at the visit ("mark as paid"), or a Stripe payment of the custom checkout. The row is claimed before Wix is
    called, so a double click or a repeated webhook records nothing twice; it is the audit trail of who recorded what.
    """

    class Kind(models.TextChoices):
        IN_PERSON = "in_person", "Paid in person"
        STRIPE = "stripe", "Stripe payment"

    booking_id = models.CharField(max_length=64, db_index=True)
    order_id = models.CharField(max_length=64, db_index=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    currency = models.CharField(max_length=3, blank=True)
    stripe_checkout = models.OneToOneField(StripeCheckout, null=True, blank=True, on_delete=models.PROTECT,
                                           related_name="wix_order_payment")
    payment_id = models.CharField(max_length=64, blank=True, help_text="Wix's id of the payment record.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", help_text="The staff member who marked it paid.")
    recorded_at = models.DateTimeField(null=True, blank=True, help_text="When Wix accepted the record.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["order_id"], condition=models.Q(kind="in_person"),
                                               name="one_in_person_payment_per_order")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · order {self.order_id[:8]} · {self.amount} {self.currency}"


class WixOrderRefund(models.Model):
    """A refund of one payment record of a booking's Wix order through Order Billing: one Wix took (Wix refunds it
    through its provider), or one of ours refunded by Stripe (`external`: only recorded). One per payment record."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    booking_id = models.CharField(max_length=64, db_index=True)
    order_id = models.CharField(max_length=64)
    payment_id = models.CharField(max_length=64)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    currency = models.CharField(max_length=3, blank=True)
    external = models.BooleanField(default=False, help_text="Refunded elsewhere (Stripe); Wix only records it.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    refund_id = models.CharField(max_length=64, blank=True)
    reason = models.CharField(max_length=300)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["order_id", "payment_id"], name="one_refund_per_payment")]

    def __str__(self) -> str:
        return f"Wix refund · order {self.order_id[:8]} · {self.amount} {self.currency} · {self.status}"
