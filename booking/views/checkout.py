"""The steps every kind of booking shares: the booking form, the review with its re-check, booking, and the
confirmation page."""

from dataclasses import asdict

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from booking import draft as drafts
from booking import limits
from booking.backends import get_backend
from booking.errors import BookingsError, NotFound
from booking.forms import BookingDetailsForm, answer_text
from booking.port import BookingStatus, SelectedPaymentOption
from booking.web import error_page, leave_for
from payments.providers import PROVIDERS, CheckoutRedirect, StripeProvider, abandon_checkout, offered_providers
from payments.stripe_checkout import TooManyHolds, check_live_holds

from .choice import Choice, choice_from, create_request, revalidate
from .common import business_zone, service_or_404
from .services import just_taken

# Errors of Create Booking that mean "someone else got there first".
TAKEN = {"SLOT_NOT_AVAILABLE", "SLOT_NOT_FOUND", "SESSION_CAPACITY_EXCEEDED", "SCHEDULE_CAPACITY_EXCEEDED"}


@require_http_methods(["GET", "POST"])
def booking_details(request: HttpRequest, slug: str) -> HttpResponse:
    service = service_or_404(slug)
    params = request.POST if request.method == "POST" else request.GET
    try:
        choice = choice_from(params, service)
        offer = revalidate(service, choice)
    except NotFound:
        return just_taken(request, service)
    except BookingsError as error:
        return error_page(request, error)

    summary = get_backend().get_form_summary(service.form_id)
    if request.method == "POST":
        form = BookingDetailsForm(summary, data=request.POST)
        if form.is_valid():
            drafts.save_answers(request.session, form.submission())
            previous = drafts.current_draft(request.session)
            if previous is not None and previous.booking_id and not previous.settled:
                # Choosing another time gives up the first one's checkout: its session ends, its hold is released.
                # A booking made settled (in person, free) has neither, and can never get them.
                abandon_checkout(previous.booking_id)
            drafts.start_draft(request.session, service_id=service.id, **asdict(choice))
            return redirect("booking:review", slug=service.slug)
        status = 400
    else:
        form = BookingDetailsForm(summary, initial=drafts.saved_answers(request.session))
        status = 200
    context = {"service": service, "offer": offer, "form": form, "choice": choice,
               "participant_choices": _participant_choices(service, offer)}
    return render(request, "booking/details.html", context, status=status)


def _participant_choices(service, offer) -> range:
    if offer.places_left is None:
        return range(1, 2)
    return range(1, min(service.booking_policy.max_participants_per_booking, offer.places_left) + 1)


def _draft_choice(draft) -> Choice:
    return Choice(start=draft.start, end=draft.end, staff=draft.staff, event_id=draft.event_id,
                  participants=draft.participants)


@limits.booking_posts()
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, slug: str) -> HttpResponse:
    service = service_or_404(slug)
    draft = drafts.get_draft(request.session, service.id)
    if draft is None:
        messages.info(request, "Choose a time to start your booking.")
        return redirect("booking:slots", slug=service.slug)
    providers = offered_providers(service)
    if request.method == "GET" and draft.booking_id and (made := _made_booking(draft)) is not None:
        return made

    if request.method == "POST":
        if request.POST.get("submission_key") != draft.submission_key:
            return error_page(request, "This form is out of date. Please review your booking again.", 409)
        provider = PROVIDERS.get(request.POST.get("payment", ""))
        if provider in providers:
            if refused := _over_limits(request, draft, provider):
                return refused
            # Create Booking checks availability itself, under its lock; a second submit of this page gets
            # the booking the first one made.
            return _book(request, service, draft, provider)

    choice = _draft_choice(draft)
    try:
        offer = revalidate(service, choice)
    except NotFound:
        return just_taken(request, service)
    except BookingsError as error:
        return error_page(request, error)
    context = {
        "service": service, "offer": offer, "draft": draft, "choice": choice, "providers": providers,
        "answers": _answer_rows(request, service),
    }
    if request.method == "POST":
        context["payment_error"] = "Choose how you would like to pay."
        return render(request, "booking/review.html", context, status=400)
    return render(request, "booking/review.html", context)


def _over_limits(request, draft, provider) -> HttpResponse | None:
    """The 429 page when this new booking would go over a limit: the times one client holds while paying, or the
    free and pay-in-person bookings one email address makes in a day. A second submit of the same draft (its
    booking already made) is not counted again."""
    if draft.booking_id:
        return None
    if isinstance(provider, StripeProvider):
        try:
            check_live_holds(request)
        except TooManyHolds as error:
            return limits.too_many(request, error.message, request.get_full_path())
        return None
    if usage := limits.over_email_limit(request, drafts.saved_answers(request.session).get("email", "")):
        return limits.too_many(request, limits.EMAIL_LIMITED, request.get_full_path(), usage)
    return None


def _made_booking(draft) -> HttpResponse | None:
    """Back on the review page after this draft's booking was made (say, with the browser's Back button from the
    payment page): go on where that booking stands instead of re-checking a time it now holds itself."""
    found = get_backend().query_extended_bookings(booking_ids=[draft.booking_id])
    if not found:
        return None
    booking = found[0]
    if booking.status == BookingStatus.CREATED and booking.selected_payment_option == SelectedPaymentOption.ONLINE:
        return redirect("payments:booking_payment", booking_id=booking.id)
    if booking.status != BookingStatus.CREATED:
        return redirect("booking:confirmation", booking_id=booking.id)
    return None


def _answer_rows(request, service) -> list[tuple[str, str]]:
    answers = drafts.saved_answers(request.session)
    summary = get_backend().get_form_summary(service.form_id)
    return [(f.label, answer_text(answers[f.target])) for f in summary.fields if f.target in answers]


def _book(request, service, draft, provider) -> HttpResponse:
    backend = get_backend()
    answers = drafts.saved_answers(request.session)
    booking = None
    try:
        create = create_request(service, draft, answers, provider.selected_payment_option, business_zone(request))
        if (settle := provider.settles_with()) is not None:
            booking = backend.create_and_settle_booking(create, payment_status=settle,
                                                        submission_key=draft.submission_key)
        else:
            booking = backend.create_booking(create, submission_key=draft.submission_key)
        drafts.remember_booking(request.session, booking.id)
        drafts.attach_booking(request.session, draft, booking.id, settled=booking.status != BookingStatus.CREATED)
        if booking.status == BookingStatus.CREATED:
            result = provider.complete(booking, request)
            if isinstance(result, CheckoutRedirect):
                return leave_for(request, result.url)
            booking = result
    except BookingsError as error:
        if error.code in TAKEN:
            return just_taken(request, service, error.message if error.code != "SLOT_NOT_AVAILABLE" else None)
        if error.code == "INVALID_BOOKING_STATUS" and booking is not None:
            # A second submit of the same page settled the booking first; show it.
            return redirect("booking:confirmation", booking_id=booking.id)
        return error_page(request, error)
    if booking.status == BookingStatus.DECLINED:
        return just_taken(request, service)
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
