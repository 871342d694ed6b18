"""The state machine: transitions, revisions, the audit trail and domain events."""

import uuid
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, connection, transaction

from booking import models
from booking.errors import (
    BookingPolicyViolation,
    FailedPrecondition,
    PermissionDenied,
    RevisionMismatch,
    SlotNotAvailable,
)
from booking.events import booking_event
from booking.port import Caller, CancelFlowControlSettings, ContactDetails, CreateBookingRequest, Resource, Slot
from tests.catalog import ANSWERS, make_business, make_form, make_policy, make_service, make_staff, weekdays

NY = ZoneInfo("America/New_York")

pytestmark = [pytest.mark.usefixtures("frozen_clock"), pytest.mark.django_db]


@pytest.fixture
def ana():
    make_business()
    make_policy(cancellation_enabled=True, limit_latest_cancellation=True, latest_cancellation_in_minutes=48 * 60,
                reschedule_enabled=True)
    return make_staff("Ana", weekdays(time(9), time(17)))


@pytest.fixture
def massage(ana):
    return make_service([ana], form=make_form())


def book(engine, service, staff, day=3, hour=9, confirm="NOT_PAID"):
    """Create (and unless told not to, Confirm Or Decline) a booking; None when the time is not available."""
    start = datetime(2026, 3, day, hour, tzinfo=NY)
    try:
        booking = engine.create_booking(CreateBookingRequest(
            slot=Slot(str(service.pk), start, start + timedelta(hours=1), "America/New_York",
                      resource=Resource(str(staff.pk), staff.name) if staff else None),
            contact_details=ContactDetails("", "", ""), form_submission=ANSWERS, selected_payment_option="OFFLINE"))
    except SlotNotAvailable:
        return None
    return engine.confirm_or_decline_booking(booking.id, payment_status=confirm) if confirm else booking


@pytest.fixture
def events():
    received = []

    def receiver(sender, event, booking_id, revision, **kwargs):
        received.append((event, revision))

    booking_event.connect(receiver)
    yield received
    booking_event.disconnect(receiver)


def test_every_change_is_audited_and_announced_after_commit(engine, massage, ana, events,
                                                            django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        booking = book(engine, massage, ana)
        engine.cancel_booking(booking.id, revision=booking.revision)
    changes = list(models.BookingChange.objects.values_list("event", "from_status", "to_status", "revision"))
    assert changes == [("created", "", "CREATED", 1), ("confirmed", "CREATED", "CONFIRMED", 2),
                       ("canceled", "CONFIRMED", "CANCELED", 3)]
    assert events == [("created", 1), ("confirmed", 2), ("canceled", 3)]


def test_events_say_who_changed_the_booking_from_what_and_whether_to_refund(engine, massage, ana,
                                                                           django_capture_on_commit_callbacks):
    """What Wix's Booking Canceled body carries (initiatedBy, previousStatus, flowControlSettings.withRefund)."""
    received = []

    def receiver(sender, event, booking_id, revision, **details):
        received.append((event, details["initiated_by"], details["previous_status"], details["with_refund"]))

    booking_event.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            first, second = book(engine, massage, ana, day=3), book(engine, massage, ana, day=4)
            engine.cancel_booking(first.id, revision=first.revision, caller=Caller.STAFF,
                                  flow_control_settings=CancelFlowControlSettings(with_refund=True))
            engine.cancel_booking(second.id, revision=second.revision)
    finally:
        booking_event.disconnect(receiver)
    assert received == [
        ("created", "customer", "", False), ("confirmed", "system", "CREATED", False),
        ("created", "customer", "", False), ("confirmed", "system", "CREATED", False),
        ("canceled", "staff", "CONFIRMED", True), ("canceled", "customer", "CONFIRMED", False),
    ]


def test_events_are_not_sent_when_the_transaction_rolls_back(engine, massage, ana, events,
                                                             django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        book(engine, massage, ana)
        raise RuntimeError("rolled back")
    assert events == []
    assert models.Booking.objects.count() == models.BookingChange.objects.count() == 0


def test_a_stale_revision_is_refused_and_changes_nothing(engine, massage, ana):
    booking = book(engine, massage, ana)
    with pytest.raises(RevisionMismatch) as error:
        engine.cancel_booking(booking.id, revision=booking.revision - 1)
    assert error.value.http_status == 409
    stored = models.Booking.objects.get()
    assert (stored.status, stored.revision) == ("CONFIRMED", booking.revision)
    assert models.BookingChange.objects.count() == 2


def test_customers_cancel_only_inside_the_policy_window(engine, massage, ana):
    tomorrow = book(engine, massage, ana, day=2, hour=9)  # 26 hours ahead; the window closed at 48
    with pytest.raises(BookingPolicyViolation):
        engine.cancel_booking(tomorrow.id, revision=tomorrow.revision)
    with pytest.raises(PermissionDenied):
        engine.cancel_booking(tomorrow.id, revision=tomorrow.revision,
                              flow_control_settings=CancelFlowControlSettings(ignore_cancellation_policy=True))
    canceled = engine.cancel_booking(tomorrow.id, revision=tomorrow.revision, caller=Caller.STAFF,
                                     flow_control_settings=CancelFlowControlSettings(ignore_cancellation_policy=True))
    assert canceled.status == "CANCELED"


def test_canceling_frees_the_time(engine, massage, ana):
    booking = book(engine, massage, ana)
    engine.cancel_booking(booking.id, revision=booking.revision)
    assert book(engine, massage, ana).status == "CONFIRMED"


def test_a_canceled_booking_cannot_be_canceled_again(engine, massage, ana):
    booking = book(engine, massage, ana)
    canceled = engine.cancel_booking(booking.id, revision=booking.revision)
    with pytest.raises(FailedPrecondition):
        engine.cancel_booking(booking.id, revision=canceled.revision)


def test_allowed_actions_follow_status_policy_and_service_type(engine, massage, ana):
    later = book(engine, massage, ana, day=4)
    soon = book(engine, massage, ana, day=2)
    results = dict(engine.bulk_calculate_allowed_actions(booking_ids=[later.id, soon.id, "nope"]))
    assert (results[later.id].cancel, results[later.id].reschedule) == (True, True)
    assert (results[soon.id].cancel, results[soon.id].reschedule) == (False, True)
    assert results["nope"] is None


def test_staff_confirming_a_taken_time_flags_a_double_booking(engine, massage, ana):
    massage.require_manual_approval = True
    massage.save()
    rival = book(engine, massage, ana, confirm=None)  # created while the time was free
    first = book(engine, massage, ana)
    assert first.status == "PENDING"
    with pytest.raises(PermissionDenied):
        engine.confirm_booking(rival.id, revision=rival.revision, caller=Caller.CUSTOMER)
    confirmed = engine.confirm_booking(rival.id, revision=rival.revision)
    assert confirmed.status == "CONFIRMED" and confirmed.double_booked


def test_decline_and_mark_as_pending(engine, massage, ana):
    massage.require_manual_approval = True
    massage.save()
    booking = book(engine, massage, ana, confirm=None)
    pending = engine.mark_booking_as_pending(booking.id, revision=booking.revision, payment_status="NOT_PAID")
    assert pending.status == "PENDING"
    declined = engine.decline_booking(pending.id, revision=pending.revision)
    assert declined.status == "DECLINED"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="exclusion constraints are PostgreSQL's")
def test_postgresql_refuses_overlapping_bookings_of_one_staff_member(engine, massage, ana):
    booking = book(engine, massage, ana)
    row = models.Booking.objects.get(public_id=booking.id)
    row.pk, row.public_id, row.submission_key = None, uuid.uuid4(), None
    row.start += timedelta(minutes=30)
    with pytest.raises(IntegrityError), transaction.atomic():
        row.save(force_insert=True)


def test_any_staff_bookings_move_to_a_free_colleague_when_confirmed(engine, ana):
    ben = make_staff("Ben", weekdays(time(9), time(17)))
    service = make_service([ana, ben], form=make_form())
    # Both customers asked for anyone while everyone was free, so both were given Ana at first.
    first = book(engine, service, None, confirm=None)
    second = book(engine, service, None, confirm=None)
    assert first.slot.resource.name == second.slot.resource.name == "Ana"
    confirmed = [engine.confirm_or_decline_booking(b.id, payment_status="NOT_PAID") for b in (first, second)]
    assert [b.status for b in confirmed] == ["CONFIRMED", "CONFIRMED"]
    assert {b.slot.resource.name for b in confirmed} == {"Ana", "Ben"}
    third = book(engine, service, None, confirm=None)  # refused at once: nobody is free now
    assert third is None


def test_a_request_keeps_its_time_when_hours_or_the_service_change(engine, massage, ana):
    massage.require_manual_approval = True
    massage.save()
    pending = book(engine, massage, ana, hour=9)
    ana.working_hours.update(start_time=time(10))  # 09:00 is no longer a start
    massage.duration_minutes = 50
    massage.save()
    # Only another booking or time off takes a time away; staff confirm the request as it stands.
    confirmed = engine.confirm_booking(pending.id, revision=pending.revision)
    assert confirmed.status == "CONFIRMED" and not confirmed.double_booked
