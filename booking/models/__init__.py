from .bookings import Booking, BookingChange, BookingStatus, PaymentStatus, SelectedPaymentOption
from .catalog import (
    BookingForm,
    BookingPolicy,
    Business,
    FormField,
    Location,
    ScheduleRule,
    Service,
    ServiceCategory,
    StaffMember,
    TimeOff,
    WorkingHours,
)
from .confirmation import ConfirmationRule
from .sessions import ClassSession
from .tokens import AnonymousActionToken
from .versions import CalendarVersion, CatalogVersion
from .waitlist import WaitlistEntry

__all__ = [
    "AnonymousActionToken",
    "Booking",
    "BookingChange",
    "BookingForm",
    "BookingPolicy",
    "BookingStatus",
    "Business",
    "CalendarVersion",
    "CatalogVersion",
    "ClassSession",
    "ConfirmationRule",
    "FormField",
    "Location",
    "PaymentStatus",
    "ScheduleRule",
    "SelectedPaymentOption",
    "Service",
    "ServiceCategory",
    "StaffMember",
    "TimeOff",
    "WaitlistEntry",
    "WorkingHours",
]
