from .backends import get_backend
from .errors import BookingsError
from .port import BookingStatus, BusinessInfo, PaymentStatus, RateType, SelectedPaymentOption, ServiceType


def business_info(request) -> BusinessInfo:
    """The business's details, read once per request."""
    if not hasattr(request, "_business_info"):
        request._business_info = get_backend().get_business_info()
    return request._business_info


def business(request) -> dict:
    """For templates; the error page included, which must render even when the business cannot be read."""
    try:
        return {"business": business_info(request)}
    except BookingsError:
        return {"business": None}


# Each enum as a mapping of its members, for templates: `{% if booking.status == BookingStatus.CONFIRMED %}`. A
# mapping rather than the class, because Django's templates call what is callable, and an enum class is.
ENUMS = {kind.__name__: {member.name: member for member in kind}
         for kind in (BookingStatus, PaymentStatus, SelectedPaymentOption, ServiceType, RateType)}


def enums(request) -> dict:
    """The port's enums, so that templates compare with them rather than with strings."""
    return ENUMS
