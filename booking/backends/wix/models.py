from django.db import models


class SubmissionClaim(models.Model):
    """A form submission key claimed before Create Booking is sent with it as `externalUserId`: the unique key is
    what stops a double submit from creating a second Wix booking (the create call itself is never retried)."""

    key = models.CharField(max_length=100, unique=True)
    booking_id = models.CharField(max_length=64, blank=True)  # the Wix booking (or multi-service booking) made
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.key
