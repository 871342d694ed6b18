"""The calendar version: a counter bumped in the same transaction as every change that can alter availability, so
that a cached listing made under one version is never served under the next (booking/calendar_version.py)."""

from django.db import models


class CalendarVersion(models.Model):
    """One row (pk 1) for the site's one business."""

    version = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"calendar version {self.version}"
