"""What the customer chose to book, read from a request, re-checked against the engine, and turned into a
Create Booking request. One shape for the three kinds: an appointment time, a class session, a whole course."""

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from booking.backends import get_backend
from booking.dates import parse_local_date
from booking.errors import FailedPrecondition, InvalidArgument
from booking.port import (
    BookedSchedule,
    ContactDetails,
    CourseAvailability,
    CreateBookingRequest,
    Location,
    Resource,
    Service,
    ServiceType,
    Slot,
    TimeSlot,
)


@dataclass(frozen=True)
class Choice:
    start: str = ""  # appointments: the local start and end with their UTC offsets
    end: str = ""
    staff: str = "any"
    event_id: str = ""  # classes
    participants: int = 1  # classes and courses

    def query(self) -> str:
        """The choice as a query string, for links back to the details page."""
        if self.event_id:
            return urlencode({"event": self.event_id, "participants": self.participants})
        if self.start:
            return urlencode({"start": self.start, "end": self.end, "staff": self.staff})
        return urlencode({"participants": self.participants})


@dataclass(frozen=True)
class Offer:
    """The chosen time, re-checked just now: what the summary on the details and review pages shows."""

    start_date: datetime
    end_date: datetime
    location: Location | None
    staff_names: tuple[str, ...]  # the chosen staff member, the class's teacher; empty for "any"
    places_left: int | None  # classes and courses
    sessions: tuple[TimeSlot, ...] = ()  # courses


def choice_from(params, service: Service) -> Choice:
    """The choice carried by a query string or form; raises InvalidArgument for values that cannot be right."""
    raw = params.get("participants") or "1"
    try:
        participants = int(raw)
    except ValueError as exc:
        raise InvalidArgument("The number of participants must be a whole number.") from exc
    limit = max(service.booking_policy.max_participants_per_booking, 1)
    if participants < 1:
        raise InvalidArgument("A booking is for at least one participant.")
    if participants > limit or (service.type == ServiceType.APPOINTMENT and participants != 1):
        raise InvalidArgument(f"At most {limit} participant{'s' if limit != 1 else ''} can be booked at once.")
    if service.type == ServiceType.CLASS:
        if not params.get("event"):
            raise InvalidArgument("Choose a session first.")
        return Choice(event_id=params["event"], participants=participants)
    if service.type == ServiceType.COURSE:
        return Choice(participants=participants)
    staff = params.get("staff") or "any"
    if staff != "any" and staff not in {member.id for member in service.staff_members}:
        raise InvalidArgument("That staff member does not offer this service.")
    return Choice(start=params.get("start", ""), end=params.get("end", ""), staff=staff)


def revalidate(service: Service, choice: Choice) -> Offer:
    """Ask the engine again (Get Availability Time Slot, Get Event Time Slot or the course's places). Raises
    NotFound when the time is gone, and FailedPrecondition when it cannot be booked or has too few places."""
    backend = get_backend()
    if service.type == ServiceType.COURSE:
        course = backend.get_course_availability(service_id=service.id)
        _check_places(course.remaining_capacity, choice.participants, "course", course)
        held = [s for s in course.sessions if not s.non_bookable_reasons.event_cancelled]
        return Offer(held[0].start_date, held[-1].end_date, held[0].location,
                     tuple(dict.fromkeys(r.name for s in held for r in s.staff)), course.remaining_capacity,
                     course.sessions)
    if service.type == ServiceType.CLASS:
        slot = backend.get_event_time_slot(event_id=choice.event_id)
        if slot.service_id != service.id:
            raise InvalidArgument("That session belongs to another class.")
        _check_places(slot.bookable_capacity, choice.participants, "session", slot)
        return Offer(slot.start_date, slot.end_date, slot.location, tuple(r.name for r in slot.staff),
                     slot.bookable_capacity)
    slot = backend.get_availability_time_slot(
        service_id=service.id, local_start_date=choice.start, local_end_date=choice.end,
        resource_ids=None if choice.staff == "any" else [choice.staff],
    )
    if not slot.bookable:
        raise FailedPrecondition("This time cannot be booked online.", code="NOT_BOOKABLE")
    names = tuple(r.name for r in slot.staff if r.id == choice.staff)
    return Offer(slot.start_date, slot.end_date, slot.location, names, None)


def _check_places(left: int, wanted: int, what: str, offer: TimeSlot | CourseAvailability) -> None:
    violations = offer.booking_policy_violations
    if isinstance(offer, TimeSlot) and offer.non_bookable_reasons.event_cancelled:
        raise FailedPrecondition("This session has been cancelled.", code="SESSION_NOT_FOUND")
    if violations.too_late_to_book:
        raise FailedPrecondition(f"It is too late to book this {what} online.", code="NOT_BOOKABLE")
    if violations.any:
        raise FailedPrecondition(f"This {what} cannot be booked online yet.", code="NOT_BOOKABLE")
    if left <= 0:
        raise FailedPrecondition(f"Sorry, this {what} is full.", code="FULL")
    if wanted > left:
        raise FailedPrecondition(f"Only {left} place{'s' if left != 1 else ''} left in this {what}.",
                                 code="FULL")


def create_request(service: Service, draft, answers: dict, payment_option: str, tz) -> CreateBookingRequest:
    contact = ContactDetails(first_name=answers.get("first_name", ""), last_name=answers.get("last_name", ""),
                             email=answers.get("email", ""), phone=answers.get("phone", ""))
    common = {"contact_details": contact, "form_submission": answers, "selected_payment_option": payment_option,
              "total_participants": draft.participants}
    if service.type == ServiceType.COURSE:
        return CreateBookingRequest(slot=None, schedule=BookedSchedule(service.id, service.schedule_id, tz.key),
                                    **common)
    return CreateBookingRequest(slot=slot_for(service, draft, tz), **common)


def slot_for(service: Service, choice, tz) -> Slot:
    """The Slot of an appointment or class `choice` (or a draft of one), to book or to move a booking to."""
    if service.type == ServiceType.CLASS:
        now = datetime.now(tz)  # the session's own time is used; Wix ignores what is sent
        return Slot(service.id, now, now, tz.key, event_id=choice.event_id)
    return Slot(
        service_id=service.id,
        start_date=parse_local_date(choice.start, tz),
        end_date=parse_local_date(choice.end, tz),
        timezone=tz.key,
        schedule_id=service.schedule_id,
        resource=None if choice.staff == "any" else Resource(id=choice.staff, name=""),
    )
