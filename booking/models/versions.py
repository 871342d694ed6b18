"""The calendar version: a counter bumped in the same transaction as every change that can alter availability, so
that a cached listing made under one version is never served under the next (booking/calendar_version.py). The
catalog version does the same for the catalog's reads: services, their staff, places, policy and forms
(booking/catalog_version.py)."""

from django.db import models


class CalendarVersion(models.Model):
    """One row (pk 1) for the site's one business."""

    version = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"calendar version {self.version}"


class CatalogVersion(models.Model):
    """One row (pk 1): a random token, drawn anew by every change to the catalog. Random rather than counted, so
    that a rolled-back change can never leave its token to a later, different catalog."""

    token = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"catalog version {self.token}"
