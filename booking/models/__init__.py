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

__all__ = [
    "Booking",
    "BookingChange",
    "BookingForm",
    "BookingPolicy",
    "BookingStatus",
    "Business",
    "FormField",
    "Location",
    "PaymentStatus",
    "ScheduleRule",
    "SelectedPaymentOption",
    "Service",
    "ServiceCategory",
    "StaffMember",
    "TimeOff",
    "WorkingHours",
]
