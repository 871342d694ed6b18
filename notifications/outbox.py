"""The outbox: a row for every email before any send is tried, sent by the worker, at most once, retried with backoff.

Rows for a booking change are made in the on_commit hook of that change (booking.events emits after commit): the
hook runs in the same process right after the commit, does nothing but read the booking and insert rows, and never
touches SMTP; making them inside the booking's transaction instead would tie the outbox to the embedded engine's
transactions (a Wix backend has none) and would file a package's email before all of its bookings had changed. A row
is sent by a `deliver` task, and the scheduled job `outbox` re-enqueues any row that is due and was not picked up, so
a row survives the worker, the queue or the mail server being down.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from . import content
from .models import Message

logger = logging.getLogger(__name__)

Status = Message.Status

# Domain event → the customer's email and the business's (settings.NOTIFY_BUSINESS says which of those it wants).
EVENT_KINDS = {
    "confirmed": ("confirmed", "business_new"),
    "marked_as_pending": ("marked_as_pending", "business_pending"),
    "rescheduled": ("rescheduled", None),
    "number_of_participants_updated": ("participants_updated", None),
    "canceled": ("canceled", "business_canceled"),
    "declined": ("declined", None),
}
BUSINESS_SETTING = {"business_new": "new", "business_double_booked": "double_booked",
                    "business_pending": "pending", "business_canceled": "canceled"}


def on_booking_event(sender, *, event: str, booking_id: str, revision: int, **kwargs) -> None:
    """booking.events.booking_event receiver (after commit). It must not turn the committed change into an error
    page, so a failure is logged (the booking id and event only)."""
    if event not in EVENT_KINDS:
        return
    if kwargs.get("previous_status") == "WAITING_LIST" and event in ("canceled", "declined"):
        return  # a waitlist entry ended (left, lapsed, removed): it was never a booking to tell anyone about
    try:
        file_event(event, booking_id, previous_status=kwargs.get("previous_status", ""))
    except Exception:
        logger.exception("Could not file the emails about booking %s (%s)", booking_id, event)


def file_event(event: str, booking_id: str, *, previous_status: str = "") -> list[Message]:
    bookings = content.load(booking_id)
    if not bookings:
        return []
    key, version = content.subject_id(bookings[0]), content.revision_version(bookings)
    customer_kind, business_kind = EVENT_KINDS[event]
    made = [file(customer_kind, key, version, bookings[0].contact_details.email)]
    if business_kind == "business_new":
        if any(b.double_booked for b in bookings):
            business_kind = "business_double_booked"
        elif may_have_waited(bookings[0], previous_status) and Message.objects.filter(
                booking_id=key, kind="business_pending").exists():
            business_kind = None  # the business approved it itself: it knows
    if business_kind and BUSINESS_SETTING[business_kind] in settings.NOTIFY_BUSINESS:
        made.append(file(business_kind, key, version, business_email()))
    return [m for m in made if m is not None]


def may_have_waited(booking, previous_status: str) -> bool:
    """Whether the business may have been asked to approve what this confirmation is about: not a booking just
    made (confirmed from CREATED), unless it is part of a package, another part of which may have been."""
    return previous_status != "CREATED" or bool(booking.multi_service_booking_id)


def on_waitlist_offered(sender, *, booking_id: str, revision: int, email: str, **kwargs) -> None:
    """booking.events.waitlist_offered receiver, inside the offer's transaction: the offer's email row (and, with
    the database queue, its task) commits with the offer or not at all."""
    file("waitlist_offer", booking_id, f"r{revision}", email)


def business_email() -> str:
    from booking.backends import get_backend

    return get_backend().get_business_info().email


def file(kind: str, booking_id: str, version: str, recipient: str) -> Message | None:
    """Make the row for a message once (a second call with the same booking, kind and version finds it) and queue
    its `deliver` task with it, for the worker. None when there is nobody to send it to."""
    if not recipient:
        return None
    from . import tasks

    in_database = tasks.deliver.get_backend().supports_defer  # django-tasks-db: the queue is a table of ours
    try:
        # Inserted straight away: a message is nearly always new, and a duplicate (a retried event, or another
        # process at the same moment) is told by the unique constraint instead of a look-up first.
        with transaction.atomic():
            message = Message.objects.create(booking_id=booking_id, kind=kind, version=version, recipient=recipient,
                                             next_attempt_at=timezone.now())
            if in_database:
                enqueue(message.pk)  # the row and its task commit together: one write, never one without the other
    except IntegrityError:
        return Message.objects.get(booking_id=booking_id, kind=kind, version=version)
    if not in_database:
        transaction.on_commit(lambda: enqueue(message.pk))  # a backend that runs the task at once: after commit
    return message


def enqueue(message_pk: int, run_after=None) -> None:
    from . import tasks

    task = tasks.deliver
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return  # the scheduled `outbox` job sends it when it is due
        task = task.using(run_after=run_after)
    task.enqueue(message_pk)


def claim(message_pk: int) -> bool:
    """Take the row for this worker: one conditional UPDATE, so two workers never both get it."""
    now = timezone.now()
    return Message.objects.filter(pk=message_pk, status=Status.PENDING, next_attempt_at__lte=now).update(
        status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1) == 1


def deliver(message_pk: int) -> str:
    """Send one message if it is due and nobody else has taken it. A failed send is put back with a backoff, or
    marked failed after NOTIFY_MAX_ATTEMPTS; staff see both in the admin."""
    if not claim(message_pk):
        return "not due, or taken by another worker"
    message = Message.objects.get(pk=message_pk)
    try:
        email = content.build(message)
        if email is None:
            Message.objects.filter(pk=message.pk).update(status=Status.SKIPPED, claimed_at=None)
            return "skipped: no longer true"
        email.send()
    except Exception as error:
        return _failed(message, error)
    Message.objects.filter(pk=message.pk).update(status=Status.SENT, sent_at=timezone.now(), last_error="",
                                                 subject=email.subject[:300], sequence=email.sequence)
    logger.info("Sent %s about %s", message.kind, message.booking_id)
    return "sent"


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(settings.NOTIFY_RETRY_SECONDS * 2 ** (attempts - 1), 3600))


def _failed(message: Message, error: Exception) -> str:
    text = f"{type(error).__name__}: {error}"[:1000]
    if message.attempts >= settings.NOTIFY_MAX_ATTEMPTS:
        Message.objects.filter(pk=message.pk).update(status=Status.FAILED, last_error=text)
        logger.error("Giving up on %s about %s after %s attempts: %s", message.kind, message.booking_id,
                     message.attempts, text)
        return "failed"
    due = timezone.now() + backoff(message.attempts)
    Message.objects.filter(pk=message.pk).update(status=Status.PENDING, last_error=text, next_attempt_at=due)
    logger.warning("Sending %s about %s failed (attempt %s), retrying at %s: %s", message.kind, message.booking_id,
                   message.attempts, due.isoformat(), text)
    enqueue(message.pk, run_after=due)
    return "retrying"


def retry(queryset) -> int:
    """Staff's retry: failed (or skipped) rows go back to pending with a fresh set of attempts."""
    now = timezone.now()
    pks = list(queryset.filter(status__in=[Status.FAILED, Status.SKIPPED]).values_list("pk", flat=True))
    Message.objects.filter(pk__in=pks).update(status=Status.PENDING, attempts=0, next_attempt_at=now)
    for pk in pks:
        transaction.on_commit(lambda pk=pk: enqueue(pk))
    return len(pks)


def sweep() -> str:
    """The scheduled `outbox` job: re-enqueue due rows nobody picked up (the queue lost them, or the worker was
    down), and mark failed the rows a worker claimed and never finished (it died mid-send: the email may or may not
    have gone out, so it is not sent again without staff)."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.NOTIFY_SENDING_TIMEOUT_SECONDS)
    lost = Message.objects.filter(status=Status.SENDING, claimed_at__lt=stale).update(
        status=Status.FAILED, last_error="The worker stopped while sending; it may or may not have gone out.")
    due = list(Message.objects.filter(status=Status.PENDING, next_attempt_at__lte=now - timedelta(minutes=5))
               .values_list("pk", flat=True)[:500])
    for pk in due:
        enqueue(pk)
    return f"{len(due)} re-enqueued, {lost} interrupted"
