"""An appointment's slot page, kept rendered: the content of the page (or the fragment htmx swaps) in Django's
cache under the calendar version, beside the listings it shows (booking/backends/local/slot_cache.py).

Rendering ~100 time links and a month of days costs several times what the cached listings do, and every visitor
asking for the same service, month, day, staff member and zone gets the same HTML. What the content is made of:
- the service and the business (a change to either bumps the calendar version),
- the two listings (the version, and the clock: the entry ends when the first of them would),
- the query string, the fragment asked for, and today's date in the zone shown (the calendar's first month),
- settings fixed for the process (payment providers offered, the language).
What stays out of it and is rendered on every request: the page around the content (the CSRF token, messages).

Only the local engine keeps a calendar version; with the wix backend, or AVAILABILITY_CACHE off, nothing is kept.
A key is made before anything is read, so a change committed meanwhile leaves the entry under an old version.
"""

import hashlib
import json

from django.conf import settings
from django.utils import timezone, translation

from booking.errors import BookingsError

from .common import display_zone


def enabled() -> bool:
    return settings.BOOKINGS_BACKEND == "local" and getattr(settings, "AVAILABILITY_CACHE", True)


def key(request, slug: str, fragment: str | None) -> str | None:
    """The entry's key for this request, or None when nothing is kept (the cache off, a zone that does not exist:
    the page then says why, uncached)."""
    if not enabled():
        return None
    from booking.backends.local.catalog import version_now

    try:
        tz = display_zone(request)
    except BookingsError:
        return None
    asked = json.dumps([slug, fragment, sorted(request.GET.lists()), timezone.now().astimezone(tz).date(),
                        translation.get_language()], default=str)
    return f"page:v{version_now()}:{hashlib.sha256(asked.encode()).hexdigest()}"


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
