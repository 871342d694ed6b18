"""The engine's side of Query Extended Bookings by status and start (BookingsPort.query_extended_bookings_starting)."""

from booking import models
from booking.port import Booking

from . import local_convert as convert


def bookings_starting(*, statuses, start_from, start_to) -> list[Booking]:
    queryset = models.Booking.objects.filter(
        status__in=list(statuses), start__gte=start_from, start__lt=start_to
    ).select_related("service", "staff", "location", "session__staff").order_by("start", "pk")
    return [convert.booking(b) for b in queryset]
