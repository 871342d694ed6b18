"""Locks and keys shared by the local engine's writers."""

import uuid

from django.db import IntegrityError

from booking import models
from booking.errors import InvalidArgument
from booking.ids import parse_uuid


def lock_staff(staff_ids) -> None:
    """Lock the staff rows in a fixed order, so that concurrent bookings of the same people queue up."""
    list(models.StaffMember.objects.select_for_update().filter(pk__in=staff_ids).order_by("pk").values_list("pk"))


def overlap_refused(error: IntegrityError) -> bool:
    """Whether PostgreSQL's exclusion constraint (booking/occupancy.py: no two clean bookings holding one staff
    member overlap), the second line behind the locks, refused the write."""
    return getattr(error.__cause__, "sqlstate", None) == "23P01"


def parse_submission_key(value) -> uuid.UUID | None:
    """The key a customer's form carries so that submitting it twice makes one booking."""
    if value is None:
        return None
    key = parse_uuid(value)
    if key is None:
        raise InvalidArgument("This form has expired; please start again.", code="INVALID_SUBMISSION_KEY")
    return key


def places_message(left: int, what: str) -> str:
    """Why a session or course (`what`) cannot take the participants asked for."""
    if left <= 0:
        return f"Sorry, this {what} is full."
    return f"Only {left} place{'s' if left != 1 else ''} left in this {what}."
