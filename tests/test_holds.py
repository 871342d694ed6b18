"""Checkout holds: a CREATED booking keeps its time while the customer pays, and only until its expiry."""

from datetime import time, timedelta

import pytest
import time_machine
from django.core.management import call_command

from booking import models
from booking.errors import FailedPrecondition, InvalidArgument, SlotNotAvailable
from tests.catalog import NOW, make_business, make_class, make_form, make_policy, make_service, make_staff, weekdays
from tests.test_classes import class_request
from tests.test_engine import at, request_for

pytestmark = [pytest.mark.usefixtures("frozen_clock"), pytest.mark.django_db]


@pytest.fixture
def studio():
    make_business()
    make_policy(max_participants_per_booking=2)
    ana = make_staff("Ana", weekdays(time(9), time(12)))
    massage = make_service([ana], form=make_form())
    return {"ana": ana, "massage": massage}


def slots_at_nine(engine, massage):
    slots = engine.list_availability_time_slots(service_id=str(massage.pk), from_local_date="2026-03-02T09:00:00",
                                                to_local_date="2026-03-02T10:00:00").time_slots
    return [s.local_start_date for s in slots]


def test_a_held_booking_keeps_its_time_until_the_hold_lapses(engine, studio):
    massage, ana = studio["massage"], studio["ana"]
    booking = engine.create_booking(request_for(massage, at(2, 9), ana))
    assert slots_at_nine(engine, massage) == ["2026-03-02T09:00:00"]  # CREATED alone does not occupy
    engine.hold_booking(booking.id, expires_at=NOW + timedelta(minutes=30))
    assert slots_at_nine(engine, massage) == []
    with pytest.raises(SlotNotAvailable):
        engine.create_booking(request_for(massage, at(2, 9), ana))
    with time_machine.travel(NOW + timedelta(minutes=31), tick=False):
        assert slots_at_nine(engine, massage) == ["2026-03-02T09:00:00"]  # lapsed: counts no more, at once


def test_a_booking_is_never_held_twice(engine, studio):
    booking = engine.create_booking(request_for(studio["massage"], at(2, 9), studio["ana"]))
    first = NOW + timedelta(minutes=30)
    engine.hold_booking(booking.id, expires_at=first)
    engine.hold_booking(booking.id, expires_at=first + timedelta(minutes=30))
    assert models.Booking.objects.get().hold_expires_at == first


def test_a_second_booking_cannot_hold_a_held_time(engine, studio):
    massage = studio["massage"]  # Ana alone offers it, so "any staff" means her
    first = engine.create_booking(request_for(massage, at(2, 9)))
    second = engine.create_booking(request_for(massage, at(2, 9)))  # any staff: CREATED does not occupy
    engine.hold_booking(first.id, expires_at=NOW + timedelta(minutes=30))
    with pytest.raises(SlotNotAvailable):
        engine.hold_booking(second.id, expires_at=NOW + timedelta(minutes=30))
    assert models.Booking.objects.filter(hold_expires_at__isnull=False).count() == 1


def test_settling_or_releasing_ends_the_hold(engine, studio):
    booking = engine.create_booking(request_for(studio["massage"], at(2, 9), studio["ana"]))
    engine.hold_booking(booking.id, expires_at=NOW + timedelta(minutes=30))
    engine.release_hold(booking.id)
    assert models.Booking.objects.get().hold_expires_at is None
    engine.hold_booking(booking.id, expires_at=NOW + timedelta(minutes=30))
    engine.confirm_or_decline_booking(booking.id, payment_status="PAID")
    assert models.Booking.objects.get().hold_expires_at is None
    with pytest.raises(FailedPrecondition):
        engine.hold_booking(booking.id, expires_at=NOW + timedelta(minutes=30))


def test_holds_end_in_the_future(engine, studio):
    booking = engine.create_booking(request_for(studio["massage"], at(2, 9), studio["ana"]))
    with pytest.raises(InvalidArgument):
        engine.hold_booking(booking.id, expires_at=NOW)


def test_the_release_command_clears_only_lapsed_holds(engine, studio, capsys):
    massage = studio["massage"]
    lapsing = engine.create_booking(request_for(massage, at(2, 9), studio["ana"]))
    running = engine.create_booking(request_for(massage, at(2, 10), studio["ana"]))
    engine.hold_booking(lapsing.id, expires_at=NOW + timedelta(minutes=5))
    engine.hold_booking(running.id, expires_at=NOW + timedelta(minutes=60))
    with time_machine.travel(NOW + timedelta(minutes=10), tick=False):
        call_command("release_expired_holds")
    assert "Released 1" in capsys.readouterr().out
    held = dict(models.Booking.objects.values_list("public_id", "hold_expires_at"))
    assert held[models.Booking.objects.get(start=at(2, 9)).public_id] is None
    assert held[models.Booking.objects.get(start=at(2, 10)).public_id] is not None


def test_a_hold_takes_places_in_a_class(engine, studio):
    yoga = make_class(studio["ana"], [(1, time(18))], capacity=2, name="Yoga")
    event_id = str(models.ClassSession.objects.filter(service=yoga).first().public_id)
    booking = engine.create_booking(class_request(event_id, yoga, participants=2))
    engine.hold_booking(booking.id, expires_at=NOW + timedelta(minutes=30))
    assert engine.get_event_time_slot(event_id=event_id).remaining_capacity == 0
    with pytest.raises(FailedPrecondition):
        engine.create_booking(class_request(event_id, yoga))
