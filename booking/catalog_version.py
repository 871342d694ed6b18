"""The catalog version: what lets each process keep the catalog's reads between requests
(booking/backends/local/catalog_cache.py) without ever serving a catalog that a change has made wrong.

Every save and delete of a service (or its staff and places), a category, a policy, a staff member (or their
working hours), a place or a booking form draws a new token, in the same transaction, through the model signals
below. A request reads the token with the business row, which it reads anyway, and the kept reads are keyed by it.
The calendar version (booking/calendar_version.py) moves with every booking; this one only when staff edit the
catalog, so the kept catalog outlives the bookings made from it.
"""

import secrets

ROW = 1


def new_token() -> int:
    return secrets.randbits(62) + 1  # never 0, which stands for no row (nothing is kept then)


def bump(**_signal) -> None:
    """Draw a new token in the caller's transaction, and forget the business row this request read (which carries
    the old one)."""
    from booking.backends.request_cache import forget
    from booking.models import CatalogVersion

    forget(("business",))
    token = new_token()
    if not CatalogVersion.objects.filter(pk=ROW).update(token=token):
        CatalogVersion.objects.update_or_create(pk=ROW, defaults={"token": token})  # a database a test flushed


def connect() -> None:
    """Bump on every save and delete of what the catalog reads return (from BookingConfig.ready)."""
    from booking import models
    from booking.calendar_version import on_every_change

    on_every_change(bump, "catalog_version", (
        models.Service, models.ServiceCategory, models.BookingPolicy, models.StaffMember, models.WorkingHours,
        models.Location, models.BookingForm, models.FormField))
