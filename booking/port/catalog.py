"""The port's types of the catalog: the business, services, policies and booking forms (wix-api.md §2, §3, §7)."""

from dataclasses import dataclass
from decimal import Decimal

from .enums import RateType, ServiceType


@dataclass(frozen=True)
class Money:
    value: Decimal
    currency: str


@dataclass(frozen=True)
class BusinessInfo:
    name: str
    time_zone: str
    currency: str
    address: str
    email: str
    phone: str


@dataclass(frozen=True)
class Category:
    id: str
    name: str
    sort_order: int


@dataclass(frozen=True)
class Location:
    id: str
    name: str
    formatted_address: str
    location_type: str = "BUSINESS"


@dataclass(frozen=True)
class Resource:
    id: str
    name: str


@dataclass(frozen=True)
class PaymentOptions:
    online: bool
    in_person: bool
    deposit: bool


@dataclass(frozen=True)
class Payment:
    rate_type: RateType
    price: Money | None
    deposit: Money | None
    custom_description: str
    options: PaymentOptions


@dataclass(frozen=True)
class OnlineBooking:
    enabled: bool
    require_manual_approval: bool


@dataclass(frozen=True)
class BookingPolicy:
    id: str
    name: str
    description: str
    limit_early_booking_enabled: bool
    earliest_booking_in_minutes: int
    limit_late_booking_enabled: bool
    latest_booking_in_minutes: int
    book_after_start_enabled: bool
    cancellation_enabled: bool
    limit_latest_cancellation: bool
    latest_cancellation_in_minutes: int
    reschedule_enabled: bool
    limit_latest_reschedule: bool
    latest_reschedule_in_minutes: int
    max_participants_per_booking: int
    # Wix's waitlistPolicy; only the local engine keeps waitlists (BookingsPort.offers_waitlist).
    waitlist_enabled: bool = False
    waitlist_capacity: int = 10
    waitlist_reservation_time_in_minutes: int = 10


@dataclass(frozen=True)
class Service:
    id: str
    type: ServiceType
    name: str
    slug: str  # Wix: mainSlug.name
    tag_line: str
    description: str
    category: Category
    default_capacity: int
    session_duration_minutes: int  # Wix: schedule.availabilityConstraints.sessionDurations[0]
    time_between_sessions: int
    payment: Payment
    online_booking: OnlineBooking
    locations: tuple[Location, ...]
    staff_members: tuple[Resource, ...]  # Wix: staffMemberDetails.staffMembers
    form_id: str
    booking_policy: BookingPolicy
    schedule_id: str


@dataclass(frozen=True)
class FormField:
    id: str
    target: str  # the key in the form submission
    label: str
    type: str  # TEXT | LONG_TEXT | EMAIL | PHONE | NUMBER | CHOICE | MULTI_CHOICE | CHECKBOX | DATE
    required: bool
    options: tuple[str, ...] = ()
    help_text: str = ""


@dataclass(frozen=True)
class FormSummary:
    id: str
    fields: tuple[FormField, ...]
