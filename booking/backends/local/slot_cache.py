"""The availability cache: appointment listings kept in Django's cache (Redis with REDIS_URL, local memory
otherwise) under the calendar version (booking/calendar_version.py), so that no change is ever hidden by it.

A listing is keyed by everything it was asked with (service, range, zone, staff, slots per day, page) and the
version read once before its data. What changes with no write is the clock: a policy's limits move past slot starts,
and a checkout hold lapses at its end. An entry therefore also keeps the first instant at which one of these could
change it, and is not served from then on. The review step (Get Availability Time Slot) and Create Booking never
read it: they check against the database under the staff lock.

A cache that cannot be read or written (Redis down) costs the listing its shortcut, never its answer.
"""

import hashlib
import json
import logging
import math
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache

from booking.backends.request_cache import memo, remember

from .catalog import version_now

log = logging.getLogger(__name__)
MAX_AGE = timedelta(hours=1)  # an upper bound on an entry's life: the cache is not a store


def enabled() -> bool:
    return getattr(settings, "AVAILABILITY_CACHE", True)


def key(args: dict) -> str:
    """The entry's key: the version now (read with the business row) and the request."""
    asked = hashlib.sha256(json.dumps(args, sort_keys=True, default=str).encode()).hexdigest()
    return f"slots:v{version_now()}:{asked}"


def get(entry_key: str, now: datetime):
    try:
        found = cache.get(entry_key)
    except Exception:  # noqa: BLE001 (any cache failure: compute instead)
        log.warning("availability cache unreadable", exc_info=True)
        return None
    if found is None:
        return None
    response, good_until = found
    if now >= good_until:
        return None
    _note(good_until)
    return response


def put(entry_key: str, response, now: datetime, good_until: datetime) -> None:
    good_until = min(good_until, now + MAX_AGE)
    _note(good_until)
    if good_until <= now:
        return
    try:
        cache.set(entry_key, (response, good_until), timeout=math.ceil((good_until - now).total_seconds()))
    except Exception:  # noqa: BLE001
        log.warning("availability cache unwritable", exc_info=True)


def _note(good_until: datetime) -> None:
    """Keep, for this request, the first instant at which one of its listings ends: the slot page's rendered
    content (booking/page_cache.py) is good no longer than the listings it shows."""
    earliest = listings_good_until()
    if earliest is None or good_until < earliest:
        remember(_LISTINGS_END, good_until)


_LISTINGS_END = ("listings_good_until",)


def listings_good_until() -> datetime | None:
    """The first instant at which a listing this request made or read stops being good; None if it made none
    (the cache is off, or the request listed nothing)."""
    return memo(_LISTINGS_END, lambda: None)


def good_until(starts, policy, now: datetime, hold_ends) -> datetime:
    """The first instant after `now` at which the clock alone could change a listing of these starts: a start
    becoming too late (at the start, or `latest_booking` before it) or no longer too early (`earliest_booking`
    before it), or a hold found in its busy time lapsing. Starts the listing left out (the rest of a day cut at
    its slots per day) follow the ones it kept: until one of those changes, keeping them gives the same answer."""
    offsets = [timedelta(0)]
    if policy.limit_late_booking_enabled:
        offsets.append(policy.latest_booking)
    if policy.limit_early_booking_enabled:
        offsets.append(policy.earliest_booking)
    events = [start - offset for start in starts for offset in offsets]
    return min((moment for moment in (*events, *hold_ends) if moment > now), default=now + MAX_AGE)
