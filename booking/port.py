"""The bookings port: the one interface the pages use, whichever backend runs behind it.

Operations are named after the Wix Bookings methods and take and return the small dataclasses below, whose fields
are the Wix field names in snake_case (wix-api.md). Backends raise only `booking.errors.BookingsError`s.

Deliberate additions to the Wix shapes, each marked below: time slots and booking slots also carry their UTC
instants (`start_date`/`end_date`), because a local wall-clock string alone is ambiguous on the night clocks go
back; and amounts are `Money` with a Decimal value.
"""

import abc
import enum
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

# Wix's resource type id for staff members (wix-api.md §0).
STAFF_RESOURCE_TYPE_ID = "1cd44cf8-756f-41c3-bd90-3e2ffcaf1155"


# The Wix enums the pages, payments and backends share; each value is the string Wix sends (wix-api.md §2.3, §5.1).


class BookingStatus(enum.StrEnum):
    CREATED = "CREATED"
    CONFIRMED = "CONFIRMED"
    CANCELED = "CANCELED"
    PENDING = "PENDING"
    DECLINED = "DECLINED"
    WAITING_LIST = "WAITING_LIST"


class PaymentStatus(enum.StrEnum):
    UNDEFINED = "UNDEFINED"
    NOT_PAID = "NOT_PAID"
    PAID = "PAID"
    PARTIALLY_PAID = "PARTIALLY_PAID"
    REFUNDED = "REFUNDED"
    EXEMPT = "EXEMPT"


class SelectedPaymentOption(enum.StrEnum):
    UNDEFINED = "UNDEFINED"
    OFFLINE = "OFFLINE"
    ONLINE = "ONLINE"
    MEMBERSHIP = "MEMBERSHIP"


class ServiceType(enum.StrEnum):
    APPOINTMENT = "APPOINTMENT"
    CLASS = "CLASS"
    COURSE = "COURSE"


class RateType(enum.StrEnum):
    FIXED = "FIXED"
    VARIED = "VARIED"
    CUSTOM = "CUSTOM"
    NO_FEE = "NO_FEE"


class Caller(enum.Enum):
    """Who is calling: flow-control settings are honoured for staff only (wix-api.md §5.2)."""

    CUSTOMER = "customer"
    STAFF = "staff"
    SYSTEM = "system"


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


@dataclass(frozen=True)
class BookingPolicyViolations:
    too_early_to_book: bool = False
    earliest_booking_date: datetime | None = None
    too_late_to_book: bool = False
    book_online_disabled: bool = False

    @property
    def any(self) -> bool:
        return self.too_early_to_book or self.too_late_to_book or self.book_online_disabled


@dataclass(frozen=True)
class AvailableResources:
    resource_type_id: str
    resources: tuple[Resource, ...]
    has_more_available_resources: bool = False


@dataclass(frozen=True)
class EventInfo:
    event_id: str
    event_title: str


@dataclass(frozen=True)
class NonBookableReasons:
    no_remaining_capacity: bool = False
    violates_booking_policy: bool = False
    reserved_for_waiting_list: bool = False
    event_cancelled: bool = False


@dataclass(frozen=True)
class NestedTimeSlot:
    """One service's part of a multi-service time slot."""

    service_id: str
    local_start_date: str
    local_end_date: str
    available_resources: tuple["AvailableResources", ...]
    schedule_id: str
    start_date: datetime  # addition, as on TimeSlot
    end_date: datetime

    @property
    def staff(self) -> tuple["Resource", ...]:
        return _staff_of(self.available_resources)


def _staff_of(groups) -> tuple["Resource", ...]:
    for group in groups:
        if group.resource_type_id == STAFF_RESOURCE_TYPE_ID:
            return group.resources
    return ()


@dataclass(frozen=True)
class TimeSlot:
    service_id: str
    local_start_date: str  # YYYY-MM-DDThh:mm:ss in the response's time zone
    local_end_date: str
    bookable: bool
    total_capacity: int
    remaining_capacity: int
    bookable_capacity: int
    booking_policy_violations: BookingPolicyViolations
    location: Location | None
    available_resources: tuple[AvailableResources, ...]
    schedule_id: str
    start_date: datetime  # addition: the UTC instant of local_start_date
    end_date: datetime  # addition
    event_info: EventInfo | None = None  # classes
    non_bookable_reasons: NonBookableReasons = NonBookableReasons()
    nested_time_slots: tuple[NestedTimeSlot, ...] = ()  # multi-service packages, in the requested order

    @property
    def staff(self) -> tuple[Resource, ...]:
        return _staff_of(self.available_resources)


@dataclass(frozen=True)
class ListTimeSlotsResponse:
    time_slots: tuple[TimeSlot, ...]
    time_zone: str
    next_cursor: str | None = None  # Wix: cursorPagingMetadata.cursors.next (pagingMetadata for events)


@dataclass(frozen=True)
class CourseAvailability:
    """What the course page needs, worked out as Wix advises (wix-api.md §6.2): the course's sessions, and its
    places (defaultCapacity minus the participants of bookings that occupy capacity) under the course rules."""

    service_id: str
    schedule_id: str
    sessions: tuple[TimeSlot, ...]  # every session, with its staff and place; cancelled ones marked
    total_capacity: int
    remaining_capacity: int
    bookable: bool
    booking_policy_violations: BookingPolicyViolations
    started: bool
    ended: bool
    time_zone: str


@dataclass(frozen=True)
class ServiceSelection:
    """One service of a multi-service request, optionally with the staff members to choose from."""

    service_id: str
    resource_ids: tuple[str, ...] = ()


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


class BookingsPort(abc.ABC):
    """The operations the pages need; `booking.backends.get_backend()` returns the configured implementation."""

    @abc.abstractmethod
    def get_business_info(self) -> BusinessInfo:
        """The business's name, time zone, currency and contact details (Wix: site properties)."""

    @abc.abstractmethod
    def query_services(self, *, filter: dict | None = None) -> list[Service]:  # noqa: A002 (Wix's name)
        """Visible services, sorted by category then service. Filter keys: id, type, mainSlug.name."""

    @abc.abstractmethod
    def get_form_summary(self, form_id: str) -> FormSummary:
        """The fields of a booking form; raises NotFound."""

    @abc.abstractmethod
    def list_availability_time_slots(
        self,
        *,
        service_id: str | None = None,
        from_local_date: str | None = None,
        to_local_date: str | None = None,
        time_zone: str | None = None,
        resource_ids: list[str] | None = None,
        time_slots_per_day: int | None = None,
        cursor: str | None = None,
        limit: int = 1000,
    ) -> ListTimeSlotsResponse:
        """Appointment slots starting in [from, to) local time, each with its free staff (all of them, in the
        `availableResources` of the staff type). Slots with no free staff are left out; policy violations come
        back with bookable=False. At most `time_slots_per_day` a day (bookable first), `limit` a page; with
        `cursor` the other arguments come from the cursor. Raises InvalidArgument for malformed dates, zones,
        ranges over 62 days or cursors."""

    @abc.abstractmethod
    def get_availability_time_slot(
        self,
        *,
        service_id: str,
        local_start_date: str,
        local_end_date: str,
        time_zone: str | None = None,
        resource_ids: list[str] | None = None,
    ) -> TimeSlot:
        """One appointment slot with all its free staff, to re-validate before booking. The local dates may carry
        a UTC offset, which makes them unambiguous when clocks go back. Raises NotFound (SLOT_NOT_FOUND)."""

    @abc.abstractmethod
    def list_event_time_slots(
        self,
        *,
        service_ids: list[str] | None = None,
        from_local_date: str | None = None,
        to_local_date: str | None = None,
        time_zone: str | None = None,
        include_non_bookable: bool = True,
        min_bookable_capacity: int | None = None,
        max_slots_per_day: int | None = None,
        cursor: str | None = None,
        limit: int = 50,
    ) -> ListTimeSlotsResponse:
        """Class sessions starting in [from, to), sorted by start, each with its capacity, places left, policy
        violations and non-bookable reasons (cancelled sessions included, marked). With `cursor` the other
        arguments come from the cursor. Raises InvalidArgument for bad dates, zones, ranges or cursors."""

    @abc.abstractmethod
    def get_event_time_slot(self, *, event_id: str, time_zone: str | None = None) -> TimeSlot:
        """One class session, to re-validate before booking. Raises NotFound (SESSION_NOT_FOUND)."""

    @abc.abstractmethod
    def get_course_availability(self, *, service_id: str, time_zone: str | None = None) -> CourseAvailability:
        """A course's sessions and places left (Wix has no time slots for courses: §6.2)."""

    @abc.abstractmethod
    def list_multi_service_availability_time_slots(
        self,
        *,
        services: list[ServiceSelection],
        from_local_date: str,
        to_local_date: str,
        time_zone: str | None = None,
        time_slots_per_day: int | None = None,
    ) -> ListTimeSlotsResponse:
        """Times at which 2 to 8 appointment services can be had back to back at one place, each with its own
        free staff member; each time slot lists the services' parts in `nested_time_slots`."""

    @abc.abstractmethod
    def get_multi_service_availability_time_slot(
        self, *, services: list[ServiceSelection], local_start_date: str, time_zone: str | None = None
    ) -> TimeSlot:
        """One multi-service time slot starting then, with all free staff per part. Raises NotFound."""

    @abc.abstractmethod
    def create_booking(
        self,
        request: CreateBookingRequest,
        *,
        caller: Caller = Caller.CUSTOMER,
        flow_control_settings: FlowControlSettings | None = None,
        submission_key: str | None = None,
    ) -> Booking:
        """Create a booking in status CREATED. Checks the booking policy, the payment option, the form
        submission and (unless a staff caller skips it) availability now; with no resource given, a free staff
        member is assigned. A repeated `submission_key` returns the booking it made the first time."""

    @abc.abstractmethod
    def create_multi_service_booking(
        self, requests: list[CreateBookingRequest], *, submission_key: str | None = None
    ) -> MultiServiceBooking:
        """2 to 8 appointment bookings, back to back at one place, created together (all or none), in CREATED."""

    @abc.abstractmethod
    def get_multi_service_booking(self, multi_service_booking_id: str) -> MultiServiceBooking:
        """The bookings of a multi-service booking, in sequence. Raises NotFound."""

    @abc.abstractmethod
    def bulk_create_booking(
        self,
        requests: list[CreateBookingRequest],
        *,
        caller: Caller = Caller.STAFF,
        flow_control_settings: FlowControlSettings | None = None,
    ) -> list[BulkCreateResult]:
        """Up to 8 bookings, each made or refused on its own: a time that is taken is skipped and reported, not a
        failure of the call. A malformed item (InvalidArgument) fails the whole call before anything is made."""

    @abc.abstractmethod
    def reschedule_booking(
        self,
        booking_id: str,
        *,
        slot: Slot,
        revision: int,
        total_participants: int | None = None,
        caller: Caller = Caller.CUSTOMER,
        flow_control_settings: RescheduleFlowControlSettings | None = None,
    ) -> Booking:
        """Move an appointment to another time (and staff member), or a class booking to another session of the
        same class (`slot.event_id`). Checks the reschedule policy and availability; a service that needs approval
        sends the booking back to PENDING unless staff skip business confirmation. Courses cannot be moved."""

    @abc.abstractmethod
    def update_number_of_participants(
        self, booking_id: str, *, revision: int, total_participants: int, caller: Caller = Caller.CUSTOMER
    ) -> Booking:
        """Change how many people a class or course booking is for; more people need places left."""

    @abc.abstractmethod
    def reschedule_multi_service_booking(
        self,
        multi_service_booking_id: str,
        *,
        reschedule_bookings_info: list[RescheduleInfo],
        caller: Caller = Caller.CUSTOMER,
        flow_control_settings: RescheduleFlowControlSettings | None = None,
    ) -> MultiServiceBooking:
        """Move bookings of a package together (all or none); the package must stay back to back at one place."""

    @abc.abstractmethod
    def add_bookings_to_multi_service_booking(
        self, multi_service_booking_id: str, *, bookings: list[tuple[str, int]], caller: Caller = Caller.STAFF
    ) -> MultiServiceBooking:
        """Add independent bookings, given as (id, revision), to a package: at most 8 in all, and the whole must
        still run back to back at one place."""

    @abc.abstractmethod
    def get_anonymous_action_token(self, booking_id: str) -> str:
        """A URL-safe token that lets whoever holds it read, cancel and reschedule this one booking (for the
        customer's emailed link). Only the business mints them. Raises NotFound."""

    @abc.abstractmethod
    def get_booking_anonymously(self, token: str) -> AnonymousBooking:
        """The booking a token is for, with what its holder may do now. Raises NotFound for an unknown token and
        for one whose booking is canceled, declined or over (so do the two below), with no word of which."""

    @abc.abstractmethod
    def cancel_booking_anonymously(self, token: str, *, revision: int) -> Booking:
        """Cancel as the customer holding the token: the cancellation policy applies, no staff flags."""

    @abc.abstractmethod
    def reschedule_booking_anonymously(self, token: str, *, slot: Slot, revision: int) -> Booking:
        """Reschedule as the customer holding the token: the reschedule policy and availability apply."""

    @abc.abstractmethod
    def confirm_or_decline_booking(self, booking_id: str, *, payment_status: PaymentStatus) -> Booking:
        """Wix's decision table (wix-api.md §5.4): CONFIRMED or PENDING when the slot is still free or the booking
        is paid (paid despite a conflict sets double_booked), DECLINED when it conflicts and is unpaid."""

    @abc.abstractmethod
    def confirm_booking(self, booking_id: str, *, revision: int, caller: Caller = Caller.STAFF,
                        payment_status: PaymentStatus | None = None) -> Booking:
        """Staff confirm a CREATED, PENDING or WAITING_LIST booking; a conflict is flagged with double_booked."""

    @abc.abstractmethod
    def decline_booking(self, booking_id: str, *, revision: int, caller: Caller = Caller.STAFF,
                        payment_status: PaymentStatus | None = None) -> Booking:
        """Staff decline a CREATED, PENDING or WAITING_LIST booking."""

    @abc.abstractmethod
    def mark_booking_as_pending(self, booking_id: str, *, revision: int, caller: Caller = Caller.STAFF,
                                payment_status: PaymentStatus | None = None) -> Booking:
        """CREATED → PENDING for a service that needs approval; the booking then holds its time."""

    @abc.abstractmethod
    def cancel_booking(self, booking_id: str, *, revision: int, caller: Caller = Caller.CUSTOMER,
                       flow_control_settings: CancelFlowControlSettings | None = None) -> Booking:
        """Cancel an active booking. Customers are held to the cancellation policy; staff may ignore it.
        A stale `revision` raises RevisionMismatch."""

    # Checkout holds and payment updates are additions to Wix (docs/decisions.md): a Wix site's eCom cart holds
    # the time itself, so the wix backend's versions do nothing.

    @abc.abstractmethod
    def hold_booking(self, booking_id: str, *, expires_at: datetime) -> Booking:
        """Keep a CREATED booking's capacity until `expires_at` while the customer pays online. A running hold
        is kept as it is; a time taken meanwhile raises SlotNotAvailable."""

    @abc.abstractmethod
    def release_hold(self, booking_id: str) -> None:
        """End a booking's checkout hold now (no error if it has none)."""

    @abc.abstractmethod
    def release_lapsed_holds(self) -> int:
        """Tidy the holds whose time is up (they stopped counting when they lapsed); how many were cleared. The
        worker runs it every few minutes."""

    @abc.abstractmethod
    def update_payment_status(self, booking_id: str, *, payment_status: PaymentStatus, caller: Caller = Caller.SYSTEM,
                              reason: str = "") -> Booking:
        """Record a payment status learnt after the fact: a refund went through, or a visit was paid in person."""

    @abc.abstractmethod
    def bulk_calculate_allowed_actions(self, *, booking_ids: list[str]) -> list[tuple[str, AllowedActions | None]]:
        """For each id, whether a customer may cancel or reschedule now (None for an unknown booking)."""

    @abc.abstractmethod
    def query_extended_bookings(self, *, booking_ids: list[str]) -> list[Booking]:
        """The bookings with these ids (Wix: Query Extended Bookings filtered on id); unknown ids are left out."""

    @abc.abstractmethod
    def query_extended_bookings_starting(self, *, statuses: list[BookingStatus], start_from: datetime,
                                         start_to: datetime) -> list[Booking]:
        """The bookings in one of `statuses` whose start is in [start_from, start_to), earliest first (Wix: Query
        Extended Bookings with the filter {"status": {"$in": statuses}, "startDate": {"$gte": .., "$lt": ..}}).
        The reminders and the pending notices scan the coming hours with it."""
