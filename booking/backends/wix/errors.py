"""Wix's error shape mapped onto the port's error hierarchy (booking/errors.py), with one table.

A Wix error body is `{message, details: {applicationError: {code, description, data}}}` or
`{message, details: {validationError: {fieldViolations: [{field, description, ...}]}}}` (wix-api.md §1.3). The
HTTP status and the application code pick the port's error class; the application code travels on as the
error's code, so the pages answer a Wix error exactly as they answer the same error from the local engine.
"""

from booking.errors import (
    BookingPolicyViolation,
    BookingsError,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    RevisionMismatch,
    SlotNotAvailable,
    Unavailable,
)

# (HTTP status, application code or None for "any code") → (error class, code it carries or None to keep Wix's).
# The first row that matches wins: specific codes come before their status's catch-all row.
ERROR_TABLE: list[tuple[int, str | None, type[BookingsError], str | None]] = [
    (400, None, InvalidArgument, None),
    (401, None, PermissionDenied, "UNAUTHENTICATED"),
    (403, "BOOKING_POLICY_VIOLATION", BookingPolicyViolation, None),
    (403, None, PermissionDenied, None),
    (404, None, NotFound, None),
    (409, None, RevisionMismatch, "REVISION_MISMATCH"),
    (428, "SLOT_NOT_AVAILABLE", SlotNotAvailable, None),
    (428, "SESSION_CAPACITY_EXCEEDED", SlotNotAvailable, None),
    (428, "SCHEDULE_CAPACITY_EXCEEDED", SlotNotAvailable, None),
    (428, "FAILED_VALIDATING_AVAILABILITY", SlotNotAvailable, None),
    (428, None, FailedPrecondition, None),
    (429, None, Unavailable, "RESOURCE_EXHAUSTED"),
    (500, None, Unavailable, None),
    (502, None, Unavailable, None),
    (503, None, Unavailable, None),
    (504, None, Unavailable, None),
]

# Statuses worth a second try for a call that may safely be repeated.
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})


def error_class(status: int, code: str | None) -> tuple[type[BookingsError], str | None]:
    for row_status, row_code, cls, carried in ERROR_TABLE:
        if row_status == status and (row_code is None or row_code == code):
            return cls, carried
    if 400 <= status < 500:
        return InvalidArgument, None
    return Unavailable, None


def from_response(status: int, body: object) -> BookingsError:
    """The port error for a Wix error response. The message is Wix's own text (it never holds a credential:
    Wix does not echo headers back); without one, the class's default message."""
    body = body if isinstance(body, dict) else {}
    details = body.get("details") if isinstance(body.get("details"), dict) else {}
    application = details.get("applicationError") if isinstance(details.get("applicationError"), dict) else {}
    validation = details.get("validationError") if isinstance(details.get("validationError"), dict) else {}
    code = application.get("code") or None
    message = body.get("message") or application.get("description") or None
    cls, carried = error_class(status, code)
    data = application.get("data") if isinstance(application.get("data"), dict) else {}
    if issubclass(cls, InvalidArgument):
        violations = {
            str(item.get("field", "")): str(item.get("description", ""))
            for item in validation.get("fieldViolations") or []
            if isinstance(item, dict)
        }
        return cls(message, code=carried or code, data=data, field_violations=violations)
    if cls is Unavailable:
        # Wix's text for an outage is no help to a customer.
        return cls(code=carried or code)
    return cls(message, code=carried or code, data=data)
