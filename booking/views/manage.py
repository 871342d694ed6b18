"""The customer's own booking, opened from the link in their email (Wix's anonymous booking actions): see it, cancel
it, or move it to another time, without an account.

The link carries a token. As Django's password reset does, its GET takes the token out of the address and redirects
to one without it (the booking's id), so the token does not travel on in Referer headers or appear in the log lines
of later requests, such as a refused cancel. The raw token stays only where the email put it, with the customer: in
an HttpOnly cookie scoped to that booking's pages. The session keeps its SHA-256 digest, and the pages act only when
the cookie's token matches it, so neither the session table nor any other table holds a token that opens a booking
(docs/decisions.md, "Manage links"). Every change goes through the port's anonymous actions with the token, which
works for any backend's tokens, ours or Wix's opaque ones.

A link we never made, one that stopped working (its booking canceled, declined or over) and a page opened without
the link all get the same neutral 404.
"""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.views.decorators.http import require_GET, require_http_methods

from booking import limits
from booking.backends import get_backend
from booking.errors import BookingsError, InvalidArgument, NotFound, RevisionMismatch
from booking.port import AllowedActions, Booking, BookingStatus, Service, ServiceType
from booking.templatetags.booking_tags import duration
from booking.web import JUST_TAKEN, error_page
from payments.providers import offered_providers

from .checkout import TAKEN
from .choice import Choice, choice_from, revalidate, slot_for
from .common import business_zone
from .services import picker_fragment, times_context

LINKS_KEY = "manage_links"  # in the session: booking id → SHA-256 of the token of the link that opened it here
# The one answer for every link or page that does not open a booking, whatever the reason.
GONE = "This link no longer opens a booking. If you have a booking with us, use the link in your latest email."
STALE = "This booking changed since you opened this page. Reload to see it as it is now."
# Refusals of a chosen time that mean "choose another one": taken, full, cancelled or no longer bookable.
CHOOSE_AGAIN = TAKEN | {"FULL", "NOT_BOOKABLE", "SESSION_NOT_FOUND"}


@dataclass(frozen=True)
class Opened:
    """A booking opened through its link: the token, the booking as it is now, what its holder may do, its service
    (None when the service is no longer offered online)."""

    token: str
    booking: Booking
    allowed: AllowedActions
    service: Service | None

    def context(self) -> dict:
        return {"booking": self.booking, "allowed": self.allowed, "service": self.service}


@require_GET
def manage_link(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link: give this browser the token for the booking's pages, then show the booking at its own
    address. The session key changes here, so a session id planted in the browser beforehand gains nothing."""
    try:
        booking = get_backend().get_booking_anonymously(token).booking
    except NotFound:
        return _gone(request)
    except BookingsError as error:
        return error_page(request, error)
    request.session.cycle_key()
    links = request.session.get(LINKS_KEY)
    request.session[LINKS_KEY] = {**(links if isinstance(links, dict) else {}), booking.id: _digest(token)}
    response = redirect("booking:manage", booking_id=booking.id)
    response.set_cookie(_cookie(booking.id), token, path=_pages(booking.id), httponly=True, samesite="Lax",
                        secure=settings.SESSION_COOKIE_SECURE)
    return response


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _cookie(booking_id) -> str:
    return f"manage_{booking_id}"


def _pages(booking_id) -> str:
    """The address prefix of the booking's own pages, to which its cookie is sent."""
    return reverse("booking:confirmation", args=[booking_id])


def _gone(request: HttpRequest) -> HttpResponse:
    return error_page(request, GONE, 404)


def _open(request: HttpRequest, booking_id) -> Opened:
    """The booking this browser opened with its emailed link; raises NotFound (GONE) without one, for a cookie that
    does not match the session's digest, and once the link stopped working."""
    links = request.session.get(LINKS_KEY)
    digest = links.get(str(booking_id)) if isinstance(links, dict) else None
    token = request.COOKIES.get(_cookie(booking_id), "")
    if not isinstance(digest, str) or not hmac.compare_digest(digest.encode(), _digest(token).encode()):
        raise NotFound(GONE)
    backend = get_backend()
    try:
        found = backend.get_booking_anonymously(token)
    except NotFound as error:
        raise NotFound(GONE) from error
    if found.booking.id != str(booking_id):
        raise NotFound(GONE)
    services = backend.query_services(filter={"id": found.booking.service_id})
    return Opened(token, found.booking, found.allowed_anonymous_actions, services[0] if services else None)


def _forget(request: HttpRequest, response: HttpResponse, booking_id: str) -> HttpResponse:
    """Drop a booking's link from this browser once it opens nothing any more."""
    links = request.session.get(LINKS_KEY)
    if isinstance(links, dict) and booking_id in links:
        request.session[LINKS_KEY] = {key: value for key, value in links.items() if key != booking_id}
    response.delete_cookie(_cookie(booking_id), path=_pages(booking_id), samesite="Lax")
    return response


@require_GET
def manage(request: HttpRequest, booking_id) -> HttpResponse:
    try:
        opened = _open(request, booking_id)
    except BookingsError as error:
        return error_page(request, error)
    if opened.booking.status == BookingStatus.WAITING_LIST:
        # On a waitlist: the place offered, with its deadline and how to pay, or the place in line (waitlist.py).
        providers = offered_providers(opened.service) if opened.service is not None else []
        until = opened.booking.waitlist_offer_expires_at
        return render(request, "booking/waitlist_entry.html", {
            **opened.context(), "providers": providers, "offer_open": until is not None and until > timezone.now()})
    tz = business_zone(request)
    refusals = {action: _refusal(opened, action, tz) for action in ("cancel", "reschedule")}
    return render(request, "booking/manage.html", {**opened.context(), "refusals": refusals,
                                                   "reschedule_url": _reschedule_url(opened)})


@limits.booking_posts()
@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, booking_id) -> HttpResponse:
    """GET asks "Cancel this booking?"; the POST, with the revision the customer saw, cancels it."""
    try:
        opened = _open(request, booking_id)
    except BookingsError as error:
        return error_page(request, error)
    if refusal := _refusal(opened, "cancel", business_zone(request)):
        return _problem(request, opened, *refusal)
    if request.method == "GET":
        return render(request, "booking/manage_cancel.html", opened.context())
    try:
        canceled = get_backend().cancel_booking_anonymously(opened.token, revision=_revision(request))
    except RevisionMismatch:
        return _problem(request, opened, STALE, 409)
    except NotFound:
        return _gone(request)
    except BookingsError as error:
        return _problem(request, opened, error.message, error.http_status)
    # Its link opens nothing now, so the customer is told here and goes back to the services.
    when = _when(canceled.start_date, business_zone(request))
    messages.success(request, f"Your booking of {canceled.title} on {when} is canceled.")
    return _forget(request, redirect("booking:services"), canceled.id)


@limits.booking_posts()
@require_http_methods(["GET", "POST"])
def reschedule(request: HttpRequest, booking_id) -> HttpResponse:
    """Three steps on one address: the times to choose from, "Move your booking?" for the chosen one (GET with the
    choice), and the move itself (POST with the choice and the revision the customer saw)."""
    try:
        opened = _open(request, booking_id)
    except BookingsError as error:
        return error_page(request, error)
    tz = business_zone(request)
    if refusal := _refusal(opened, "reschedule", tz):
        return _problem(request, opened, *refusal)
    try:
        choice = _choice(request, opened)
        if choice is None:
            return _picker(request, opened)
        if request.method == "GET":
            offer = revalidate(opened.service, choice)
            return render(request, "booking/manage_move.html",
                          {**opened.context(), "offer": offer, "choice": choice})
        moved = get_backend().reschedule_booking_anonymously(opened.token, slot=slot_for(opened.service, choice, tz),
                                                             revision=_revision(request))
    except RevisionMismatch:
        return _problem(request, opened, STALE, 409)
    except BookingsError as error:
        if error.code in CHOOSE_AGAIN:
            messages.error(request, JUST_TAKEN if error.code in {"SLOT_NOT_AVAILABLE", "SLOT_NOT_FOUND"}
                           else error.message)
            return _picker(request, opened, status=409)
        return _problem(request, opened, error.message, error.http_status)
    done = f"Your booking has moved to {_when(moved.start_date, tz)}."
    if moved.status == BookingStatus.PENDING:
        done += " The new time waits for our approval; it is held for you meanwhile."
    messages.success(request, done)
    return redirect("booking:manage", booking_id=moved.id)


def _choice(request: HttpRequest, opened: Opened) -> Choice | None:
    """The new time the customer chose (None before they chose one); raises InvalidArgument for bad values."""
    params = request.POST if request.method == "POST" else request.GET
    if opened.service.type == ServiceType.CLASS:
        event = params.get("event")
        if event and event == opened.booking.slot.event_id:
            raise InvalidArgument("You are booked in that session already. Choose another one.")
        # The places needed are the booking's own participants.
        choice = Choice(event_id=event, participants=opened.booking.total_participants) if event else None
    else:
        choice = choice_from(params, opened.service) if params.get("start") else None
    if choice is None and request.method == "POST":
        raise InvalidArgument("Choose the new time first.")
    return choice


def _picker(request: HttpRequest, opened: Opened, *, status: int = 200) -> HttpResponse:
    """Other times of the booking's service, in the month calendar of the service's own page; each time leads to
    the "Move your booking?" step instead of the booking form. With htmx, only the fragment it swaps."""
    here = reverse("booking:manage_reschedule", args=[opened.booking.id])
    fragment = picker_fragment(request)
    try:
        context = times_context(request, opened.service, choose_url=here, moving=opened.booking,
                                day_only=fragment == "times")
    except BookingsError as error:  # a month, day, zone or staff member in the address that cannot be right
        return _problem(request, opened, error.message, error.http_status)
    template = "booking/manage_reschedule.html"
    return render(request, f"{template}#{fragment}" if fragment else template, {**opened.context(), **context},
                  status=status)


def _reschedule_url(opened: Opened) -> str:
    """The times page, showing the booking's own staff member's times first (the customer may choose any)."""
    url = reverse("booking:manage_reschedule", args=[opened.booking.id])
    staff, service = opened.booking.slot.resource, opened.service
    offers = service is not None and staff is not None and staff.id in {m.id for m in service.staff_members}
    if offers and service.type == ServiceType.APPOINTMENT:
        url += f"?staff={staff.id}"
    return url


def _revision(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("revision", ""))
    except ValueError as exc:
        raise InvalidArgument("This form is incomplete. Please reload the page and try again.") from exc


def _problem(request: HttpRequest, opened: Opened, message: str, status: int) -> HttpResponse:
    """Why something could not be done, with the way back to the booking. A 428 (a business rule says no) is a
    conflict to a browser, as on the booking pages."""
    return render(request, "booking/manage_error.html", {**opened.context(), "message": message},
                  status=409 if status == 428 else status)


def _refusal(opened: Opened, action: str, tz: ZoneInfo) -> tuple[str, int] | None:
    """Why the customer cannot cancel or reschedule ("cancel", "reschedule") online now, in plain words, with the
    HTTP status for refusing it; None when they can."""
    booking, service = opened.booking, opened.service
    if getattr(opened.allowed, action) and (service is not None or action == "cancel"):
        return None
    verb = "canceled" if action == "cancel" else "moved"
    if booking.start_date <= timezone.now():  # a canceled, declined or past booking does not open at all
        return "This booking has started, so it can no longer be changed online.", 409
    if service is None:
        return "This service is no longer booked online.", 403
    if action == "reschedule" and service.type == ServiceType.COURSE:
        return "A course cannot be moved to other dates.", 403
    policy = service.booking_policy
    enabled, limited, minutes = (
        (policy.cancellation_enabled, policy.limit_latest_cancellation, policy.latest_cancellation_in_minutes)
        if action == "cancel" else
        (policy.reschedule_enabled, policy.limit_latest_reschedule, policy.latest_reschedule_in_minutes)
    )
    deadline = booking.start_date - timedelta(minutes=minutes)
    if enabled and limited and deadline <= timezone.now():
        return (f"Bookings can be {verb} online until {duration(minutes)} before they start; for this one that "
                f"was {_when(deadline, tz)} ({tz.key}).", 403)
    return f"This booking cannot be {verb} online.", 403


def _when(instant, tz: ZoneInfo) -> str:
    return dateformat.format(instant.astimezone(tz), "l j F Y, g:i A")
