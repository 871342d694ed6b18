from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self):
        from booking.events import booking_event

        from .outbox import on_booking_event

        # Customers (and the business) hear about bookings by email, through the outbox and the task queue.
        booking_event.connect(on_booking_event, dispatch_uid="notifications.outbox")
        from booking.events import waitlist_offered

        from .outbox import on_waitlist_offered

        waitlist_offered.connect(on_waitlist_offered, dispatch_uid="notifications.waitlist_offer")
        # Connected after the outbox, so that a request's "pending" emails are filed before the rule confirms it.
        from booking.confirmation_rules import on_booking_event as apply_confirmation_rule

        booking_event.connect(apply_confirmation_rule, dispatch_uid="booking.confirmation_rules")
