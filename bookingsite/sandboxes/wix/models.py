import hashlib

from django.db import models


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class VisitorToken(models.Model):
    """An OAuth token the sandbox issued, stored hashed. Refresh tokens do not expire (like Wix's long-lived
    ones); access tokens expire after WIX_SANDBOX_TOKEN_SECONDS."""

    class Kind(models.TextChoices):
        ACCESS = "access"
        REFRESH = "refresh"

    digest = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    visitor_id = models.UUIDField(db_index=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.kind} token of visitor {self.visitor_id}"


class BookingOrigin(models.Model):
    """What Wix keeps on a booking and the local engine does not: who created it and its externalUserId."""

    booking_id = models.CharField(max_length=64, unique=True)
    external_user_id = models.CharField(max_length=100, blank=True, db_index=True)
    visitor_id = models.UUIDField(null=True, blank=True)

    def __str__(self) -> str:
        return self.booking_id


class EcomCheckout(models.Model):
    """A Wix eCommerce checkout for one booking (the Bookings catalog item), with what the catalog priced: the total,
    the part paid now (all of it, or the deposit) and the part paid later."""

    checkout_id = models.CharField(max_length=64, unique=True)
    booking_id = models.CharField(max_length=64, db_index=True)
    visitor_id = models.UUIDField(null=True, blank=True)
    buyer = models.JSONField(default=dict)
    currency = models.CharField(max_length=3)
    total = models.DecimalField(max_digits=12, decimal_places=2)
    pay_now = models.DecimalField(max_digits=12, decimal_places=2)
    pay_later = models.DecimalField(max_digits=12, decimal_places=2)
    completed = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.checkout_id


class RedirectSession(models.Model):
    """A redirect session to the hosted checkout page, with the callbacks the site asked for."""

    session_id = models.CharField(max_length=64, unique=True)
    checkout = models.ForeignKey(EcomCheckout, on_delete=models.CASCADE)
    thank_you_page_url = models.URLField(max_length=2000, blank=True)
    post_flow_url = models.URLField(max_length=2000, blank=True)
    state = models.CharField(max_length=500, blank=True)

    def __str__(self) -> str:
        return self.session_id


class EcomOrder(models.Model):
    """The order the hosted checkout made: Wix's order status and payment status."""

    order_id = models.CharField(max_length=64, unique=True)
    checkout = models.OneToOneField(EcomCheckout, on_delete=models.CASCADE)
    status = models.CharField(max_length=20)
    payment_status = models.CharField(max_length=30)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.order_id


class EcomPayment(models.Model):
    """A payment record on an order (Order Transactions, wix-api.md §8.5): one the hosted checkout took, or one the
    site added with Add Payments (a Stripe payment, or cash taken at the visit), and how much of it was refunded."""

    payment_id = models.CharField(max_length=64, unique=True)
    order = models.ForeignKey(EcomOrder, on_delete=models.CASCADE, related_name="payments")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    refunded = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    status = models.CharField(max_length=30)
    offline = models.BooleanField(default=False)
    details = models.JSONField(default=dict)  # regularPaymentDetails as sent, for reading back
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.payment_id


class EcomRefund(models.Model):
    """A refund transaction on an order (Order Billing's Refund Payments)."""

    refund_id = models.CharField(max_length=64, db_index=True)
    order = models.ForeignKey(EcomOrder, on_delete=models.CASCADE, related_name="refunds")
    payment = models.ForeignKey(EcomPayment, on_delete=models.CASCADE)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    external = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.refund_id
