"""Packages: 2 to 8 appointment services back to back (Wix's multi-service bookings, SEQUENTIAL_BOOKINGS).

The customer ticks the services, picks a start from the times at which they all follow each other, fills in the
form of the first service once, reviews, and books them together; each part is then settled like a single
booking. Packages are paid in person (or are free): an online checkout takes one booking at a time.
"""

import uuid
from datetime import date, timedelta
from itertools import groupby
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from booking import draft as drafts
from booking import limits
from booking.backends import get_backend
from booking.dates import format_instant
from booking.errors import BookingsError, InvalidArgument, NotFound
from booking.forms import BookingDetailsForm, answer_text
from booking.port import (
    BookingStatus,
    Caller,
    CancelFlowControlSettings,
    ContactDetails,
    CreateBookingRequest,
    RateType,
    Resource,
    ServiceSelection,
    ServiceType,
    Slot,
)
from booking.web import error_page
from payments.providers import PROVIDERS

from .calendar import MAX_WEEKS_AHEAD
from .common import business_zone, display_zone, zone_context

PACKAGE_KEY = "package_draft"
JUST_TAKEN = "Sorry, that time was just taken for one of the services. Please choose another time."


def _chosen_services(params) -> list:
    """The ticked services, in the order of the catalog; raises InvalidArgument."""
    ids = params.getlist("services")
    catalog = get_backend().query_services(filter={"type": ServiceType.APPOINTMENT})
    chosen = [s for s in catalog if s.id in ids]
    if len(chosen) != len(set(ids)):
        raise InvalidArgument("One of those services cannot be part of a package.")
    if not 2 <= len(chosen) <= 8:
        raise InvalidArgument("Choose between 2 and 8 services for a package.")
    return chosen


def _services_query(services) -> str:
    return "&".join(f"services={s.id}" for s in services)


def _selections(services) -> list[ServiceSelection]:
    return [ServiceSelection(s.id) for s in services]


@require_GET
def packages(request: HttpRequest) -> HttpResponse:
    services = get_backend().query_services(filter={"type": ServiceType.APPOINTMENT})
    ticked = request.GET.getlist("services")
    return render(request, "booking/packages.html", {"services": services, "ticked": ticked})


@require_GET
def package_times(request: HttpRequest) -> HttpResponse:
    try:
        services = _chosen_services(request.GET)
    except InvalidArgument as error:
        # Back on the list, ticks kept, with the reason.
        context = {"services": get_backend().query_services(filter={"type": ServiceType.APPOINTMENT}),
                   "ticked": request.GET.getlist("services"), "error": error.message}
        return render(request, "booking/packages.html", context, status=400)
    if _payment(services) is None:
        online_only = [s.name for s in services if not PROVIDERS["in_person"].is_offered(s)
                       and s.payment.rate_type != RateType.NO_FEE]
        context = {"services": get_backend().query_services(filter={"type": ServiceType.APPOINTMENT}),
                   "ticked": request.GET.getlist("services"),
                   "error": f"{', '.join(online_only)} can only be paid online, one booking at a time, so it "
                            "cannot be part of a package. Book it on its own, or choose other treatments."}
        return render(request, "booking/packages.html", context, status=409)
    try:
        tz = display_zone(request)
        context = _times_context(request, services, tz)
    except BookingsError as error:
        return error_page(request, error)
    template = "booking/package_times.html"
    return render(request, f"{template}#picker" if request.htmx else template, context)


def _times_context(request, services, tz, *, from_today=False) -> dict:
    today = timezone.now().astimezone(tz).date()
    first = today if from_today else _first_day(request, today)
    after = first + timedelta(days=7)
    response = get_backend().list_multi_service_availability_time_slots(
        services=_selections(services), from_local_date=f"{first.isoformat()}T00:00:00",
        to_local_date=f"{after.isoformat()}T00:00:00", time_zone=tz.key,
    )
    bookable = [s for s in response.time_slots if s.bookable]
    details = reverse("booking:package_details")
    return {
        "services": services, "services_query": _services_query(services), **zone_context(request, tz),
        "days": _by_day(first, bookable, lambda slot: (slot, f"{details}?{_services_query(services)}&" + urlencode(
            {"start": format_instant(slot.start_date, tz)}))),
        "has_slots": bool(bookable), "week": first,
        "previous_week": max(first - timedelta(days=7), today) if first > today else None,
        "next_week": after if after <= today + timedelta(weeks=MAX_WEEKS_AHEAD) else None,
        "total_minutes": sum(s.session_duration_minutes for s in services),
    }


# A package lists its times a week at a time (?week=YYYY-MM-DD).
def _by_day(first: date, slots, entry) -> list[tuple[date, list]]:
    """Seven days from `first`, each with its slots (local dates in the listing's zone)."""
    by_day = {day: list(items) for day, items in groupby(slots, key=lambda s: s.local_start_date[:10])}
    days = [first + timedelta(days=n) for n in range(7)]
    return [(day, [entry(slot) for slot in by_day.get(day.isoformat(), [])]) for day in days]


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


def _package_slot(services, start: str):
    return get_backend().get_multi_service_availability_time_slot(services=_selections(services),
                                                                   local_start_date=start)


def _taken(request, services) -> HttpResponse:
    """The package's times again, as a 409; the reason alone when the request's zone cannot be right either."""
    try:
        context = _times_context(request, services, display_zone(request), from_today=True)
    except BookingsError:
        return error_page(request, JUST_TAKEN, 409)
    messages.error(request, JUST_TAKEN)
    return render(request, "booking/package_times.html", context, status=409)


@require_http_methods(["GET", "POST"])
def package_details(request: HttpRequest) -> HttpResponse:
    params = request.POST if request.method == "POST" else request.GET
    try:
        services = _chosen_services(params)
        slot = _package_slot(services, params.get("start", ""))
    except NotFound:
        return _taken(request, services)
    except BookingsError as error:
        return error_page(request, error)
    if not slot.bookable:
        return error_page(request, "This time cannot be booked online.", 409)
    summary = get_backend().get_form_summary(services[0].form_id)
    if request.method == "POST":
        form = BookingDetailsForm(summary, data=request.POST)
        if form.is_valid():
            drafts.save_answers(request.session, form.submission())
            request.session[PACKAGE_KEY] = {"services": [s.id for s in services], "start": params["start"],
                                            "submission_key": str(uuid.uuid4())}
            return redirect("booking:package_review")
        status = 400
    else:
        form = BookingDetailsForm(summary, initial=drafts.saved_answers(request.session))
        status = 200
    context = {"services": services, "slot": slot, "parts": list(zip(services, slot.nested_time_slots, strict=True)),
               "form": form, "start": params.get("start", ""), "services_query": _services_query(services)}
    return render(request, "booking/package_details.html", context, status=status)


def _payment(services):
    """How a package is settled: each free part is exempt; the others are paid in person, if they all allow it."""
    paid = [s for s in services if s.payment.rate_type != RateType.NO_FEE]
    if not paid:
        return PROVIDERS["free"]
    if all(PROVIDERS["in_person"].is_offered(s) for s in paid):
        return PROVIDERS["in_person"]
    return None


@limits.booking_posts()
@require_http_methods(["GET", "POST"])
def package_review(request: HttpRequest) -> HttpResponse:
    saved = request.session.get(PACKAGE_KEY)
    if not isinstance(saved, dict):
        messages.info(request, "Choose your services to start a package.")
        return redirect("booking:packages")
    catalog = {s.id: s for s in get_backend().query_services(filter={"type": ServiceType.APPOINTMENT})}
    services = [catalog[i] for i in saved["services"] if i in catalog]
    if len(services) != len(saved["services"]):
        return error_page(request, "One of the services of this package is no longer offered.", 409)
    provider = _payment(services)
    try:
        slot = _package_slot(services, saved["start"])
    except NotFound:
        return _taken(request, services)
    except BookingsError as error:
        return error_page(request, error)

    if request.method == "POST":
        if request.POST.get("submission_key") != saved["submission_key"] or provider is None:
            return error_page(request, "This form is out of date. Please review your package again.", 409)
        if usage := limits.over_email_limit(request, drafts.saved_answers(request.session).get("email", "")):
            return limits.too_many(request, limits.EMAIL_LIMITED, request.get_full_path(), usage)
        return _book_package(request, services, slot, saved["submission_key"])
    answers = drafts.saved_answers(request.session)
    summary = get_backend().get_form_summary(services[0].form_id)
    context = {
        "services": services, "slot": slot, "parts": list(zip(services, slot.nested_time_slots, strict=True)),
        "provider": provider, "submission_key": saved["submission_key"],
        "answers": [(f.label, answer_text(answers[f.target])) for f in summary.fields if f.target in answers],
        "details_url": reverse("booking:package_details") + f"?{_services_query(services)}&start={saved['start']}",
        "services_query": _services_query(services),
    }
    return render(request, "booking/package_review.html", context)


def _book_package(request, services, slot, submission_key) -> HttpResponse:
    backend = get_backend()
    tz = business_zone(request)
    answers = drafts.saved_answers(request.session)
    contact = ContactDetails(answers.get("first_name", ""), answers.get("last_name", ""), answers.get("email", ""),
                             answers.get("phone", ""))
    requests = []
    for service, part in zip(services, slot.nested_time_slots, strict=True):
        staff = part.staff[0]  # the engine lists first the staff member who makes the sequence fit
        requests.append(CreateBookingRequest(
            slot=Slot(service.id, part.start_date, part.end_date, tz.key,
                      schedule_id=part.schedule_id, resource=Resource(staff.id, staff.name)),
            contact_details=contact, form_submission=answers,
            selected_payment_option=_payment([service]).selected_payment_option,
        ))
    try:
        package = backend.create_multi_service_booking(requests, submission_key=submission_key)
        for booking in package.bookings:
            drafts.remember_booking(request.session, booking.id)
        settled = [b if b.status != BookingStatus.CREATED else _payment([s]).complete(b, request)
                   for s, b in zip(services, package.bookings, strict=True)]
    except BookingsError as error:
        if error.code in {"SLOT_NOT_AVAILABLE", "SLOT_NOT_FOUND"}:
            return _taken(request, services)
        return error_page(request, error)
    if any(b.status == BookingStatus.DECLINED for b in settled):
        # A part lost its time between booking and confirming: give the whole package back.
        for booking in settled:
            if booking.status in {BookingStatus.CONFIRMED, BookingStatus.PENDING}:
                backend.cancel_booking(booking.id, revision=booking.revision, caller=Caller.SYSTEM,
                                       flow_control_settings=CancelFlowControlSettings(ignore_cancellation_policy=True))
        return _taken(request, services)
    return redirect("booking:package_confirmation", package_id=package.id)


@require_GET
def package_confirmation(request: HttpRequest, package_id) -> HttpResponse:
    try:
        package = get_backend().get_multi_service_booking(str(package_id))
    except NotFound as exc:
        raise Http404("No such package.") from exc
    if not all(drafts.owns_booking(request.session, b.id) for b in package.bookings):
        raise Http404("No such package.")
    pending = any(b.status == BookingStatus.PENDING for b in package.bookings)
    return render(request, "booking/package_confirmation.html", {"package": package, "pending": pending})
