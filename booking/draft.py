"""The customer's booking in progress, kept in their session between the form and the review page."""

import uuid
from dataclasses import asdict, dataclass

SESSION_KEY = "booking_draft"
ANSWERS_KEY = "booking_answers"
MY_BOOKINGS_KEY = "my_bookings"


@dataclass
class Draft:
    """What the customer chose: an appointment time (start, end, staff), a class session (event_id) or a whole
    course (neither), with the number of participants."""

    service_id: str
    submission_key: str
    start: str = ""  # an appointment's local start with its UTC offset
    end: str = ""
    staff: str = "any"  # a staff member's id, or "any"
    event_id: str = ""
    participants: int = 1
    booking_id: str = ""  # set once the review page created the booking
    settled: bool = False  # that booking was made settled (in person, free): no checkout or hold of its own to end


def current_draft(session) -> Draft | None:
    data = session.get(SESSION_KEY)
    if not isinstance(data, dict):
        return None
    try:
        return Draft(**data)
    except TypeError:
        return None


def start_draft(session, *, service_id: str, **choice) -> Draft:
    draft = Draft(service_id=service_id, submission_key=str(uuid.uuid4()), **choice)
    session[SESSION_KEY] = asdict(draft)
    return draft


def get_draft(session, service_id: str) -> Draft | None:
    draft = current_draft(session)
    return draft if draft is not None and draft.service_id == service_id else None


def attach_booking(session, draft: Draft, booking_id: str, *, settled: bool) -> None:
    draft.booking_id, draft.settled = booking_id, settled
    session[SESSION_KEY] = asdict(draft)


def saved_answers(session) -> dict:
    """Answers typed earlier, so that a customer who must pick another time does not type them again."""
    answers = session.get(ANSWERS_KEY)
    return answers if isinstance(answers, dict) else {}


def save_answers(session, answers: dict) -> None:
    session[ANSWERS_KEY] = answers


def remember_booking(session, booking_id: str) -> None:
    """Bookings made in this browser, which it may look at again without a link."""
    mine = [b for b in session.get(MY_BOOKINGS_KEY, []) if b != booking_id][-19:]
    session[MY_BOOKINGS_KEY] = [*mine, booking_id]


def owns_booking(session, booking_id: str) -> bool:
    return booking_id in session.get(MY_BOOKINGS_KEY, [])
