"""Parsing the date strings of the Wix APIs: local wall-clock times with an optional UTC offset, and zones."""

import re
import zoneinfo
from datetime import UTC, datetime

from .errors import InvalidArgument

# Wix sends YYYY-MM-DDThh:mm:ss, optionally with milliseconds (after "." or, in some docs, ":") and an offset.
_LOCAL_DATE = re.compile(
    r"^(?P<dt>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:[.:](?P<ms>\d{3}))?(?P<offset>Z|[+-]\d{2}:\d{2})?$"
)


def parse_time_zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    # OSError: a name too long to be a file name, which is how zoneinfo looks a zone up.
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError, OSError) as exc:
        raise InvalidArgument(f"“{name}” is not a time zone we know.", code="INVALID_TIME_ZONE") from exc


def parse_local_date(value: str, tz: zoneinfo.ZoneInfo) -> datetime:
    """An aware datetime: in `tz` when the string has no offset (first occurrence if ambiguous)."""
    match = _LOCAL_DATE.match(value or "")
    if not match:
        raise InvalidArgument(
            f"“{value}” is not a date and time like 2026-05-04T09:30:00.", code="INVALID_DATE_FORMAT"
        )
    text = match["dt"] + (f".{match['ms']}" if match["ms"] else "")
    offset = match["offset"]
    try:
        parsed = datetime.fromisoformat(text + ("+00:00" if offset == "Z" else offset or ""))
        parsed = parsed if offset else parsed.replace(tzinfo=tz, fold=0)
        parsed.astimezone(UTC)  # the years at either end of the calendar cannot be converted
    except (ValueError, OverflowError) as exc:
        raise InvalidArgument(f"“{value}” is not a real date and time.", code="INVALID_DATE_FORMAT") from exc
    return parsed


def format_local_date(instant: datetime, tz: zoneinfo.ZoneInfo) -> str:
    # isoformat rather than strftime: the same text, in a third of the time (a month of slots formats thousands).
    return instant.astimezone(tz).replace(tzinfo=None).isoformat(timespec="seconds")


def format_instant(instant: datetime, tz: zoneinfo.ZoneInfo) -> str:
    """The local time with its offset: unambiguous, and still readable."""
    return instant.astimezone(tz).isoformat(timespec="seconds")
