"""The one error hierarchy of the bookings port, carrying Wix application codes (wix-api.md §1.3, §5).

Every backend raises these; views turn them into a message and an HTTP status with `http_status`.
"""


class BookingsError(Exception):
    http_status = 500
    code = "INTERNAL"
    default_message = "Something went wrong with this booking."

    def __init__(self, message: str | None = None, *, code: str | None = None, data: dict | None = None):
        self.message = message or self.default_message
        if code:
            self.code = code
        self.data = data or {}
        super().__init__(self.message)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code}: {self.message})"


class InvalidArgument(BookingsError):
    """400: the request itself is malformed (dates, time zone, form fields)."""

    http_status = 400
    code = "INVALID_ARGUMENT"
    default_message = "Some of the details sent are not valid."

    def __init__(self, message=None, *, code=None, data=None, field_violations: dict[str, str] | None = None):
        super().__init__(message, code=code, data=data)
        self.field_violations = field_violations or {}


class PermissionDenied(BookingsError):
    http_status = 403
    code = "UNAUTHORIZED_OPERATION"
    default_message = "This action is not allowed."


class BookingPolicyViolation(BookingsError):
    """403: the business's booking policy forbids it (too early, too late, online booking off, too many people)."""

    http_status = 403
    code = "BOOKING_POLICY_VIOLATION"
    default_message = "The business's booking policy does not allow this booking."


class NotFound(BookingsError):
    http_status = 404
    code = "NOT_FOUND"
    default_message = "We could not find what you asked for."


class RevisionMismatch(BookingsError):
    """409: the booking changed since the caller read it."""

    http_status = 409
    code = "REVISION_MISMATCH"
    default_message = "This booking changed in the meantime. Reload the page and try again."


class FailedPrecondition(BookingsError):
    """428: a business rule is not met right now (Wix's FAILED_PRECONDITION)."""

    http_status = 428
    code = "FAILED_PRECONDITION"


class SlotNotAvailable(FailedPrecondition):
    code = "SLOT_NOT_AVAILABLE"
    default_message = "This time was just taken."


class Unavailable(BookingsError):
    """503: the bookings service behind the port could not answer (a remote backend is down or rate-limited)."""

    http_status = 503
    code = "UNAVAILABLE"
    default_message = "Bookings are unavailable for a moment. Please try again shortly."
