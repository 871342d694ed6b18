"""Customer pages: services → times → booking form → review → confirmation, packages of services, and the
customer's own booking opened from the link in their email (cancel, reschedule), and the waitlists of full
class sessions.

Views talk to the bookings port only."""

from .checkout import booking_details, confirmation, review
from .manage import cancel, manage, manage_link, reschedule
from .packages import package_confirmation, package_details, package_review, package_times, packages
from .services import service_list, slot_picker
from .waitlist import accept as waitlist_accept
from .waitlist import join as waitlist_join
from .waitlist import leave as waitlist_leave

__all__ = [
    "booking_details", "cancel", "confirmation", "manage", "manage_link", "package_confirmation", "package_details",
    "package_review", "package_times", "packages", "reschedule", "review", "service_list", "slot_picker",
    "waitlist_accept", "waitlist_join", "waitlist_leave",
]
