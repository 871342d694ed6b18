"""The waitlist of a full class session, for customers: join it from the class's page, and, once a place is
offered by email, take it up or leave from the booking's own page (opened with the emailed link, as in manage.py).

Taking up a place books it through the normal flow's next step: the port turns the waitlist entry into a new
booking holding the place, and the provider the customer picks settles it (free, in person) or sends them to pay.
Only a backend that keeps waitlists offers them (`offers_waitlist`); elsewhere these pages answer 404.
"""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from booking import draft as drafts
from booking import limits
from booking.backends import get_backend
from booking.errors import BookingsError, NotFound
from booking.port import ContactDetails, TimeSlot
from booking.web import error_page, leave_for
from payments.providers import PROVIDERS, CheckoutRedirect, offered_providers

from .common import service_or_404
from .manage import _forget, _gone, _open, _problem


class WaitlistForm(forms.Form):
    first_name = forms.CharField(label="First name", max_length=200)
    last_name = forms.CharField(label="Last name", max_length=200, required=False)
    email = forms.EmailField(label="Email", max_length=254,
                             help_text="We email you here if a place comes free.")


def _open_waitlist(service, event_id) -> TimeSlot:
    """The session, if its waitlist can take someone now; NotFound (a 404) when this site keeps no waitlists or
    the session takes none."""
    backend = get_backend()
    if not backend.offers_waitlist or not isinstance(event_id, str) or not event_id:
        raise NotFound("This session has no waitlist.")
    slot = backend.get_event_time_slot(event_id=event_id)
    if slot.service_id != service.id or slot.event_info.waiting_list is None:
        raise NotFound("This session has no waitlist.")
    return slot


@limits.booking_posts()
@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, slug: str) -> HttpResponse:
    """GET: the form to join the chosen full session's waitlist; POST: join it, then the confirmation page."""
    service = service_or_404(slug)
    event_id = (request.POST if request.method == "POST" else request.GET).get("event", "")
    try:
        slot = _open_waitlist(service, event_id)
    except NotFound as error:
        raise Http404(error.message) from error
    except BookingsError as error:
        return error_page(request, error)
    form = WaitlistForm(request.POST if request.method == "POST" else None)
    context = {"service": service, "session": slot, "form": form}
    if request.method == "GET":
        return render(request, "booking/waitlist_join.html", context)
    if not form.is_valid():
        return render(request, "booking/waitlist_join.html", context, status=400)
    if usage := limits.over_email_limit(request, form.cleaned_data["email"]):
        return limits.too_many(request, limits.EMAIL_LIMITED, request.get_full_path(), usage)
    data = form.cleaned_data
    try:
        entry = get_backend().join_waitlist(
            event_id=event_id, contact_details=ContactDetails(data["first_name"], data["last_name"], data["email"]))
    except BookingsError as error:
        context["error"] = error.message
        return render(request, "booking/waitlist_join.html", context, status=409 if error.http_status == 428
                      else error.http_status)
    drafts.remember_booking(request.session, entry.id)
    return redirect("booking:confirmation", booking_id=entry.id)


@limits.booking_posts()
@require_POST
def accept(request: HttpRequest, booking_id) -> HttpResponse:
    """Take up the offered place, paid the way the customer chose: settled at once, or on to the payment page."""
    try:
        opened = _open(request, booking_id)
    except BookingsError as error:
        return error_page(request, error)
    if opened.service is None:
        return _problem(request, opened, "This class is no longer booked online.", 403)
    provider = PROVIDERS.get(request.POST.get("payment", ""))
    if provider not in offered_providers(opened.service):
        return _problem(request, opened, "Choose how you would like to pay.", 400)
    backend = get_backend()
    try:
        booking = backend.accept_waitlist_offer(opened.token,
                                                selected_payment_option=provider.selected_payment_option)
        drafts.remember_booking(request.session, booking.id)
        result = provider.complete(booking, request)
    except NotFound:
        return _gone(request)
    except BookingsError as error:
        return _problem(request, opened, error.message, error.http_status)
    if isinstance(result, CheckoutRedirect):
        return leave_for(request, result.url)
    return redirect("booking:confirmation", booking_id=result.id)


@limits.booking_posts()
@require_POST
def leave(request: HttpRequest, booking_id) -> HttpResponse:
    """Leave the waitlist (declining the place, if one is offered): it goes to the next person waiting."""
    try:
        opened = _open(request, booking_id)
        left = get_backend().leave_waitlist(opened.token)
    except NotFound:
        return _gone(request)
    except BookingsError as error:
        return error_page(request, error)
    messages.success(request, f"You have left the waitlist for {left.title}.")
    return _forget(request, redirect("booking:services"), left.id)

