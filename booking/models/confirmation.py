"""A service's confirmation rule: the business's own logic for approving requests (booking/confirmation_rules.py)."""

from django.core.validators import MinValueValidator
from django.db import models

from .catalog import Service


class ConfirmationRule(models.Model):
    """For a service that needs approval: confirm all of a day's requests once that day has this many."""

    service = models.OneToOneField(Service, on_delete=models.CASCADE, related_name="confirmation_rule")
    enabled = models.BooleanField(default=True)
    min_requests_per_day = models.PositiveSmallIntegerField(
        default=2, validators=[MinValueValidator(1)],
        help_text="Once a day (the business's local day) has this many pending requests, all of them are confirmed.")

    def __str__(self):
        return f"Confirm {self.service} once a day has {self.min_requests_per_day} requests"
