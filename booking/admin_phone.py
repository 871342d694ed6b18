"""Phone bookings: staff book for a customer from the admin through Create Booking as staff. They pick the service,
then a free time the port lists (or, with the force permission, any start and staff member, past availability), the
customer's answers to the service's booking form, and how it is paid: in person, or free (EXEMPT). The booking is
then confirmed by staff, so the customer gets the usual confirmation email and the audit trail its two changes."""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from . import models
from .admin_actions import TimeForm, can_force, chosen_slot, service_times
from .backends import get_backend
from .backends.local.convert import DEFAULT_FORM_ID
from .errors import BookingsError
from .forms import BookingDetailsForm
from .models.catalog import ServiceType
from .port import (
    Caller,
    ContactDetails,
    CreateBookingRequest,
    FlowControlSettings,
    PaymentStatus,
    SelectedPaymentOption,
)

PAYMENTS = {"in_person": PaymentStatus.NOT_PAID, "free": PaymentStatus.EXEMPT}


class PhoneBookingForm(TimeForm):
    forced_staff = forms.ModelChoiceField(queryset=models.StaffMember.objects.none(), required=False,
                                          label="With (for a forced start)")
    total_participants = forms.IntegerField(min_value=1, max_value=100, initial=1, label="Participants")
    payment = forms.ChoiceField(choices=[("in_person", "Pays in person"), ("free", "Free")])

    def __init__(self, *args, service, force, **kwargs):
        super().__init__(*args, **kwargs)
        if force and service.type == ServiceType.APPOINTMENT:
            self.fields["forced_staff"].queryset = service.staff.filter(is_active=True)
        else:
            del self.fields["forced_start"], self.fields["forced_staff"]
        if service.type != ServiceType.CLASS:
            del self.fields["total_participants"]

    def clean(self):
        if self.cleaned_data.get("forced_start") and not self.cleaned_data.get("forced_staff"):
            self.add_error("forced_staff", "Choose who the forced booking is with.")
        return super().clean()


class PhoneBookings:
    """Mixed into BookingAdmin: the phone booking view (the change permission; forcing needs the force one too)."""

    def get_urls(self):
        return [path("phone/", self.admin_site.admin_view(self.phone_view), name="booking_booking_phone"),
                *super().get_urls()]

    def phone_view(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied
        context = {**self.admin_site.each_context(request), "title": "Phone booking", "opts": self.model._meta}
        service_id = request.GET.get("service", "")
        bookable = models.Service.objects.exclude(type=ServiceType.COURSE).order_by("name")
        if not service_id:
            context["services"] = bookable
            return TemplateResponse(request, "admin/booking/booking/phone.html", context)
        service = bookable.filter(pk=int(service_id)).first() if service_id.isdigit() else None
        if service is None:
            return HttpResponseBadRequest("Choose an appointment or class service.")
        tz = get_backend().get_business_info().time_zone
        form = PhoneBookingForm(request.POST or None, service=service, choices=service_times(service, tz),
                                force=can_force(request.user))
        summary = get_backend().get_form_summary(str(service.form_id) if service.form_id else DEFAULT_FORM_ID)
        answers = BookingDetailsForm(summary, request.POST or None, prefix="answers")
        # Both forms are checked (no short circuit), so every error shows at once.
        if request.method == "POST" and form.is_valid() & answers.is_valid():
            data = form.cleaned_data
            staff = data.get("forced_staff")
            slot, forced = chosen_slot(service, data, tz, timedelta(minutes=service.duration_minutes),
                                       staff.pk if staff else None)
            try:
                booking = get_backend().create_booking(
                    CreateBookingRequest(slot=slot, contact_details=ContactDetails("", "", ""),
                                         form_submission=answers.submission(),
                                         total_participants=data.get("total_participants") or 1,
                                         selected_payment_option=SelectedPaymentOption.OFFLINE),
                    caller=Caller.STAFF,
                    flow_control_settings=FlowControlSettings(skip_availability_validation=forced,
                                                              skip_selected_payment_option_validation=True))
                booking = get_backend().confirm_booking(booking.id, revision=booking.revision, caller=Caller.STAFF,
                                                        payment_status=PAYMENTS[data["payment"]])
            except BookingsError as error:
                form.add_error(None, error.message)
            else:
                self.message_user(request, "Booked and confirmed; the customer is emailed.", messages.SUCCESS)
                pk = models.Booking.objects.get(public_id=booking.id).pk
                return HttpResponseRedirect(reverse("admin:booking_booking_change", args=[pk]))
        context.update(service=service, form=form, answers=answers)
        return TemplateResponse(request, "admin/booking/booking/phone.html", context)
