"""What booking's customer pages share: the service from its slug, and the time zone the customer reads times in.
(The error page and leaving for a payment page are in booking.web, which the payment pages use too.)"""

import functools
from zoneinfo import ZoneInfo

from django.http import Http404, HttpRequest
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from booking.backends import get_backend
from booking.context_processors import business_info
from booking.dates import parse_time_zone
from booking.port import Service

# Offered in the "show times in" list; any other IANA zone works too, through ?tz= or the browser's zone.
COMMON_ZONES = (
    "Pacific/Honolulu", "America/Anchorage", "America/Los_Angeles", "America/Denver", "America/Phoenix",
    "America/Chicago", "America/New_York", "America/Halifax", "America/Sao_Paulo", "Atlantic/Reykjavik",
    "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Paris", "Europe/Berlin", "Europe/Madrid",
    "Europe/Rome", "Europe/Amsterdam", "Europe/Stockholm", "Europe/Athens", "Europe/Helsinki", "Europe/Istanbul",
    "Africa/Johannesburg", "Africa/Lagos", "Africa/Nairobi", "Asia/Dubai", "Asia/Kolkata", "Asia/Bangkok",
    "Asia/Singapore", "Asia/Shanghai", "Asia/Tokyo", "Asia/Seoul", "Australia/Perth", "Australia/Adelaide",
    "Australia/Brisbane", "Australia/Sydney", "Pacific/Auckland", "UTC",
)


def service_or_404(slug: str) -> Service:
    services = get_backend().query_services(filter={"mainSlug.name": slug})
    if not services:
        raise Http404("No such service.")
    return services[0]


def business_zone(request: HttpRequest) -> ZoneInfo:
    return ZoneInfo(business_info(request).time_zone)


def display_zone(request: HttpRequest) -> ZoneInfo:
    """The zone the customer chose with ?tz= (their browser's, or one from the list); the business's otherwise.
    Raises InvalidArgument for a zone that does not exist."""
    name = request.GET.get("tz") or request.POST.get("tz")
    return parse_time_zone(name) if name else business_zone(request)


def zone_context(request: HttpRequest, tz: ZoneInfo) -> dict:
    business = business_zone(request)
    return {"tz": tz, "tz_param": "" if tz.key == business.key else tz.key, "other_zone": tz.key != business.key,
            "zone_options": zone_options(tz.key, business.key)}


@functools.lru_cache(maxsize=64)
def zone_options(shown: str, ours: str) -> str:
    """The <option>s of the "show times in" list: the common zones and the one shown (selected), ours marked. The
    same few strings on every times page, made once per pair: the template's loop over them cost ~0.4 ms a page."""
    zones = sorted(COMMON_ZONES if shown in COMMON_ZONES else (*COMMON_ZONES, shown))
    return format_html_join("", '<option value="{}"{}>{}{}</option>', (
        (zone, mark_safe(" selected") if zone == shown else "", zone, " (ours)" if zone == ours else "")
        for zone in zones))
