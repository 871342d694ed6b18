"""Which implementation of the bookings port runs: the embedded engine, or a Wix site (BOOKINGS_BACKEND)."""

from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from booking.port import BookingsPort


@cache
def _backend(name: str) -> BookingsPort:
    if name == "local":
        from .local import LocalEngine

        return LocalEngine()
    if name == "wix":
        from .wix.backend import WixBackend

        return WixBackend()
    raise ImproperlyConfigured(f"Unknown BOOKINGS_BACKEND {name!r}; this build supports 'local' and 'wix'.")


def get_backend() -> BookingsPort:
    return _backend(settings.BOOKINGS_BACKEND)
