from django.apps import AppConfig


class BookingConfig(AppConfig):
    name = "booking"
    verbose_name = "Bookings"

    def ready(self):
        from . import checks  # noqa: F401 (registers the system checks)
        from .events import booking_event
        from .notifications import on_booking_event

        # Customers hear about their bookings by email, with a link to change or cancel them.
        booking_event.connect(on_booking_event, dispatch_uid="booking.notifications")
