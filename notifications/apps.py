from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self):
        from booking.events import booking_event

        from .outbox import on_booking_event

        # Customers (and the business) hear about bookings by email, through the outbox and the task queue.
        booking_event.connect(on_booking_event, dispatch_uid="notifications.outbox")
