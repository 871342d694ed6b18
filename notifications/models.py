"""The outbox (one row per email, made before any send is tried) and the clock of the scheduled jobs."""

from django.db import models


class Message(models.Model):
    """One email to one recipient. The row is made once per (booking, kind, version) — the version is the booking's
    revision for an email about a change, the start time for a reminder — so a message is never made twice, and it is
    sent at most once: a worker claims it with a conditional UPDATE before it talks to the mail server."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Not sent: no longer true"

    kind = models.CharField(max_length=40)
    # The booking's id in the bookings port, or the package's (multi-service booking) id: a package gets one email.
    booking_id = models.CharField(max_length=64, db_index=True)
    version = models.CharField(max_length=64)
    recipient = models.EmailField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The calendar file's SEQUENCE as sent (the highest, for a package): raised with every change of the booking.
    sequence = models.PositiveIntegerField(null=True, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["booking_id", "kind", "version"], name="one_message_per_change")
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.booking_id} to {self.recipient} ({self.status})"


class ScheduledJob(models.Model):
    """When each scheduled job (notifications.scheduled.JOBS) is next due; a worker claims a run by moving it on."""

    name = models.CharField(max_length=60, primary_key=True)
    next_run_at = models.DateTimeField()
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_result = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return self.name
