"""Reminders and pending notices, driven by the worker's scheduled jobs, with a frozen clock: sent once, never for a
canceled booking, again for the new time after a move; and the other scheduled jobs run from the same tick."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail

from booking import models
from booking.port import Caller
from notifications import scheduled
from notifications.models import Message, ScheduledJob
from tests.catalog import NOW
from tests.notify_helpers import WEDNESDAY_10, book, make_studio, move, stored, work

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("db_tasks")]


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def sent(kind):
    return [m for m in mail.outbox if m.subject.startswith(kind)]


def test_a_reminder_goes_once_a_day_ahead_never_for_a_canceled_booking_and_again_after_a_move(
        engine, clock, settings):
    settings.NOTIFY_BUSINESS = []
    studio = make_studio()
    kept = book(engine, studio)
    canceled = book(engine, studio, start=WEDNESDAY_10 + timedelta(hours=2), email="bob@example.com")
    engine.cancel_booking(canceled.id, revision=canceled.revision, caller=Caller.STAFF)
    work()
    assert sent("Reminder") == []

    clock.move_to(WEDNESDAY_10 - timedelta(hours=24, minutes=1))
    work()
    assert sent("Reminder") == []
    clock.move_to(WEDNESDAY_10 - timedelta(hours=23, minutes=59))
    work()
    [reminder] = sent("Reminder")
    assert reminder.to == ["ada@example.com"] and "Wednesday 4 March 2026, 10:00 AM" in reminder.body
    for minutes in (1, 60, 600):  # the job runs every minute; the reminder is not sent again
        clock.shift(timedelta(minutes=minutes))
        work()
    assert len(sent("Reminder")) == 1

    # Moved to Friday: a reminder for the new time, the day before it.
    friday = WEDNESDAY_10 + timedelta(days=2)
    moved = move(engine, studio, engine.query_extended_bookings(booking_ids=[kept.id])[0], friday)
    assert moved.status == "CONFIRMED"
    work()
    assert len(sent("Reminder")) == 1
    clock.move_to(friday - timedelta(hours=23))
    work()
    assert len(sent("Reminder")) == 2 and "Friday 6 March 2026, 10:00 AM" in sent("Reminder")[1].body
    assert Message.objects.filter(kind="reminder").count() == 2
    assert not Message.objects.filter(kind="reminder", booking_id=canceled.id).exists()


def test_a_reminder_filed_before_a_cancel_is_not_sent(engine, clock, settings):
    settings.NOTIFY_BUSINESS = []
    studio = make_studio()
    booking = book(engine, studio)
    clock.move_to(WEDNESDAY_10 - timedelta(hours=23))
    scheduled.reminders()  # filed, the worker has not sent it yet
    row = engine.query_extended_bookings(booking_ids=[booking.id])[0]
    engine.cancel_booking(booking.id, revision=row.revision, caller=Caller.STAFF)
    work()
    assert sent("Reminder") == [] and Message.objects.get(kind="reminder").status == "skipped"
    assert len(sent("Your booking is canceled")) == 1


def test_no_reminder_for_a_booking_made_inside_the_reminder_window(engine, clock, settings):
    settings.NOTIFY_BUSINESS = []
    studio = make_studio()
    clock.move_to(WEDNESDAY_10 - timedelta(hours=5))
    book(engine, studio)
    work()
    assert [m.subject for m in mail.outbox] == ["Your booking is confirmed: Massage"]


def test_a_booking_still_pending_48_hours_ahead_gets_one_notice_to_the_customer_and_the_business(engine, clock):
    studio = make_studio(require_manual_approval=True)
    waiting = book(engine, studio)
    declined = book(engine, studio, start=WEDNESDAY_10 + timedelta(hours=2), email="bob@example.com")
    assert waiting.status == declined.status == "PENDING"
    engine.cancel_booking(declined.id, revision=declined.revision, caller=Caller.STAFF)
    work()  # the canceled request's "waiting" emails are no longer true by the time the worker runs
    assert sorted(m.subject for m in mail.outbox) == [
        "Booking canceled: Massage", "Booking waiting for approval: Massage", "We have your booking request: Massage",
        "Your booking is canceled: Massage"]
    mail.outbox.clear()

    clock.move_to(WEDNESDAY_10 - timedelta(hours=48, minutes=1))
    work()
    assert mail.outbox == []
    clock.move_to(WEDNESDAY_10 - timedelta(hours=47))
    work()
    clock.shift(timedelta(hours=1))
    work()
    assert sorted((m.subject, m.to[0]) for m in mail.outbox) == [
        ("Still waiting for approval: Massage", "owner@studio.example"),
        ("Your booking still waits for approval: Massage", "ada@example.com")]
    business = next(m for m in mail.outbox if m.to == ["owner@studio.example"])
    assert f"http://127.0.0.1:8000/admin/booking/booking/?q={waiting.id}" in business.body

    # Confirmed at last: a confirmation, and the reminder the day before; no second notice.
    mail.outbox.clear()
    row = engine.query_extended_bookings(booking_ids=[waiting.id])[0]
    engine.confirm_booking(waiting.id, revision=row.revision)
    clock.move_to(WEDNESDAY_10 - timedelta(hours=23))
    work()
    assert sorted(m.subject for m in mail.outbox) == ["Reminder: your booking: Massage",
                                                     "Your booking is confirmed: Massage"]


def test_one_tick_runs_the_other_scheduled_jobs_once(engine, clock):
    studio = make_studio()
    booking = book(engine, studio)
    models.Booking.objects.filter(public_id=booking.id).update(status="CREATED", hold_expires_at=NOW)
    clock.shift(timedelta(minutes=1))
    work()
    jobs = dict(ScheduledJob.objects.values_list("name", "last_result"))
    assert jobs["release_lapsed_holds"] == "1 lapsed hold(s) released"
    assert jobs["extend_class_schedules"].startswith("sessions brought up to date")
    assert jobs["waitlist_offers"] == "0 waitlist place(s) ended"
    assert jobs["wix_follow"] == "not in wix mode"
    assert set(jobs) == {"outbox", "reminders", "pending_notices", "release_lapsed_holds", "stripe_sandbox_expire",
                         "extend_class_schedules", "waitlist_offers", "wix_follow"}
    assert stored(booking).hold_expires_at is None
    work()  # not due again within the period
    assert ScheduledJob.objects.get(name="release_lapsed_holds").last_run_at == NOW + timedelta(minutes=1)
