from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = "Payments"

    def ready(self):
        from booking.events import booking_event

        from . import checks, refunds  # noqa: F401 (checks registers the system checks)

        # A paid booking canceled with a refund (or by its customer in time) gets its money back.
        booking_event.connect(refunds.on_booking_event, dispatch_uid="payments.refunds")
