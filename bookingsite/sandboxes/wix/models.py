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
