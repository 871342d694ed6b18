"""The service list and each service's page: a month calendar with the chosen day's times (appointments) or
sessions (classes), a course with its sessions. Every page works as a plain page; with htmx a day of the calendar
swaps the day's times, and the month, staff and zone controls swap the picker."""

import functools
from dataclasses import dataclass
from datetime import date, timedelta
from datetime import time as dt_time
from html import escape
from itertools import groupby
from urllib.parse import quote_plus

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET

from booking import page_cache
from booking.backends import get_backend
from booking.dates import format_instant
from booking.errors import BookingsError, InvalidArgument, NotFound
from booking.port import Service, ServiceType, TimeSlot
from booking.web import JUST_TAKEN, error_page

from . import calendar
from .common import business_zone, display_zone, service_or_404, zone_context

TEMPLATES = {ServiceType.APPOINTMENT: "booking/slot_picker.html", ServiceType.CLASS: "booking/class_sessions.html",
             ServiceType.COURSE: "booking/course.html"}


@require_GET
def service_list(request: HttpRequest) -> HttpResponse:
    services = get_backend().query_services()
    categories = [(category, list(items)) for category, items in groupby(services, key=lambda s: s.category)]
    return render(request, "booking/service_list.html", {"categories": categories})


@require_GET
def slot_picker(request: HttpRequest, slug: str) -> HttpResponse:
    """A service's page: times to choose from, whatever its type. An appointment's is kept rendered
    (booking/page_cache.py): only appointments are ever kept, so a key made before the service is read is safe."""
    entry = _page_key(request, slug, picker_fragment(request))
    if (kept := page_cache.get(entry)) is not None:
        return _appointment_page(request, picker_fragment(request), *kept)
    service = service_or_404(slug)
    fragment = picker_fragment(request) if service.type != ServiceType.COURSE else None  # a course: no fragment
    try:
        context = times_context(request, service, day_only=fragment == "times")
    except BookingsError as error:
        return error_page(request, error)
    template = TEMPLATES[service.type]
    if service.type != ServiceType.APPOINTMENT:
        return render(request, f"{template}#{fragment}" if fragment else template, context)
    title = f"{service.name}: choose a time"
    html = render_to_string(f"{template}#{fragment or 'content'}", context, request)
    page_cache.put(entry, title, html)
    return _appointment_page(request, fragment, title, html)


def _page_key(request: HttpRequest, slug: str, fragment: str | None) -> str | None:
    """What a kept page's content depends on besides the calendar version and the clock: the service, the fragment,
    the query string, today in the zone shown (the calendar's first month) and the language. None for a zone that
    does not exist: the page then says why, uncached."""
    if not page_cache.enabled():
        return None
    try:
        tz = display_zone(request)
    except BookingsError:
        return None
    return page_cache.key([slug, fragment, sorted(request.GET.lists()), timezone.now().astimezone(tz).date(),
                           translation.get_language()])


def _appointment_page(request: HttpRequest, fragment: str | None, title: str, html: str) -> HttpResponse:
    """The fragment alone for htmx; else the content in the page around it (CSRF token, messages)."""
    if fragment:
        return HttpResponse(html)
    return render(request, "booking/slot_picker_page.html", {"title": title, "content": mark_safe(html)})  # noqa: S308 (our own rendering)


def picker_fragment(request: HttpRequest) -> str | None:
    """The fragment of a times page an htmx request swaps: "times" (a day chosen in the calendar) or "picker"
    (another month, staff member or zone); None for the whole page, which restoring history needs too."""
    if not request.htmx or request.htmx.history_restore_request:
        return None
    return "times" if request.htmx.target == "times" else "picker"


def just_taken(request: HttpRequest, service: Service, message: str | None = None) -> HttpResponse:
    """Back on the service's page, with the reason, as a 409: the request could not be carried out. When the
    request's own zone or staff member cannot be right either, the times cannot be listed: the reason alone."""
    try:
        context = times_context(request, service, from_today=True)
    except BookingsError:
        return error_page(request, message or JUST_TAKEN, 409)
    messages.error(request, message or JUST_TAKEN)
    return render(request, TEMPLATES[service.type], context, status=409)


def times_context(request, service, *, from_today=False, choose_url=None, moving=None, day_only=False) -> dict:
    """The context of a service's times page: a month calendar marking the days with open times, and the chosen
    day's times (appointments) or sessions (classes). The chosen day is the one the address names if it has times
    (sessions), else the first open day from it on, else the month's first open day. `from_today` ignores the
    month and day asked for; `day_only` lists the chosen day alone, for htmx, which swaps just that. An
    appointment's times link to `choose_url` (the booking form unless told otherwise) with the time and staff in
    the query string. `moving` is a class booking being moved: its session is the customer's own, and a session
    needs room for all its participants."""
    tz = display_zone(request)
    context = {"service": service, **zone_context(request, tz)}
    if service.type == ServiceType.COURSE:
        return {**context, **_course_context(service)}
    today = timezone.now().astimezone(tz).date()
    month, day = calendar.requested({} if from_today else request.GET, today)
    day_only, asked = day_only and day is not None, day
    zone_filter = [("tz", context["tz_param"])] if context["tz_param"] else []
    if service.type == ServiceType.CLASS:
        links = calendar.Links(zone_filter)
        states, day, found = _class_days(service, tz, month, day, day_only, moving)
        context |= {"sessions": found, "needed": moving.total_participants if moving else 1,
                    "current_event": moving.slot.event_id if moving else None}
    else:
        staff = _chosen_staff(request, service)
        links = calendar.Links([("staff", staff), *zone_filter])
        ours = business_zone(request) if context["other_zone"] else None
        states, day, times = _appointment_days(service, (tz, ours), month, day, day_only, staff,
                                               choose_url or reverse("booking:details", args=[service.slug]))
        context |= {"staff": staff, "times": times, "time_groups": _parts_of_day(times)}
    context |= {"month": month, "chosen_day": day, "day_words": calendar.day_words(day) if day else ""}
    if not day_only:
        context |= {
            "missed_day": asked if asked and asked != day else None,
            "weeks": calendar.weeks(month, states, day, links, "sessions available"
                                    if service.type == ServiceType.CLASS else "times available"),
            "weekday_names": calendar.weekday_names(),
            "has_open_days": calendar.OPEN in states.values(),
            "previous_month_href": links.month(month.previous) if month.previous else None,
            "next_month_href": links.month(month.next) if month.next else None,
        }
    return context


def _appointment_days(service, zones, month, day, day_only, staff, choose_url):
    """The month's days with open times (one port call, at most one time a day), the chosen day, and its Times
    (a second call, for that day only). `zones`: the customer's, and ours when it is another."""
    tz, ours = zones
    backend = get_backend()
    resources = None if staff == "any" else [staff]
    states = {}
    if not day_only:
        marks = backend.list_availability_time_slots(
            service_id=service.id, from_local_date=_midnight(month.start), to_local_date=_midnight(month.end),
            time_zone=tz.key, resource_ids=resources, time_slots_per_day=1,
        )
        states = {date.fromisoformat(s.local_start_date[:10]): calendar.OPEN for s in marks.time_slots if s.bookable}
        day = calendar.choose(states, day, keep={calendar.OPEN})
        if day is None:  # no open time this month: nothing more to ask
            return states, day, []
    listed = backend.list_availability_time_slots(
        service_id=service.id, from_local_date=_midnight(day), to_local_date=_midnight(day + timedelta(days=1)),
        time_zone=tz.key, resource_ids=resources,
    )
    words, staff_param = calendar.day_words(day), quote_plus(staff)
    return states, day, [
        _time(slot, f"{choose_url}?{_slot_query(slot, staff_param, tz)}", words, _clock(slot.start_date.astimezone(tz)),
              _clock(slot.start_date.astimezone(ours)) if ours else None)
        for slot in listed.time_slots if slot.bookable
    ]


def _class_days(service, tz, month, day, day_only, moving):
    """The month's days with sessions, open or not, the chosen day, and its sessions, from one port call over the
    month (a class has a few sessions a day), or over the chosen day alone."""
    first, after = (day, day + timedelta(days=1)) if day_only else (month.start, month.end)
    listed = get_backend().list_event_time_slots(
        service_ids=[service.id], from_local_date=_midnight(first), to_local_date=_midnight(after), time_zone=tz.key,
        limit=1000,
    ).time_slots
    states = {}
    if not day_only:
        needed, own = (moving.total_participants, moving.slot.event_id) if moving else (1, None)
        for slot in listed:
            when = date.fromisoformat(slot.local_start_date[:10])
            bookable = slot.bookable and slot.bookable_capacity >= needed and slot.event_info.event_id != own
            states[when] = calendar.OPEN if bookable or states.get(when) == calendar.OPEN else calendar.CLOSED
        day = calendar.choose(states, day, keep={calendar.OPEN, calendar.CLOSED})  # a full day shows its sessions
    return states, day, [slot for slot in listed if day and slot.local_start_date[:10] == day.isoformat()]


@dataclass(frozen=True)
class Time:
    """A time of the chosen day: its slot, the address it links to, its start as the customer reads it and as we do
    (None when that is the same zone), and its link as the list shows it (`_time`)."""

    slot: TimeSlot
    href: str
    shown: str
    ours: str | None
    link: SafeString


def _time(slot: TimeSlot, href: str, day_words: str, shown: str, ours: str | None) -> Time:
    """The time with its link, whose aria-label says the day and both zones' clocks ("Tuesday 8 December at 9:00 AM
    (3:00 PM our time)"). The link is written here rather than by _day_times.html, whose variables cost most of the
    page when a day has many times; the texts are escaped as the template would (Django's escape is html.escape, and
    format_html cost as much as the template did)."""
    label = f"{day_words} at {shown}" if ours is None else f"{day_words} at {shown} ({ours} our time)"
    small = "" if ours is None else f'<small class="slot__ours">{escape(ours)} ours</small>'
    return Time(slot, href, shown, ours, mark_safe(  # noqa: S308 (escaped)
        f'<a class="slot" href="{escape(href)}" aria-label="{escape(label)}">{escape(shown)}{small}</a>'))


@functools.lru_cache(maxsize=24 * 60)
def _clock_at(hour: int, minute: int) -> str:
    return dateformat.time_format(dt_time(hour, minute), "g:i A")  # as the templates' date:"g:i A"


def _clock(moment) -> str:
    return _clock_at(moment.hour, moment.minute)


def _parts_of_day(times: list[Time]) -> list[tuple[str, list[Time]]]:
    """The day's times under Morning, Afternoon and Evening (by the hour they show), for a long day to scan."""
    parts = {}
    for time in times:
        hour = int(time.slot.local_start_date[11:13])
        parts.setdefault("Morning" if hour < 12 else "Afternoon" if hour < 17 else "Evening", []).append(time)
    return list(parts.items())


def _midnight(day: date) -> str:
    return f"{day.isoformat()}T00:00:00"


def _course_context(service) -> dict:
    try:
        course = get_backend().get_course_availability(service_id=service.id)
    except NotFound:
        return {"course": None}
    return {"course": course, "participant_choices": range(
        1, max(min(service.booking_policy.max_participants_per_booking, course.remaining_capacity), 1) + 1)}


def _chosen_staff(request: HttpRequest, service: Service) -> str:
    staff = request.GET.get("staff") or request.POST.get("staff") or "any"
    if staff != "any" and staff not in {member.id for member in service.staff_members}:
        raise InvalidArgument("That staff member does not offer this service.")
    return staff


def _slot_query(slot, staff_param: str, tz) -> str:
    """start=…&end=…&staff=… as urlencode writes it; `staff_param` comes quoted (it is the same for every time)."""
    start, end = format_instant(slot.start_date, tz), format_instant(slot.end_date, tz)
    return f"start={quote_plus(start)}&end={quote_plus(end)}&staff={staff_param}"
