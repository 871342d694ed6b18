from .backends import get_backend
from .port import BusinessInfo


def business_info(request) -> BusinessInfo:
    """The business's details, read once per request."""
    if not hasattr(request, "_business_info"):
        request._business_info = get_backend().get_business_info()
    return request._business_info


def business(request) -> dict:
    return {"business": business_info(request)}
