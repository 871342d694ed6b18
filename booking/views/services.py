"""The service list and each service's page: the appointment slot picker, a class's sessions by week, a course
with its sessions. Every page works as a plain page; with htmx the week and zone controls swap one fragment."""

from datetime import date, timedelta
from itertools import groupby
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from booking.backends import get_backend
from booking.dates import format_instant
from booking.errors import BookingsError, InvalidArgument, NotFound
from booking.port import Service, ServiceType
from booking.web import JUST_TAKEN, error_page

from .common import display_zone, service_or_404, zone_context

MAX_WEEKS_AHEAD = 52
TEMPLATES = {ServiceType.APPOINTMENT: "booking/slot_picker.html", ServiceType.CLASS: "booking/class_sessions.html",
             ServiceType.COURSE: "booking/course.html"}


@require_GET
def service_list(request: HttpRequest) -> HttpResponse:
    services = get_backend().query_services()
    categories = [(category, list(items)) for category, items in groupby(services, key=lambda s: s.category)]
    return render(request, "booking/service_list.html", {"categories": categories})


@require_GET
def slot_picker(request: HttpRequest, slug: str) -> HttpResponse:
    """A service's page: times to choose from, whatever its type."""
    service = service_or_404(slug)
    try:
        context = times_context(request, service)
    except BookingsError as error:
        return error_page(request, error)
    template = TEMPLATES[service.type]
    swap = request.htmx and service.type != ServiceType.COURSE  # the course page has no fragment to swap
    return render(request, f"{template}#picker" if swap else template, context)


def just_taken(request: HttpRequest, service: Service, message: str | None = None) -> HttpResponse:
    """Back on the service's page, with the reason, as a 409: the request could not be carried out. When the
    request's own zone or staff member cannot be right either, the times cannot be listed: the reason alone."""
    try:
        context = times_context(request, service, from_today=True)
    except BookingsError:
        return error_page(request, message or JUST_TAKEN, 409)
    messages.error(request, message or JUST_TAKEN)
    return render(request, TEMPLATES[service.type], context, status=409)


def times_context(request, service, *, from_today=False, choose_url=None) -> dict:
    """The context of a service's times page. An appointment's times link to `choose_url` (the booking form unless
    told otherwise) with the time and staff in the query string."""
    tz = display_zone(request)
    context = {"service": service, **zone_context(request, tz)}
    if service.type == ServiceType.COURSE:
        return {**context, **_course_context(service)}
    today = timezone.now().astimezone(tz).date()
    first = today if from_today else _first_day(request, today)
    after = first + timedelta(days=7)
    context |= {
        "week": first,
        "previous_week": max(first - timedelta(days=7), today) if first > today else None,
        "next_week": after if after <= today + timedelta(weeks=MAX_WEEKS_AHEAD) else None,
    }
    if service.type == ServiceType.CLASS:
        response = get_backend().list_event_time_slots(
            service_ids=[service.id], from_local_date=f"{first.isoformat()}T00:00:00",
            to_local_date=f"{after.isoformat()}T00:00:00", time_zone=tz.key, limit=1000,
        )
        slots = response.time_slots
        return context | {"days": _by_day(first, slots, lambda s: s), "has_slots": bool(slots)}
    staff = _chosen_staff(request, service)
    response = get_backend().list_availability_time_slots(
        service_id=service.id,
        from_local_date=f"{first.isoformat()}T00:00:00",
        to_local_date=f"{after.isoformat()}T00:00:00",
        time_zone=tz.key,
        resource_ids=None if staff == "any" else [staff],
    )
    bookable = [s for s in response.time_slots if s.bookable]
    choose_url = choose_url or reverse("booking:details", args=[service.slug])
    days = _by_day(first, bookable, lambda slot: (slot, f"{choose_url}?{_slot_query(slot, staff, tz)}"))
    return context | {"staff": staff, "days": days, "has_slots": bool(bookable)}


def _by_day(first: date, slots, entry) -> list[tuple[date, list]]:
    """Seven days from `first`, each with its slots (local dates in the listing's zone)."""
    by_day = {day: list(items) for day, items in groupby(slots, key=lambda s: s.local_start_date[:10])}
    days = [first + timedelta(days=n) for n in range(7)]
    return [(day, [entry(slot) for slot in by_day.get(day.isoformat(), [])]) for day in days]


def _course_context(service) -> dict:
    try:
        course = get_backend().get_course_availability(service_id=service.id)
    except NotFound:
        return {"course": None}
    return {"course": course, "participant_choices": range(
        1, max(min(service.booking_policy.max_participants_per_booking, course.remaining_capacity), 1) + 1)}


def _first_day(request: HttpRequest, today: date) -> date:
    """The first of the seven days shown: ?week=YYYY-MM-DD, never before today nor more than a year ahead."""
    raw = request.GET.get("week")
    if not raw:
        return today
    try:
        chosen = date.fromisoformat(raw)
    except ValueError as exc:
        raise InvalidArgument("That week is not a date like 2026-05-04.") from exc
    if chosen > today + timedelta(weeks=MAX_WEEKS_AHEAD):
        raise InvalidArgument("Bookings open at most a year ahead.")
    return max(chosen, today)


def _chosen_staff(request: HttpRequest, service: Service) -> str:
    staff = request.GET.get("staff") or request.POST.get("staff") or "any"
    if staff != "any" and staff not in {member.id for member in service.staff_members}:
        raise InvalidArgument("That staff member does not offer this service.")
    return staff


def _slot_query(slot, staff: str, tz) -> str:
    return urlencode({"start": format_instant(slot.start_date, tz), "end": format_instant(slot.end_date, tz),
                      "staff": staff})
