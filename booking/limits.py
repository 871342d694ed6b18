"""Abuse limits on the pages that make or change bookings (docs/decisions.md, "Abuse limits").

Counts live in Django's cache through django-ratelimit, which keeps one counter per (limit, key, window) and adds to
it atomically; the numbers are settings (settings.LIMITS, "count/period"). A limited customer gets the 429 page,
which links back to where they were: the view did not run, so the draft and answers in their session are as they
left them.
"""

import functools
import hashlib
import hmac
import ipaddress
import logging

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_ratelimit.core import get_usage
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

LIMITED = "Too many booking requests came from your connection in a short time."
EMAIL_LIMITED = "This email address has made as many bookings today as we accept online."


def client_ip(request: HttpRequest) -> str:
    """The client's address, as the limits count it: CLIENT_IP_HEADER's (set by the TLS proxy, which overwrites it)
    when configured and valid, else the connection's; an IPv6 address stands for its /64, which one customer
    usually has to themselves. Empty when there is no valid address at all."""
    value = request.META.get(settings.CLIENT_IP_HEADER, "") if settings.CLIENT_IP_HEADER else ""
    for candidate in (value.strip(), request.META.get("REMOTE_ADDR", "")):
        try:
            address = ipaddress.ip_address(candidate)
        except ValueError:
            continue
        prefix = 64 if address.version == 6 else 32
        return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False).network_address)
    return ""


def _session(group: str, request: HttpRequest) -> str:
    return request.session.session_key or ""


def _ip(group: str, request: HttpRequest) -> str:
    return client_ip(request)


def _usage(request: HttpRequest, group: str, rate: str, key) -> dict | None:
    """Count this request against one limit; the usage (with should_limit) or None when the key is empty."""
    if callable(key) and not key(group, request):
        return None
    try:
        return get_usage(request, group=group, key=key, rate=rate, method="POST", increment=True)
    except (RedisError, OSError) as error:
        # The counts cannot be kept: refuse, as django-ratelimit does when the cache says nothing (fail closed).
        logger.error("Abuse limit %s could not be counted: %s", group, type(error).__name__)
        return {"count": 0, "limit": 0, "should_limit": True, "time_left": 60, "unavailable": True}


def _over(request: HttpRequest, limits: list[tuple[str, str, object]]) -> dict | None:
    """Count the request against every limit; the first one it is over, or None."""
    over = None
    for group, rate, key in limits:
        usage = _usage(request, group, rate, key)
        if over is None and usage is not None and usage["should_limit"]:
            over = usage
    return over


def too_many(request: HttpRequest, message: str, back: str, usage: dict | None = None) -> HttpResponse:
    """The 429 page (503 when the counts could not be kept), with how long to wait and the way back."""
    seconds = max(60, usage["time_left"]) if usage and usage.get("time_left", -1) > 0 else 3600
    status = 429
    if usage and usage.get("unavailable"):
        message, status = "Booking is unavailable for a moment on our side.", 503
    response = render(request, "booking/limited.html",
                      {"message": message, "back": back, "minutes": (seconds + 59) // 60}, status=status)
    response["Retry-After"] = str(seconds)
    return response


def booking_posts(back=None):
    """Decorate a view whose POST makes, pays for or changes a booking: limited per session and per client address.
    `back(request, **kwargs)` is the page to go back to (this page by default)."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method == "POST":
                usage = _over(request, [
                    ("booking-posts-session", settings.LIMITS["booking_posts_per_session"], _session),
                    ("booking-posts-ip", settings.LIMITS["booking_posts_per_ip"], _ip),
                ])
                if usage is not None:
                    where = back(request, *args, **kwargs) if back else request.get_full_path()
                    return too_many(request, LIMITED, where, usage)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def _hashed(value: str) -> str:
    """A counter's key for a personal value (an email address, a username): keyed-hashed, so none sits in the
    cache as it is."""
    return hmac.new(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


def over_email_limit(request: HttpRequest, email: str) -> dict | None:
    """Count one new booking for `email` (free or paid in person: it sends mail and costs the booker nothing);
    the usage when that is over the day's cap."""
    if not email.strip():
        return None
    key = _hashed("email:" + email.strip().lower())
    return _over(request, [("bookings-per-email", settings.LIMITS["bookings_per_email"], lambda g, r: key)])


def client_key(request: HttpRequest, kind: str) -> str:
    """A keyed hash of the client's address ("ip") or session key ("session"), to count what one client holds
    without storing the address itself. Empty when there is none."""
    value = client_ip(request) if kind == "ip" else (request.session.session_key or "")
    if not value:
        return ""
    return hmac.new(settings.SECRET_KEY.encode(), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:40]


def admin_login(request: HttpRequest, extra_context=None) -> HttpResponse:
    """The admin's sign-in page, with its POSTs limited per client address and per username tried (a guessed
    password is a POST; a member of staff signs in a few times a day)."""
    if request.method == "POST":
        username = request.POST.get("username", "")[:150].lower()
        limits = [("admin-login-ip", settings.LIMITS["admin_logins_per_ip"], _ip)]
        if username:
            limits.append(("admin-login-user", settings.LIMITS["admin_logins_per_username"],
                           lambda g, r: _hashed("username:" + username)))
        usage = _over(request, limits)
        if usage is not None:
            return too_many(request, "Too many sign-in attempts. Wait a while before trying again.",
                            request.get_full_path(), usage)
    return admin.site.login(request, extra_context)
