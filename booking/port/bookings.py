"""The port's types of bookings: what is booked, by whom, in which status, and the flags of each change
(wix-api.md §5)."""

from dataclasses import dataclass, field
from datetime import datetime

from .catalog import Location, Money, Resource
from .enums import BookingStatus, PaymentStatus, SelectedPaymentOption


@dataclass(frozen=True)
class ContactDetails:
    first_name: str
    last_name: str
    email: str
    phone: str = ""


@dataclass(frozen=True)
class Slot:
    """What a booking is for: Wix's bookedEntity.slot. For a new appointment, `resource` None means any staff."""

    service_id: str
    start_date: datetime  # aware; stored and returned in UTC
    end_date: datetime
    timezone: str
    schedule_id: str = ""
    resource: Resource | None = None
    location: Location | None = None
    event_id: str = ""  # a class session; its time, staff and place come from the session


@dataclass(frozen=True)
class BookedSchedule:
    """What a course booking is for: Wix's bookedEntity.schedule, the whole series of sessions."""

    service_id: str
    schedule_id: str
    timezone: str


@dataclass(frozen=True)
class FlowControlSettings:
    skip_availability_validation: bool = False
    skip_business_confirmation: bool = False
    skip_selected_payment_option_validation: bool = False

    @property
    def any(self) -> bool:
        return (
            self.skip_availability_validation
            or self.skip_business_confirmation
            or self.skip_selected_payment_option_validation
        )


@dataclass(frozen=True)
class Booking:
    id: str
    service_id: str
    title: str  # Wix: bookedEntity.title, the service name
    slot: Slot
    contact_details: ContactDetails
    status: BookingStatus
    payment_status: PaymentStatus
    selected_payment_option: SelectedPaymentOption
    total_participants: int
    revision: int
    start_date: datetime
    end_date: datetime
    created_date: datetime
    updated_date: datetime
    form_submission: dict = field(default_factory=dict)
    price: Money | None = None
    double_booked: bool = False
    multi_service_booking_id: str = ""  # Wix: multiServiceBookingInfo.id, when the booking is part of a package
    # Our addition: a WAITING_LIST booking offered a place holds it until then (None: still waiting, or no offer).
    waitlist_offer_expires_at: datetime | None = None


@dataclass(frozen=True)
class CancelFlowControlSettings:
    ignore_cancellation_policy: bool = False
    with_refund: bool = False
    waive_cancellation_fee: bool = False

    @property
    def any(self) -> bool:
        return self.ignore_cancellation_policy or self.with_refund or self.waive_cancellation_fee


@dataclass(frozen=True)
class RescheduleFlowControlSettings:
    ignore_reschedule_policy: bool = False
    skip_availability_validation: bool = False
    skip_business_confirmation: bool = False

    @property
    def any(self) -> bool:
        return self.ignore_reschedule_policy or self.skip_availability_validation or self.skip_business_confirmation


@dataclass(frozen=True)
class AllowedActions:
    cancel: bool
    reschedule: bool


@dataclass(frozen=True)
class AnonymousBooking:
    """What a customer's emailed link shows: Wix's Get Booking Anonymously."""

    booking: Booking
    allowed_anonymous_actions: AllowedActions


@dataclass(frozen=True)
class BulkCreateResult:
    """One item of Bulk Create Booking: the booking made, or why this item was skipped (Wix's itemMetadata)."""

    original_index: int
    booking: Booking | None = None
    error_code: str = ""
    error_message: str = ""

    @property
    def success(self) -> bool:
        return self.booking is not None


@dataclass(frozen=True)
class RescheduleInfo:
    """One booking of a multi-service reschedule: where it moves to, at which revision."""

    booking_id: str
    slot: Slot
    revision: int


@dataclass(frozen=True)
class CreateBookingRequest:
    """Exactly one of `slot` (appointment or class session) and `schedule` (course)."""

    slot: Slot | None
    contact_details: ContactDetails
    form_submission: dict
    total_participants: int = 1
    selected_payment_option: SelectedPaymentOption = SelectedPaymentOption.UNDEFINED
    schedule: BookedSchedule | None = None
    # Wix's participantsChoices (participants per service variant), instead of total_participants.
    participants_choices: tuple[dict, ...] = ()


@dataclass(frozen=True)
class MultiServiceBooking:
    id: str
    bookings: tuple[Booking, ...]  # in sequence
    multi_service_booking_type: str = "SEQUENTIAL_BOOKINGS"
