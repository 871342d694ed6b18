"""Making class and course sessions from their weekly rules.

Sessions are rows (booking.models.ClassSession), made ahead for classes up to a horizon and for courses over their
whole run. `sync_service_sessions` is called when staff save a service's rules in the admin, by the demo loader and
by the worker's daily `extend_class_schedules` job (notifications/scheduled.py) that keeps a year of classes ahead.
"""

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Exists, OuterRef

from . import availability, calendar_version, models
from .models.catalog import ServiceType
from .session_changes import move_session_bookings
from .states import ACTIVE

HORIZON = timedelta(days=366)
# A class's past sessions stay as they were; these many days back are still brought in line with the rule.
LOOKBACK = timedelta(days=1)


def sync_service_sessions(service: models.Service, today: date) -> None:
    tz = ZoneInfo(models.Business.objects.values_list("time_zone", flat=True).first() or "UTC")
    with transaction.atomic():
        for rule in service.schedule_rules.select_related("service"):
            sync_rule_sessions(rule, today, tz)


def _rule_days(rule: models.ScheduleRule, today: date) -> tuple[date, date]:
    if rule.service.type == ServiceType.COURSE:
        # A course is one whole: all its sessions exist, past ones included, from the first day to the last.
        return rule.starts_on, rule.ends_on or rule.starts_on
    last = today + HORIZON
    return max(rule.starts_on, today - LOOKBACK), min(rule.ends_on, last) if rule.ends_on else last


def sync_rule_sessions(rule: models.ScheduleRule, today: date, tz: ZoneInfo) -> None:
    """Bring the rule's sessions in line with it: make missing ones, update ones nobody edited on their own (their
    bookings move with them, through the port), and remove ones the rule no longer has unless somebody booked them
    (those stay, detached, for staff to handle)."""
    first, last = _rule_days(rule, today)
    length = timedelta(minutes=rule.duration_minutes)
    wanted = dict(availability.weekly_occurrences(rule.weekday, rule.start_time, first, last, tz))
    capacity = rule.capacity or rule.service.default_capacity
    existing = {s.occurrence: s for s in rule.sessions.filter(occurrence__gte=first)}
    for day, start in wanted.items():
        values = {"start": start, "end": start + length, "staff_id": rule.staff_id,
                  "location_id": rule.location_id, "capacity": capacity}
        session = existing.get(day)
        if session is None:
            models.ClassSession.objects.create(service=rule.service, rule=rule, occurrence=day, **values)
        elif not session.detached and any(getattr(session, k) != v for k, v in values.items()):
            for field, value in values.items():
                setattr(session, field, value)
            session.save()
            move_session_bookings(session)  # its bookings follow it to its new time
    stale = rule.sessions.filter(occurrence__gte=first).exclude(occurrence__in=list(wanted))
    booked = models.Booking.objects.filter(session=OuterRef("pk"), status__in=ACTIVE)
    if stale.filter(Exists(booked)).update(detached=True, rule=None):
        calendar_version.bump()  # an update sends no signal
    stale.delete()


def extend_all(today: date) -> int:
    services = models.Service.objects.filter(type__in=[ServiceType.CLASS, ServiceType.COURSE])
    for service in services:
        sync_service_sessions(service, today)
    return len(services)
