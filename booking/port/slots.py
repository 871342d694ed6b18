"""The port's types of availability: time slots for appointments, classes and packages, and course places
(wix-api.md §4, §6.2)."""

from dataclasses import dataclass
from datetime import datetime

from .catalog import Location, Resource
from .enums import STAFF_RESOURCE_TYPE_ID


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
class WaitingList:
    """A class session's waitlist (Wix: eventInfo.waitingList): how many it takes and how many more it can."""

    total_capacity: int
    remaining_capacity: int


@dataclass(frozen=True)
class EventInfo:
    event_id: str
    event_title: str
    # Set only when the session takes a waitlist (the local engine's; see docs/decisions.md).
    waiting_list: WaitingList | None = None


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
