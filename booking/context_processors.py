from .backends import get_backend
from .errors import BookingsError
from .port import BusinessInfo


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
