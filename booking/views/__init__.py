"""Customer pages: services → times → booking form → review → confirmation, packages of services, and the
customer's own booking opened from the link in their email (cancel, reschedule).

Views talk to the bookings port only."""

from .checkout import booking_details, confirmation, review
from .manage import cancel, manage, manage_link, reschedule
from .packages import package_confirmation, package_details, package_review, package_times, packages
from .services import service_list, slot_picker

__all__ = [
    "booking_details", "cancel", "confirmation", "manage", "manage_link", "package_confirmation", "package_details",
    "package_review", "package_times", "packages", "reschedule", "review", "service_list", "slot_picker",
]
