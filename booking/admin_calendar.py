"""The staff's calendar in the admin: a day or a week, for one staff member or everyone, showing each one's working
hours and time off, their appointments (coloured by status) and their class sessions with the places taken; every
entry links to its admin page. The days are the business's local days. A fixed number of queries whatever the
range holds (tests/test_admin_calendar.py counts them)."""

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied
from django.db.models import Q, Sum
from django.http import HttpResponseBadRequest
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from . import models
from .occupancy import occupying

VIEWS = {"day": 1, "week": 7}


class Entry:
    """One line of a calendar cell."""

    def __init__(self, kind, start, end, label, url, css):
        self.kind, self.start, self.end, self.label, self.url, self.css = kind, start, end, label, url, css


def calendar_rows(first: date, days: int, tz: ZoneInfo, staff_id: int | None):
    """[(staff member, [(day, working hours, entries)])] for the days from `first`, in local time."""
    start = datetime.combine(first, time(), tz)
    end = datetime.combine(first + timedelta(days=days), time(), tz)
    staff = models.StaffMember.objects.filter(is_active=True).prefetch_related("working_hours").order_by("name")
    if staff_id is not None:
        staff = staff.filter(pk=staff_id)
    staff = list(staff)
    ids = [member.pk for member in staff]
    cells = defaultdict(list)  # (staff id, local day) -> entries

    def add(staff_id, entry):
        cells[(staff_id, entry.start.astimezone(tz).date())].append(entry)

    for off in models.TimeOff.objects.filter(staff_id__in=ids, start__lt=end, end__gt=start):
        # Time off may span days: it is shown on each day it covers.
        day = max(off.start.astimezone(tz).date(), first)
        while datetime.combine(day, time(), tz) < min(off.end, end):
            cells[(off.staff_id, day)].append(Entry(
                "time-off", off.start, off.end, f"Time off{': ' + off.reason if off.reason else ''}",
                reverse("admin:booking_staffmember_change", args=[off.staff_id]), "time-off"))
            day += timedelta(days=1)
    sessions = (models.ClassSession.objects.filter(staff_id__in=ids, start__gte=start, start__lt=end)
                .select_related("service")
                .annotate(taken=Sum("bookings__total_participants", filter=occupying(timezone.now(), "bookings__"))))
    for session in sessions:
        state = "cancelled" if session.cancelled else f"{session.taken or 0}/{session.capacity} places taken"
        add(session.staff_id, Entry("session", session.start, session.end, f"{session.service.name} ({state})",
                                    reverse("admin:booking_classsession_change", args=[session.pk]),
                                    "session-cancelled" if session.cancelled else "session"))
    bookings = (models.Booking.objects.filter(Q(session__isnull=True), staff_id__in=ids, start__gte=start,
                                              start__lt=end)
                .select_related("service"))
    for booking in bookings:
        flag = " · double-booked" if booking.double_booked else ""
        add(booking.staff_id, Entry(
            "booking", booking.start, booking.end,
            f"{booking.service.name}: {booking.customer_name} ({booking.get_status_display()}{flag})",
            reverse("admin:booking_booking_change", args=[booking.pk]), "status-" + booking.status.lower()))
    rows = []
    for member in staff:
        week = []
        for offset in range(days):
            day = first + timedelta(days=offset)
            hours = [h for h in member.working_hours.all() if h.weekday == day.weekday()]
            week.append((day, hours, sorted(cells[(member.pk, day)], key=lambda e: e.start)))
        rows.append((member, week))
    return rows


class BookingCalendar:
    """Mixed into BookingAdmin: the calendar view."""

    def get_urls(self):
        return [path("calendar/", self.admin_site.admin_view(self.calendar_view), name="booking_booking_calendar"),
                *super().get_urls()]

    def calendar_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        business = models.Business.objects.first()
        tz = ZoneInfo(business.time_zone if business else "UTC")
        view = request.GET.get("view", "day")
        try:
            first = date.fromisoformat(request.GET["date"]) if request.GET.get("date") else timezone.localdate(
                timezone=tz)
            staff_id = int(request.GET["staff"]) if request.GET.get("staff") else None
        except ValueError:
            return HttpResponseBadRequest("Give the date as YYYY-MM-DD and the staff member by number.")
        if view not in VIEWS:
            return HttpResponseBadRequest("The view is day or week.")
        if view == "week":
            first -= timedelta(days=first.weekday())  # weeks start on Monday
        step = timedelta(days=VIEWS[view])
        context = {
            **self.admin_site.each_context(request), "title": "Calendar", "opts": self.model._meta,
            "rows": calendar_rows(first, VIEWS[view], tz, staff_id), "view": view, "first": first,
            "previous": first - step, "next": first + step, "staff_id": staff_id, "calendar_zone": tz,
            "all_staff": models.StaffMember.objects.filter(is_active=True).order_by("name").values_list("pk", "name"),
        }
        return TemplateResponse(request, "admin/booking/booking/calendar.html", context)
