"""The customer's own booking, opened from the link in their email (Wix's anonymous booking actions): see it, cancel
it, or move it to another time, without an account.

The link carries a token. As Django's password reset does, its GET puts the token into the session and redirects to
an address without it (the booking's id), so the token does not travel on in Referer headers or appear in the log
lines of later requests, such as a refused cancel. The pages find the token in the session again by the booking's id;
every change goes through the port's anonymous actions with it.
"""

from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.views.decorators.http import require_GET, require_http_methods

from booking.backends import get_backend
from booking.errors import BookingsError, InvalidArgument, NotFound, RevisionMismatch
from booking.port import AllowedActions, Booking, Service
from booking.templatetags.booking_tags import duration

from .checkout import TAKEN
from .choice import Choice, choice_from, revalidate, slot_for
from .common import business_zone, error_page
from .services import JUST_TAKEN, picker_fragment, times_context

LINKS_KEY = "manage_links"  # in the session: booking id → the token of the emailed link that opened it here
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
    """The emailed link: remember its token in this browser's session, then show the booking at its own address."""
    try:
        booking = get_backend().get_booking_anonymously(token).booking
    except BookingsError as error:
        return error_page(request, error)
    links = request.session.get(LINKS_KEY)
    request.session[LINKS_KEY] = {**(links if isinstance(links, dict) else {}), booking.id: token}
    return redirect("booking:manage", booking_id=booking.id)


def _open(request: HttpRequest, booking_id) -> Opened:
    """The booking this browser opened with its emailed link; raises NotFound without one, or once it expired."""
    links = request.session.get(LINKS_KEY)
    token = links.get(str(booking_id)) if isinstance(links, dict) else None
    if not token:
        raise NotFound("To see or change this booking, please open the link in your email again.")
    backend = get_backend()
    found = backend.get_booking_anonymously(token)
    services = backend.query_services(filter={"id": found.booking.service_id})
    return Opened(token, found.booking, found.allowed_anonymous_actions, services[0] if services else None)


@require_GET
def manage(request: HttpRequest, booking_id) -> HttpResponse:
    try:
        opened = _open(request, booking_id)
    except BookingsError as error:
        return error_page(request, error)
    tz = business_zone(request)
    refusals = {action: _refusal(opened, action, tz) for action in ("cancel", "reschedule")}
    return render(request, "booking/manage.html", {**opened.context(), "refusals": refusals,
                                                   "reschedule_url": _reschedule_url(opened)})


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
        get_backend().cancel_booking_anonymously(opened.token, revision=_revision(request))
    except RevisionMismatch:
        return _problem(request, opened, STALE, 409)
    except BookingsError as error:
        return _problem(request, opened, error.message, error.http_status)
    messages.success(request, "Your booking is canceled.")
    return redirect("booking:manage", booking_id=opened.booking.id)


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
    if moved.status == "PENDING":
        done += " The new time waits for our approval; it is held for you meanwhile."
    messages.success(request, done)
    return redirect("booking:manage", booking_id=moved.id)


def _choice(request: HttpRequest, opened: Opened) -> Choice | None:
    """The new time the customer chose (None before they chose one); raises InvalidArgument for bad values."""
    params = request.POST if request.method == "POST" else request.GET
    if opened.service.type == "CLASS":
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
    if service and service.type == "APPOINTMENT" and staff and staff.id in {m.id for m in service.staff_members}:
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
    if booking.status in {"CANCELED", "DECLINED"}:
        done = "is canceled" if booking.status == "CANCELED" else "was declined"
        return f"This booking {done}, so it can no longer be changed online.", 409
    if booking.start_date <= timezone.now():
        return "This booking has started or is over, so it can no longer be changed online.", 409
    if service is None:
        return "This service is no longer booked online.", 403
    if action == "reschedule" and service.type == "COURSE":
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
