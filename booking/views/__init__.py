"""Customer pages: services → times → booking form → review → confirmation, and packages of services.

Views talk to the bookings port only."""

from .checkout import booking_details, confirmation, review
from .packages import package_confirmation, package_details, package_review, package_times, packages
from .services import service_list, slot_picker

__all__ = [
    "booking_details", "confirmation", "package_confirmation", "package_details", "package_review",
    "package_times", "packages", "review", "service_list", "slot_picker",
]
