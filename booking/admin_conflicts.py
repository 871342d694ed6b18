"""Double bookings for staff to settle: each booking Confirm Or Decline let through despite a conflict (Wix's
doubleBooked: paid after its time was taken), beside the bookings it collides with. Staff move or cancel one of them
(booking.admin_actions: the customer is emailed), or keep both, which marks the conflict resolved so it leaves the
list. The business was emailed when the conflict arose (notifications: business_double_booked)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponseBadRequest, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from . import models
from .errors import BookingsError
from .occupancy import occupying
from .states import Actor, transition


def open_conflicts():
    """Active double-booked bookings nobody has resolved yet that still collide with another: the same staff
    member at an overlapping time, or the same class session; each with those it collides with. Two queries,
    however many conflicts."""
    now = timezone.now()
    flagged = list(models.Booking.objects.filter(occupying(now), double_booked=True, conflict_resolved=False)
                   .select_related("service", "staff", "session").order_by("start"))
    if not flagged:
        return []
    near = Q()
    for booking in flagged:
        if booking.session_id:
            near |= Q(session_id=booking.session_id)
        elif booking.staff_id:
            near |= Q(staff_id=booking.staff_id, start__lt=booking.occupied_until, occupied_until__gt=booking.start)
    others = list(models.Booking.objects.filter(occupying(now)).filter(near).exclude(pk__in=[b.pk for b in flagged])
                  .select_related("service", "staff").order_by("start")) if near else []

    def collides(booking, other):
        if booking.session_id:
            return other.session_id == booking.session_id
        return (other.staff_id == booking.staff_id and other.start < booking.occupied_until
                and other.occupied_until > booking.start)

    # A booking whose rivals were moved or canceled has its time to itself again: no longer a conflict.
    pairs = [(booking, [other for other in others if collides(booking, other)]) for booking in flagged]
    return [(booking, rivals) for booking, rivals in pairs if rivals]


class BookingConflicts:
    """Mixed into BookingAdmin: the conflicts list and its "keep both"."""

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("conflicts/", view(self.conflicts_view), name="booking_booking_conflicts"),
            path("<int:pk>/keep-both/", view(self.keep_both_view), name="booking_booking_keep_both"),
            *super().get_urls(),
        ]

    def conflicts_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {**self.admin_site.each_context(request), "title": "Double bookings", "opts": self.model._meta,
                   "conflicts": open_conflicts(), "can_change": self.has_change_permission(request)}
        return TemplateResponse(request, "admin/booking/booking/conflicts.html", context)

    def keep_both_view(self, request, pk):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        booking = get_object_or_404(models.Booking, pk=pk, double_booked=True)
        if not self.has_change_permission(request, booking):
            raise PermissionDenied
        revision = request.POST.get("revision", "")
        if not revision.isdigit():
            return HttpResponseBadRequest("The booking's revision is missing.")
        staff = Actor(models.BookingChange.Actor.STAFF, request.user.pk)
        try:
            transition(str(booking.public_id), "updated", actor=staff, revision=int(revision),
                       reason="double booking kept", conflict_resolved=True)
        except BookingsError as error:
            self.message_user(request, f"{booking}: {error.message}", messages.ERROR)
        else:
            self.message_user(request, f"{booking}: both bookings kept; the conflict is resolved.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:booking_booking_conflicts"))
