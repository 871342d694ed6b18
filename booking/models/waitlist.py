"""The waitlists of full class sessions, as staff see them: the WAITING_LIST bookings (docs/decisions.md, "Waitlist
for classes"). A proxy of Booking, so it has its own admin page and its own permissions."""

from django.db import models

from .bookings import Booking, BookingStatus


class WaitingManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(status=BookingStatus.WAITING_LIST)


class WaitlistEntry(Booking):
    """A customer waiting for a place in a full class session. `hold_expires_at` set and ahead: a place is offered
    to them and held until then."""

    objects = WaitingManager()

    class Meta:
        proxy = True
        verbose_name = "waitlist entry"
        verbose_name_plural = "waitlist"
        ordering = ["session__start", "created_at", "pk"]
