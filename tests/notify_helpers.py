"""Helpers for the notification tests: a studio with an email address, bookings through the engine, the worker."""

import smtplib
import threading
from datetime import datetime, time, timedelta

from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.core.management import call_command
from django_tasks_db.management.commands.db_worker import Worker

from booking import models
from booking.port import ContactDetails, CreateBookingRequest, Resource, Slot
from tests.catalog import ANSWERS, make_business, make_policy, make_service, make_staff, weekdays

WEDNESDAY_10 = datetime.fromisoformat("2026-03-04T10:00:00-05:00")  # three days after catalog.NOW


def make_studio(**service_values):
    business = make_business()
    business.email = "owner@studio.example"
    business.save()
    make_policy(cancellation_enabled=True, reschedule_enabled=True)
    ana = make_staff("Ana", weekdays(time(9), time(17)))
    return {"business": business, "ana": ana, "massage": make_service([ana], **service_values)}


def book(engine, studio, start=WEDNESDAY_10, email="ada@example.com"):
    """What the review page does for a pay-in-person booking: Create Booking, then Confirm Or Decline unpaid."""
    ana = studio["ana"]
    booking = engine.create_booking(CreateBookingRequest(
        slot=Slot(str(studio["massage"].pk), start, start + timedelta(hours=1), "America/New_York",
                  resource=Resource(str(ana.pk), ana.name)),
        contact_details=ContactDetails("", "", ""), form_submission={**ANSWERS, "email": email},
        selected_payment_option="OFFLINE"))
    if booking.status == "CREATED":
        booking = engine.confirm_or_decline_booking(booking.id, payment_status="NOT_PAID")
    return booking


def move(engine, studio, booking, start):
    ana = studio["ana"]
    return engine.reschedule_booking(booking.id, revision=booking.revision, slot=Slot(
        str(studio["massage"].pk), start, start + timedelta(hours=1), "America/New_York",
        resource=Resource(str(ana.pk), ana.name)))


def work():
    """Run the site's worker (`manage.py run_worker --batch`): every task due now, then stop."""
    call_command("run_worker", batch=True, interval=0, verbosity=0)


def worker(worker_id: str) -> Worker:
    """django-tasks-db's worker loop itself, for threads (the command would install signal handlers)."""
    return Worker(queue_names=["*"], interval=0, batch=True, backend_name="default", startup_delay=False,
                  max_tasks=None, worker_id=worker_id, excluded_queue_names=[])


class FlakyBackend(LocmemBackend):
    """A mail server that drops the first `failures` connections, then delivers (into mail.outbox)."""

    failures = 3
    calls = 0
    lock = threading.Lock()

    def send_messages(self, messages):
        with self.lock:
            type(self).calls += 1
            if type(self).calls <= self.failures:
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


def subjects() -> list[str]:
    return [m.subject for m in mail.outbox]


def stored(booking):
    return models.Booking.objects.get(public_id=booking.id)
