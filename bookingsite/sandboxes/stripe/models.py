"""The Stripe sandbox's own state (development and tests only): Stripe's objects as JSON, and idempotency keys."""

from django.db import models


class SandboxObject(models.Model):
    """An object of the Stripe sandbox (checkout session, payment intent, charge, refund, event), as Stripe's JSON."""

    id = models.CharField(max_length=255, primary_key=True)
    type = models.CharField(max_length=40, db_index=True)
    data = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.id


class SandboxIdempotencyKey(models.Model):
    """The first response to an Idempotency-Key, replayed to every repeat of the same request (as Stripe does)."""

    key = models.CharField(max_length=255, unique=True)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the method, path and body.")
    status_code = models.PositiveSmallIntegerField()
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.key
