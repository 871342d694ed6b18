"""Scheduled work, in one place: the reminders, the pending notices, the outbox sweep, releasing lapsed checkout
holds, ending lapsed waitlist offers, following the bookings sent to a Wix checkout (payments/wix_follow.py),
extending class schedules (and, in development, expiring the Stripe sandbox's sessions).

The worker drives it: `run_scheduled` (notifications.tasks) is a task that runs the jobs that are due and enqueues
itself again for the next tick (NOTIFY_TICK_SECONDS); `manage.py run_worker` enqueues the first one. Each job's next
run is a ScheduledJob row, claimed with a conditional UPDATE, so with several workers (or several chains of ticks)
a job still runs once per period; a job that raises is logged and the others still run.
"""

import io
import logging
from datetime import timedelta

from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from booking.backends import get_backend

from . import content, outbox
from .models import ScheduledJob

logger = logging.getLogger(__name__)


def reminders() -> str:
    """One reminder per confirmed booking, NOTIFY_REMINDER_HOURS before it starts (the start is the message's
    version: a moved booking gets one for its new time). None for a booking made inside that window: its
    confirmation has just told the customer."""
    now = timezone.now()
    window = timedelta(hours=settings.NOTIFY_REMINDER_HOURS)
    made = 0
    for group in _groups(["CONFIRMED"], now, now + window):
        if min(b.created_date for b in group) > min(b.start_date for b in group) - window:
            continue
        if outbox.file("reminder", content.subject_id(group[0]), content.start_version(group),
                       group[0].contact_details.email):
            made += 1
    return f"{made} reminder(s) filed"


def pending_notices() -> str:
    """A booking still PENDING NOTIFY_PENDING_NOTICE_HOURS (48) before it starts: a notice to the customer and to
    the business, once."""
    now = timezone.now()
    business = outbox.business_email()
    made = 0
    for group in _groups(["PENDING"], now, now + timedelta(hours=settings.NOTIFY_PENDING_NOTICE_HOURS)):
        key, version = content.subject_id(group[0]), content.start_version(group)
        outbox.file("pending_notice", key, version, group[0].contact_details.email)
        outbox.file("business_pending_notice", key, version, business)
        made += 1
    return f"{made} pending notice(s) filed"


def _groups(statuses, start_from, start_to):
    """The bookings starting in the window, a package's together (as the emails tell them)."""
    groups: dict[str, list] = {}
    for booking in get_backend().query_extended_bookings_starting(statuses=statuses, start_from=start_from,
                                                                  start_to=start_to):
        key = content.subject_id(booking)
        if key not in groups:
            groups[key] = content.load(booking.id) if booking.multi_service_booking_id else [booking]
    return [group for group in groups.values() if group]


def release_lapsed_holds() -> str:
    return f"{get_backend().release_lapsed_holds()} lapsed hold(s) released"


def waitlist_offers() -> str:
    """End the waitlist offers that lapsed (their places go to the next customers waiting) and offer any place
    that came free without an event saying so."""
    backend = get_backend()
    if not backend.offers_waitlist:
        return "no waitlists on this backend"
    return f"{backend.expire_waitlist_offers()} waitlist place(s) ended"


def extend_class_schedules() -> str:
    from booking.schedules import extend_all

    return f"sessions brought up to date for {extend_all(timezone.localdate())} service(s)"


def wix_follow() -> str:
    from payments import wix_follow

    return wix_follow.follow_open()


def stripe_sandbox_expire() -> str:
    from payments import stripe_api

    if not stripe_api.sandbox_on():
        return "sandbox off"
    out = io.StringIO()
    call_command("stripe_sandbox_expire", stdout=out)
    return out.getvalue().strip()


# name → (job, how often it runs)
JOBS = {
    "outbox": (outbox.sweep, timedelta(minutes=1)),
    "reminders": (reminders, timedelta(minutes=1)),
    "pending_notices": (pending_notices, timedelta(minutes=1)),
    "release_lapsed_holds": (release_lapsed_holds, timedelta(minutes=5)),
    "waitlist_offers": (waitlist_offers, timedelta(minutes=1)),
    "wix_follow": (wix_follow, timedelta(minutes=1)),
    "stripe_sandbox_expire": (stripe_sandbox_expire, timedelta(minutes=5)),
    "extend_class_schedules": (extend_class_schedules, timedelta(days=1)),
}


def run_due() -> dict[str, str]:
    """Run every job that is due, each claimed first so that only one worker runs it."""
    results = {}
    for name, (job, every) in JOBS.items():
        if not claim(name, every):
            continue
        try:
            results[name] = job()
        except Exception as error:
            logger.exception("Scheduled job %s failed", name)
            results[name] = f"failed: {type(error).__name__}"
        ScheduledJob.objects.filter(name=name).update(last_result=results[name][:300])
    return results


def claim(name: str, every: timedelta) -> bool:
    now = timezone.now()
    try:
        with transaction.atomic():
            ScheduledJob.objects.get_or_create(name=name, defaults={"next_run_at": now})
    except IntegrityError:
        pass  # made at the same moment by another worker
    return ScheduledJob.objects.filter(name=name, next_run_at__lte=now).update(
        next_run_at=now + every, last_run_at=now) == 1
