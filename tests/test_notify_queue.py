"""The outbox and the worker, with django-tasks-db really running the tasks: a booking only files its email, the
worker sends it, a failing mail server is retried with backoff, and two workers never send one message twice."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core import mail
from django.db import connection
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from notifications import outbox
from notifications.models import Message
from tests.catalog import NOW
from tests.notify_helpers import FlakyBackend, book, make_studio, work, worker

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("db_tasks")]


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def studio():
    return make_studio()


def test_a_booking_files_its_emails_and_only_the_worker_sends_them(engine, studio, clock):
    booking = book(engine, studio)
    assert mail.outbox == []
    rows = {m.kind: m for m in Message.objects.all()}
    assert set(rows) == {"confirmed", "business_new"}
    assert {(m.status, m.attempts) for m in rows.values()} == {("pending", 0)}
    assert (rows["confirmed"].recipient, rows["business_new"].recipient) == ("ada@example.com", "owner@studio.example")
    queued = DBTaskResult.objects.filter(task_path="notifications.tasks.deliver", status=TaskResultStatus.READY)
    assert queued.count() == 2

    work()
    assert sorted(m.to[0] for m in mail.outbox) == ["ada@example.com", "owner@studio.example"]
    confirmed = Message.objects.get(kind="confirmed")
    assert (confirmed.status, confirmed.attempts, confirmed.sent_at) == ("sent", 1, NOW)
    assert confirmed.sequence == engine.query_extended_bookings(booking_ids=[booking.id])[0].revision
    work()  # nothing more to send
    assert len(mail.outbox) == 2


def test_a_mail_server_that_fails_three_times_then_recovers_delivers_exactly_one_message(
        engine, studio, clock, settings):
    settings.MAILERS = {"default": {"BACKEND": "tests.notify_helpers.FlakyBackend"}}
    settings.NOTIFY_BUSINESS = []
    FlakyBackend.calls, FlakyBackend.failures = 0, 3
    book(engine, studio)
    [message] = Message.objects.all()
    for attempt, wait in [(1, 60), (2, 120), (3, 240)]:
        work()
        message.refresh_from_db()
        assert (message.status, message.attempts) == ("pending", attempt)
        assert "SMTPServerDisconnected" in message.last_error
        assert message.next_attempt_at == timezone.now() + timedelta(seconds=wait)  # the backoff doubles
        work()  # not due yet: nothing is tried
        assert FlakyBackend.calls == attempt
        clock.shift(timedelta(seconds=wait))
    work()
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == ("sent", 4, "")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ada@example.com"]
    clock.shift(timedelta(hours=2))
    work()
    assert len(mail.outbox) == 1 and FlakyBackend.calls == 4


def test_a_message_that_keeps_failing_stays_failed_in_the_admin_until_staff_retry_it(
        engine, studio, clock, settings, client):
    settings.MAILERS = {"default": {"BACKEND": "tests.notify_helpers.FlakyBackend"}}
    settings.NOTIFY_BUSINESS, settings.NOTIFY_MAX_ATTEMPTS = [], 2
    FlakyBackend.calls, FlakyBackend.failures = 0, 1000
    book(engine, studio)
    work()
    clock.shift(timedelta(minutes=2))
    work()
    [message] = Message.objects.all()
    assert (message.status, message.attempts) == ("failed", 2)
    clock.shift(timedelta(days=1))
    work()  # the sweep does not bring a failed message back
    assert Message.objects.get().status == "failed" and FlakyBackend.calls == 2

    client.force_login(User.objects.create_superuser("staff", "staff@studio.example", "pw-for-tests-only"))
    listing = client.get("/admin/notifications/message/?status=failed")
    assert "ada@example.com" in listing.content.decode() and "Failed" in listing.content.decode()
    FlakyBackend.failures = 0
    response = client.post("/admin/notifications/message/", {"action": "retry", "_selected_action": [message.pk]})
    assert response.status_code == 302
    work()
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 1) and len(mail.outbox) == 1


def test_an_email_filed_while_the_worker_was_down_is_sent_when_it_comes_back(engine, studio, clock, settings):
    settings.NOTIFY_BUSINESS = []
    book(engine, studio)
    DBTaskResult.objects.all().delete()  # the queue lost its task: the outbox row is still there
    clock.shift(timedelta(minutes=4))
    work()
    assert Message.objects.get().status == "pending" and mail.outbox == []
    clock.shift(timedelta(minutes=2))
    work()  # the scheduled `outbox` sweep enqueues it again, and the worker sends it
    work()
    assert Message.objects.get().status == "sent" and len(mail.outbox) == 1


@pytest.mark.concurrency
def test_two_workers_never_send_one_message_twice(engine, studio, clock, settings):
    settings.NOTIFY_BUSINESS = []
    for hour in range(9, 15):
        book(engine, studio, start=NOW.replace(day=4, hour=hour + 5), email=f"c{hour}@example.com")
    rows = list(Message.objects.values_list("pk", flat=True))
    assert len(rows) == 6
    for pk in rows:  # every row has three tasks queued for it, as after a sweep and a staff retry
        outbox.enqueue(pk)
        outbox.enqueue(pk)
    barrier = threading.Barrier(2)
    errors = []

    def run(name):
        try:
            barrier.wait(timeout=30)
            worker(name).run()
        except Exception as error:  # pragma: no cover (reported below)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(f"w{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors and not any(t.is_alive() for t in threads)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(f"c{h}@example.com" for h in range(9, 15))
    assert set(Message.objects.values_list("status", "attempts")) == {("sent", 1)}
    ran = DBTaskResult.objects.filter(task_path="notifications.tasks.deliver", status=TaskResultStatus.SUCCESSFUL)
    assert ran.count() == 18 and len({r.worker_ids[0] for r in ran}) >= 1
