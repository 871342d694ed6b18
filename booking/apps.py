from django.apps import AppConfig


class BookingConfig(AppConfig):
    name = "booking"
    verbose_name = "Bookings"

    def ready(self):
        from . import calendar_version, catalog_version, checks  # noqa: F401 (checks registers the system checks)

        calendar_version.connect()
        catalog_version.connect()

        from .events import booking_event
        from .waitlist import on_booking_event

        booking_event.connect(on_booking_event, dispatch_uid="booking.waitlist")
