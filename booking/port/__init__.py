"""The bookings port: the one interface the pages use, whichever backend runs behind it.

Operations are named after the Wix Bookings methods and take and return the small dataclasses below, whose fields
are the Wix field names in snake_case (wix-api.md). Backends raise only `booking.errors.BookingsError`s.

Deliberate additions to the Wix shapes, each marked below: time slots and booking slots also carry their UTC
instants (`start_date`/`end_date`), because a local wall-clock string alone is ambiguous on the night clocks go
back; and amounts are `Money` with a Decimal value.

The types live in one module per subject (enums, catalog, slots, bookings) and the operations in `interface`;
everything is imported from `booking.port`.
"""

from .bookings import (
    AllowedActions,
    AnonymousBooking,
    BookedSchedule,
    Booking,
    BulkCreateResult,
    CancelFlowControlSettings,
    ContactDetails,
    CreateBookingRequest,
    FlowControlSettings,
    MultiServiceBooking,
    RescheduleFlowControlSettings,
    RescheduleInfo,
    Slot,
)
from .catalog import (
    BookingPolicy,
    BusinessInfo,
    Category,
    FormField,
    FormSummary,
    Location,
    Money,
    OnlineBooking,
    Payment,
    PaymentOptions,
    Resource,
    Service,
)
from .enums import (
    STAFF_RESOURCE_TYPE_ID,
    BookingStatus,
    Caller,
    PaymentStatus,
    RateType,
    SelectedPaymentOption,
    ServiceType,
)
from .interface import BookingsPort
from .slots import (
    AvailableResources,
    BookingPolicyViolations,
    CourseAvailability,
    EventInfo,
    ListTimeSlotsResponse,
    NestedTimeSlot,
    NonBookableReasons,
    ServiceSelection,
    TimeSlot,
    WaitingList,
)

__all__ = [
    "AllowedActions",
    "AnonymousBooking",
    "AvailableResources",
    "BookedSchedule",
    "Booking",
    "BookingPolicy",
    "BookingPolicyViolations",
    "BookingStatus",
    "BookingsPort",
    "BulkCreateResult",
    "BusinessInfo",
    "Caller",
    "CancelFlowControlSettings",
    "Category",
    "ContactDetails",
    "CourseAvailability",
    "CreateBookingRequest",
    "EventInfo",
    "FlowControlSettings",
    "FormField",
    "FormSummary",
    "ListTimeSlotsResponse",
    "Location",
    "Money",
    "MultiServiceBooking",
    "NestedTimeSlot",
    "NonBookableReasons",
    "OnlineBooking",
    "Payment",
    "PaymentOptions",
    "PaymentStatus",
    "RateType",
    "RescheduleFlowControlSettings",
    "RescheduleInfo",
    "Resource",
    "STAFF_RESOURCE_TYPE_ID",
    "SelectedPaymentOption",
    "Service",
    "ServiceSelection",
    "ServiceType",
    "Slot",
    "TimeSlot",
    "WaitingList",
]
