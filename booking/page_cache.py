"""An appointment's slot page, kept rendered: the content of the page (or the fragment htmx swaps) in Django's
cache under the calendar version, beside the listings it shows (booking/backends/local/slot_cache.py).

Rendering ~45 time links and a month of days costs several times what the cached listings do, and every visitor
asking for the same service, month, day, staff member and zone gets the same HTML. What the content is made of:
- the service and the business (a change to either bumps the calendar version),
- the two listings (the version, and the clock: the entry ends when the first of them would),
- the query string, the fragment asked for, and today's date in the zone shown (the calendar's first month),
- settings fixed for the process (payment providers offered, the language).
What stays out of it and is rendered on every request: the page around the content (the CSRF token, messages).

Only the local engine keeps a calendar version; with the wix backend, or AVAILABILITY_CACHE off, nothing is kept.
A key is made before anything is read, so a change committed meanwhile leaves the entry under an old version. It
sits beside the engine, not in the views, which reach the engine through the port only (tests/test_architecture.py);
the slot page view (booking/views/services.py) says what the content depends on.
"""

import hashlib
import json

from django.conf import settings
from django.utils import timezone


def enabled() -> bool:
    return settings.BOOKINGS_BACKEND == "local" and getattr(settings, "AVAILABILITY_CACHE", True)


def key(asked: list) -> str | None:
    """The entry's key for a page asked for with `asked` (what the view says the content depends on: the slug, the
    fragment, the query string, today in the zone shown, the language), or None when nothing is kept."""
    if not enabled():
        return None
    from booking.backends.local.catalog import version_now

    digest = hashlib.sha256(json.dumps(asked, default=str).encode()).hexdigest()
    return f"page:v{version_now()}:{digest}"


def get(entry_key: str | None):
    """(title, html) kept under `entry_key`, or None."""
    if entry_key is None:
        return None
    from booking.backends.local import slot_cache

    return slot_cache.get(entry_key, timezone.now())


def put(entry_key: str | None, title: str, html: str) -> None:
    """Keep the page's content until the first of the request's listings ends (nothing if it listed none)."""
    from booking.backends.local import slot_cache

    if entry_key is None or (good_until := slot_cache.listings_good_until()) is None:
        return
    slot_cache.put(entry_key, (title, html), timezone.now(), good_until)
