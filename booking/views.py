"""Customer pages: services → time slots → booking form → review → confirmation.

Views talk to the bookings port only. Every step works as a plain page; with htmx the slot picker swaps just its
own fragment.
"""

from datetime import date, timedelta
from itertools import groupby
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from payments.providers import PROVIDERS, CheckoutRedirect, offered_providers

from . import draft as drafts
from .backends import get_backend
from .context_processors import business_info
from .dates import format_instant, parse_local_date
from .errors import BookingsError, InvalidArgument, NotFound
from .forms import BookingDetailsForm, answer_text
from .port import ContactDetails, CreateBookingRequest, Resource, Service, Slot

JUST_TAKEN = "Sorry, this time was just taken. Please choose another time; your answers are kept."
MAX_WEEKS_AHEAD = 52


def error_page(request: HttpRequest, error: BookingsError | str, status: int | None = None) -> HttpResponse:
    message = error if isinstance(error, str) else error.message
    status = status or (400 if isinstance(error, str) else error.http_status)
    # A 428 is Wix's word for "a business rule says no"; to a browser that is a conflict.
    return render(request, "booking/error.html", {"message": message}, status=409 if status == 428 else status)


def leave_for(request: HttpRequest, url: str) -> HttpResponse:
    """Send the browser to another site: a plain redirect, or HX-Redirect when htmx made the request."""
    return HttpResponseClientRedirect(url) if request.htmx else HttpResponseRedirect(url)


def _service(slug: str) -> Service:
    services = get_backend().query_services(filter={"mainSlug.name": slug})
    if not services:
        raise Http404("No such service.")
    return services[0]


@require_GET
def service_list(request: HttpRequest) -> HttpResponse:
    services = get_backend().query_services()
    categories = [
        (category, list(items))
        for category, items in groupby(services, key=lambda s: s.category)
    ]
    return render(request, "booking/service_list.html", {"categories": categories})


# ---- slot picker -------------------------------------------------------------------------------------------


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


def _picker_context(request: HttpRequest, service: Service, staff: str, *, from_today: bool = False) -> dict:
    tz = ZoneInfo(business_info(request).time_zone)
    today = timezone.now().astimezone(tz).date()
    first = today if from_today else _first_day(request, today)
    after = first + timedelta(days=7)
    response = get_backend().list_availability_time_slots(
        service_id=service.id,
        from_local_date=f"{first.isoformat()}T00:00:00",
        to_local_date=f"{after.isoformat()}T00:00:00",
        time_zone=tz.key,
        resource_ids=None if staff == "any" else [staff],
    )
    by_day = {
        day: list(slots)
        for day, slots in groupby(
            (s for s in response.time_slots if s.bookable), key=lambda s: s.local_start_date[:10]
        )
    }
    days = []
    for n in range(7):
        day = first + timedelta(days=n)
        slots = [(slot, _slot_query(slot, staff, tz)) for slot in by_day.get(day.isoformat(), [])]
        days.append((day, slots))
    return {
        "service": service,
        "staff": staff,
        "days": days,
        "week": first,
        "previous_week": max(first - timedelta(days=7), today) if first > today else None,
        "next_week": after if after <= today + timedelta(weeks=MAX_WEEKS_AHEAD) else None,
        "has_slots": any(slots for _, slots in days),
    }


def _slot_query(slot, staff: str, tz: ZoneInfo) -> str:
    return urlencode({"start": format_instant(slot.start_date, tz), "end": format_instant(slot.end_date, tz),
                      "staff": staff})


@require_GET
def slot_picker(request: HttpRequest, slug: str) -> HttpResponse:
    service = _service(slug)
    if service.type != "APPOINTMENT":
        return render(request, "booking/service_info.html", {"service": service})
    try:
        staff = _chosen_staff(request, service)
        context = _picker_context(request, service, staff)
    except BookingsError as error:
        return error_page(request, error)
    template = "booking/slot_picker.html#picker" if request.htmx else "booking/slot_picker.html"
    return render(request, template, context)


def _just_taken(request: HttpRequest, service: Service, staff: str) -> HttpResponse:
    """Back on the slot picker, with the reason, as a 409: the request could not be carried out."""
    messages.error(request, JUST_TAKEN)
    context = _picker_context(request, service, staff, from_today=True)
    return render(request, "booking/slot_picker.html", context, status=409)


# ---- booking form and review -------------------------------------------------------------------------------


def _revalidate(service: Service, start: str, end: str, staff: str):
    """Get Availability Time Slot for the chosen time; NotFound when it is gone."""
    return get_backend().get_availability_time_slot(
        service_id=service.id,
        local_start_date=start,
        local_end_date=end,
        resource_ids=None if staff == "any" else [staff],
    )


@require_http_methods(["GET", "POST"])
def booking_details(request: HttpRequest, slug: str) -> HttpResponse:
    service = _service(slug)
    params = request.POST if request.method == "POST" else request.GET
    start, end = params.get("start", ""), params.get("end", "")
    try:
        staff = _chosen_staff(request, service)
        slot = _revalidate(service, start, end, staff)
    except NotFound:
        return _just_taken(request, service, staff)
    except BookingsError as error:
        return error_page(request, error)
    if not slot.bookable:
        return error_page(request, "This time cannot be booked online.", 409)

    summary = get_backend().get_form_summary(service.form_id)
    if request.method == "POST":
        form = BookingDetailsForm(summary, data=request.POST)
        if form.is_valid():
            drafts.save_answers(request.session, form.submission())
            previous = drafts.current_draft(request.session)
            if previous is not None and previous.booking_id:
                # Choosing another time gives up the time held while paying for the first one.
                get_backend().release_hold(previous.booking_id)
            drafts.start_draft(request.session, service_id=service.id, start=start, end=end, staff=staff)
            return redirect("booking:review", slug=service.slug)
        status = 400
    else:
        form = BookingDetailsForm(summary, initial=drafts.saved_answers(request.session))
        status = 200
    context = {"service": service, "slot": slot, "form": form, "start": start, "end": end, "staff": staff}
    return render(request, "booking/details.html", context, status=status)


def _review_context(request, service, slot, draft, providers) -> dict:
    staff_name = next((r.name for r in slot.staff if r.id == draft.staff), None)
    return {
        "service": service,
        "slot": slot,
        "draft": draft,
        "staff_name": staff_name,
        "answers": _answer_rows(request, service),
        "providers": providers,
    }


def _answer_rows(request, service) -> list[tuple[str, str]]:
    answers = drafts.saved_answers(request.session)
    summary = get_backend().get_form_summary(service.form_id)
    return [(f.label, answer_text(answers[f.target])) for f in summary.fields if f.target in answers]


@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, slug: str) -> HttpResponse:
    service = _service(slug)
    draft = drafts.get_draft(request.session, service.id)
    if draft is None:
        messages.info(request, "Choose a time to start your booking.")
        return redirect("booking:slots", slug=service.slug)
    providers = offered_providers(service)

    if request.method == "POST":
        if request.POST.get("submission_key") != draft.submission_key:
            return error_page(request, "This form is out of date. Please review your booking again.", 409)
        provider = PROVIDERS.get(request.POST.get("payment", ""))
        if provider in providers:
            # Create Booking checks availability itself, under its lock; a second submit of this page gets
            # the booking the first one made.
            return _book(request, service, draft, provider)

    try:
        slot = _revalidate(service, draft.start, draft.end, draft.staff)
    except NotFound:
        return _just_taken(request, service, draft.staff)
    except BookingsError as error:
        return error_page(request, error)
    context = _review_context(request, service, slot, draft, providers)
    if request.method == "POST":
        context["payment_error"] = "Choose how you would like to pay."
        return render(request, "booking/review.html", context, status=400)
    return render(request, "booking/review.html", context)


def _book(request, service, draft, provider) -> HttpResponse:
    backend = get_backend()
    tz = ZoneInfo(business_info(request).time_zone)
    answers = drafts.saved_answers(request.session)
    try:
        start = parse_local_date(draft.start, tz)
        end = parse_local_date(draft.end, tz)
        create = CreateBookingRequest(
            slot=Slot(
                service_id=service.id,
                start_date=start,
                end_date=end,
                timezone=tz.key,
                schedule_id=service.schedule_id,
                resource=None if draft.staff == "any" else Resource(id=draft.staff, name=""),
            ),
            contact_details=ContactDetails(
                first_name=answers.get("first_name", ""),
                last_name=answers.get("last_name", ""),
                email=answers.get("email", ""),
                phone=answers.get("phone", ""),
            ),
            form_submission=answers,
            selected_payment_option=provider.selected_payment_option,
        )
        booking = backend.create_booking(create, submission_key=draft.submission_key)
        drafts.remember_booking(request.session, booking.id)
        drafts.attach_booking(request.session, draft, booking.id)
        if booking.status == "CREATED":
            result = provider.complete(booking, request)
            if isinstance(result, CheckoutRedirect):
                return leave_for(request, result.url)
            booking = result
    except BookingsError as error:
        if error.code in {"SLOT_NOT_AVAILABLE", "SLOT_NOT_FOUND"}:
            return _just_taken(request, service, draft.staff)
        if error.code == "INVALID_BOOKING_STATUS":
            # A second submit of the same page settled the booking first; show it.
            return redirect("booking:confirmation", booking_id=booking.id)
        return error_page(request, error)
    if booking.status == "DECLINED":
        return _just_taken(request, service, draft.staff)
    return redirect("booking:confirmation", booking_id=booking.id)


@require_GET
def confirmation(request: HttpRequest, booking_id: str) -> HttpResponse:
    booking_id = str(booking_id)
    if not drafts.owns_booking(request.session, booking_id):
        raise Http404("No such booking.")
    bookings = get_backend().query_extended_bookings(booking_ids=[booking_id])
    if not bookings:
        raise Http404("No such booking.")
    booking = bookings[0]
    services = get_backend().query_services(filter={"id": booking.service_id})
    return render(
        request,
        "booking/confirmation.html",
        {"booking": booking, "service": services[0] if services else None},
    )
