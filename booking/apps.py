from django.apps import AppConfig


class BookingConfig(AppConfig):
    name = "booking"
    verbose_name = "Bookings"

    def ready(self):
        from . import calendar_version, checks  # noqa: F401 (checks registers the system checks)

        calendar_version.connect()
