"""Sessions of classes and courses: the calendar events customers book places in (Wix's eventId)."""

import uuid

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q

from .catalog import Location, ScheduleRule, Service, StaffMember


class ClassSession(models.Model):
    """One session of a class or course, with its own time, staff member, place and capacity.

    Sessions are made from the service's weekly rules ahead of time (booking.schedules) so that each has a stable
    id to book, a row to lock while places are taken, and can be moved, cancelled or added one-off in the admin.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="sessions")
    rule = models.ForeignKey(ScheduleRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="sessions",
                             help_text="The weekly rule it was made from; empty for a one-off session.")
    occurrence = models.DateField(null=True, blank=True, editable=False,
                                  help_text="The local date the rule made it for.")
    start = models.DateTimeField()
    end = models.DateTimeField()
    staff = models.ForeignKey(StaffMember, on_delete=models.PROTECT, null=True, blank=True)
    location = models.ForeignKey(Location, on_delete=models.PROTECT, null=True, blank=True)
    capacity = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    cancelled = models.BooleanField(default=False, help_text="Cancelled sessions stay listed, marked as cancelled.")
    detached = models.BooleanField(
        default=False, help_text="Edited on its own: later changes to the weekly rule leave this session alone."
    )

    class Meta:
        ordering = ["start"]
        indexes = [models.Index(fields=["service", "start"], name="session_service_start"),
                   models.Index(fields=["staff", "start"], name="session_staff_start")]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="session_end_after_start"),
            models.UniqueConstraint(fields=["rule", "occurrence"], condition=Q(rule__isnull=False),
                                    name="one_session_per_rule_and_day"),
        ]

    def __str__(self) -> str:
        return f"{self.service} · {self.start:%Y-%m-%d %H:%M} UTC"
