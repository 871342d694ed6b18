"""The tokens in customers' emailed links (Wix's anonymous action tokens). Only a digest of each is stored, so the
database alone cannot open anybody's booking."""

from django.db import models

from .bookings import Booking


class AnonymousActionToken(models.Model):
    """One link's token for one booking. It works until the booking ends (read at use, so it follows a reschedule)."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="action_tokens")
    digest = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the token, in hex.")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Link for booking {self.booking_id} made {self.created_at:%Y-%m-%d %H:%M} UTC"
