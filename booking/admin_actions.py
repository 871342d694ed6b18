"""Staff's actions on one booking, each a small admin form that acts through the bookings port: reschedule (to a
free time the port lists, or, with the force permission, to any time), change the number of participants of a
class booking, and cancel (with a refund, or waiving the cancellation fee). The port writes the audit trail and
emits the domain event that emails the customer, as it does for every other change."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from . import models
from .backends import get_backend
from .errors import BookingsError
from .models.catalog import ServiceType
from .port import Caller, CancelFlowControlSettings, RescheduleFlowControlSettings, Resource, Slot

FORCE_PERMISSION = "booking.force_booking"
# How far ahead the reschedule form lists free times.
RESCHEDULE_DAYS = 14


def can_force(user) -> bool:
    return user.has_perm("booking.change_booking") and user.has_perm(FORCE_PERMISSION)


class TimeForm(forms.Form):
    """A free time from the port's availability (`choices`), or a forced start, kept even if it collides with other
    bookings; the subclass removes `forced_start` for staff without the force permission."""

    time = forms.ChoiceField(required=False, label="Free time")
    forced_start = forms.DateTimeField(required=False, label="Or this start (business time)",
                                       help_text="Skips the availability check: the time may be taken.")

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time"].choices = [("", "—"), *choices]

    def clean(self):
        data = super().clean()
        if not data.get("time") and not data.get("forced_start"):
            raise forms.ValidationError("Choose a free time" + (" or give a start." if "forced_start" in self.fields
                                                               else "."))
        return data


class RescheduleForm(TimeForm):
    revision = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, force=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not force:
            del self.fields["forced_start"]


def free_times(booking: models.Booking, tz: str) -> list[tuple[str, str]]:
    """The times the port offers to move this booking to, as (value, label) choices (see service_times)."""
    own = str(booking.session.public_id) if booking.session else ""
    return [(value, label) for value, label in service_times(booking.service, tz, booking.total_participants)
            if value != own]


def service_times(service: models.Service, tz: str, participants: int = 1) -> list[tuple[str, str]]:
    """The free times the port lists for a service in the coming days, as (value, label) choices. Appointments:
    "start|end|staff id" per free staff member; classes: the session's event id."""
    port, today = get_backend(), timezone.localdate(timezone=ZoneInfo(tz))
    start, end = today.isoformat() + "T00:00:00", (today + timedelta(days=RESCHEDULE_DAYS)).isoformat() + "T00:00:00"
    if service.type == ServiceType.CLASS:
        slots = port.list_event_time_slots(service_ids=[str(service.pk)], from_local_date=start, to_local_date=end,
                                           time_zone=tz, include_non_bookable=False,
                                           min_bookable_capacity=participants).time_slots
        return [(slot.event_info.event_id, _label(slot)) for slot in slots if slot.event_info]
    slots = port.list_availability_time_slots(service_id=str(service.pk), from_local_date=start,
                                              to_local_date=end, time_zone=tz).time_slots
    return [(f"{slot.start_date.isoformat()}|{slot.end_date.isoformat()}|{staff.id}",
             f"{_label(slot)} with {staff.name}")
            for slot in slots if slot.bookable for staff in slot.staff]


def _label(slot) -> str:
    return slot.local_start_date.replace("T", " ")[:16]


def chosen_slot(service: models.Service, data: dict, tz: str, length: timedelta,
                staff_id: int | None) -> tuple[Slot, bool]:
    """The port's Slot for the form's answer (a listed time, or a forced start with `staff_id` for `length`),
    and whether it is forced."""
    service_id = str(service.pk)
    if data.get("time"):
        if service.type == ServiceType.CLASS:
            now = timezone.now()  # a class session's own time comes from the session
            return Slot(service_id, now, now, tz, event_id=data["time"]), False
        start, end, staff = data["time"].split("|")
        return Slot(service_id, datetime.fromisoformat(start), datetime.fromisoformat(end), tz,
                    resource=Resource(staff, "")), False
    start = data["forced_start"].replace(tzinfo=None).replace(tzinfo=ZoneInfo(tz))
    staff = Resource(str(staff_id), "") if staff_id else None
    return Slot(service_id, start, start + length, tz, resource=staff), True


def allowed_actions(bookings) -> list:
    """The port's Bulk Calculate Allowed Actions for these bookings, in their order (None: unknown to it)."""
    found = dict(get_backend().bulk_calculate_allowed_actions(booking_ids=[str(b.public_id) for b in bookings]))
    return [found.get(str(b.public_id)) for b in bookings]


class ParticipantsForm(forms.Form):
    total_participants = forms.IntegerField(min_value=1, max_value=100)
    revision = forms.IntegerField(widget=forms.HiddenInput)


class CancelForm(forms.Form):
    with_refund = forms.BooleanField(required=False, label="Refund the online payment")
    waive_cancellation_fee = forms.BooleanField(required=False, label="Waive the cancellation fee")
    revision = forms.IntegerField(widget=forms.HiddenInput)


class BookingActions:
    """Mixed into BookingAdmin: the URLs and views of the one-booking actions."""

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/reschedule/", view(self.reschedule_view), name="booking_booking_reschedule"),
            path("<int:pk>/participants/", view(self.participants_view), name="booking_booking_participants"),
            path("<int:pk>/cancel/", view(self.cancel_view), name="booking_booking_cancel"),
            *super().get_urls(),
        ]

    def _booking(self, request, pk, action=""):
        """The booking, if this user may take `action` on it: the change permission, and what the port allows
        now unless they may force."""
        booking = get_object_or_404(models.Booking.objects.select_related("service", "staff", "session"), pk=pk)
        if not self.has_change_permission(request, booking):
            raise PermissionDenied
        if action and not can_force(request.user) and not getattr(allowed_actions([booking])[0], action, False):
            raise PermissionDenied
        return booking

    def _render(self, request, booking, form, title, template="form"):
        context = {**self.admin_site.each_context(request), "title": title, "form": form, "booking": booking,
                   "opts": self.model._meta, "original": booking}
        return TemplateResponse(request, f"admin/booking/booking/action_{template}.html", context)

    def _done(self, request, booking, message):
        self.message_user(request, message, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:booking_booking_change", args=[booking.pk]))

    def reschedule_view(self, request, pk):
        booking = self._booking(request, pk, "reschedule")
        if booking.service.type == ServiceType.COURSE:
            self.message_user(request, "A course cannot be moved to other dates; cancel it instead.", messages.ERROR)
            return HttpResponseRedirect(reverse("admin:booking_booking_change", args=[booking.pk]))
        tz, force = get_backend().get_business_info().time_zone, can_force(request.user)
        form = RescheduleForm(request.POST or None, initial={"revision": booking.revision},
                              choices=free_times(booking, tz), force=force)
        if request.method == "POST" and form.is_valid():
            slot, forced = chosen_slot(booking.service, form.cleaned_data, tz, booking.end - booking.start,
                                        booking.staff_id)
            try:
                get_backend().reschedule_booking(
                    str(booking.public_id), slot=slot, revision=form.cleaned_data["revision"], caller=Caller.STAFF,
                    flow_control_settings=RescheduleFlowControlSettings(
                        ignore_reschedule_policy=True, skip_availability_validation=forced,
                        skip_business_confirmation=True))
            except BookingsError as error:
                form.add_error(None, error.message)
            else:
                return self._done(request, booking, "Rescheduled" + (" past availability" if forced else "")
                                  + "; the customer is emailed.")
        return self._render(request, booking, form, f"Reschedule {booking}")

    def participants_view(self, request, pk):
        booking = self._booking(request, pk)
        form = ParticipantsForm(request.POST or None, initial={"revision": booking.revision,
                                                               "total_participants": booking.total_participants})
        if request.method == "POST" and form.is_valid():
            try:
                get_backend().update_number_of_participants(
                    str(booking.public_id), revision=form.cleaned_data["revision"],
                    total_participants=form.cleaned_data["total_participants"], caller=Caller.STAFF)
            except BookingsError as error:
                form.add_error(None, error.message)
            else:
                return self._done(request, booking, "Participants changed; the customer is emailed.")
        return self._render(request, booking, form, f"Change participants of {booking}")

    def cancel_view(self, request, pk):
        booking = self._booking(request, pk, "cancel")
        form = CancelForm(request.POST or None, initial={"revision": booking.revision})
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                get_backend().cancel_booking(
                    str(booking.public_id), revision=data["revision"], caller=Caller.STAFF,
                    flow_control_settings=CancelFlowControlSettings(
                        ignore_cancellation_policy=True, with_refund=data["with_refund"],
                        waive_cancellation_fee=data["waive_cancellation_fee"]))
            except BookingsError as error:
                form.add_error(None, error.message)
            else:
                return self._done(request, booking, "Canceled; the customer is emailed.")
        return self._render(request, booking, form, f"Cancel {booking}")

    def action_links(self, request, booking) -> list[tuple[str, str]]:
        """The actions offered on a booking's page: what the port allows (Bulk Calculate Allowed Actions), or
        everything to staff who may force."""
        if not self.has_change_permission(request, booking):
            return []
        force, actions = can_force(request.user), allowed_actions([booking])[0]
        links = []
        if booking.service.type != ServiceType.COURSE and (force or (actions and actions.reschedule)):
            links.append(("Reschedule", reverse("admin:booking_booking_reschedule", args=[booking.pk])))
        if booking.session_id and booking.status in ("CONFIRMED", "PENDING", "CREATED"):
            links.append(("Change participants", reverse("admin:booking_booking_participants", args=[booking.pk])))
        if force or (actions and actions.cancel):
            links.append(("Cancel", reverse("admin:booking_booking_cancel", args=[booking.pk])))
        return links
