"""The waitlist of a full class session in the local engine, through the port: joining, offers held for the next
customer and emailed in the offer's transaction, accepting, leaving, lapsing (docs/decisions.md, "Waitlist for
classes")."""

from datetime import time, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import transaction

from booking import models
from booking.errors import FailedPrecondition, NotFound
from booking.port import BookingStatus, Caller, ContactDetails, PaymentStatus, SelectedPaymentOption
from notifications.models import Message
from tests.catalog import NOW, make_business, make_class, make_policy, make_staff, weekdays
from tests.test_classes import class_request

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def full_class(engine):
    """Yoga on Tuesday 3 March, two places, both taken; its waitlist takes three and holds an offer 10 minutes."""
    make_business()
    make_policy(cancellation_enabled=True, waitlist_enabled=True, waitlist_capacity=3,
                waitlist_reservation_minutes=10)
    sam = make_staff("Sam", weekdays(time(8), time(20)))
    yoga = make_class(sam, [(1, time(18, 30))], capacity=2)
    session = yoga.sessions.order_by("start").first()
    event_id = str(session.public_id)
    taken = [book(engine, event_id, yoga, f"taker{n}@example.com") for n in range(2)]
    return {"yoga": yoga, "session": session, "event_id": event_id, "taken": taken}


def book(engine, event_id, service, email):
    made = engine.create_booking(class_request(event_id, service, email=email))
    return engine.confirm_or_decline_booking(made.id, payment_status=PaymentStatus.NOT_PAID)


def join(engine, event_id, name):
    return engine.join_waitlist(event_id=event_id,
                                contact_details=ContactDetails(name, "", f"{name.lower()}@example.com"))


def cancel(engine, booking, capture):
    with capture(execute=True):
        return engine.cancel_booking(booking.id, revision=booking.revision, caller=Caller.CUSTOMER)


def status(booking):
    return models.Booking.objects.get(public_id=booking.id).status


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def test_a_session_with_places_takes_no_waitlist_and_a_full_one_does(engine):
    make_business()
    make_policy(waitlist_enabled=True)
    yoga = make_class(make_staff("Sam", weekdays(time(8), time(20))), [(1, time(18, 30))], capacity=1)
    event_id = str(yoga.sessions.order_by("start").first().public_id)
    with pytest.raises(FailedPrecondition) as refused:
        join(engine, event_id, "Ada")
    assert refused.value.code == "SESSION_HAS_PLACES"
    assert engine.get_event_time_slot(event_id=event_id).event_info.waiting_list.remaining_capacity == 10
    book(engine, event_id, yoga, "first@example.com")
    entry = join(engine, event_id, "Ada")
    assert entry.status == BookingStatus.WAITING_LIST and entry.slot.event_id == event_id
    assert entry.waitlist_offer_expires_at is None
    slot = engine.get_event_time_slot(event_id=event_id)
    assert (slot.remaining_capacity, slot.event_info.waiting_list.remaining_capacity) == (0, 9)


def test_a_waitlist_refuses_a_second_entry_for_one_email_once_full_and_when_off(engine, full_class):
    event_id = full_class["event_id"]
    join(engine, event_id, "Ada")
    with pytest.raises(FailedPrecondition) as twice:
        engine.join_waitlist(event_id=event_id, contact_details=ContactDetails("Ada", "", "ADA@example.com"))
    assert twice.value.code == "ALREADY_ON_WAITLIST"
    join(engine, event_id, "Bo")
    join(engine, event_id, "Cy")
    with pytest.raises(FailedPrecondition) as full:
        join(engine, event_id, "Di")
    assert full.value.code == "WAITLIST_FULL"
    assert models.Booking.objects.filter(status=BookingStatus.WAITING_LIST).count() == 3
    models.BookingPolicy.objects.update(waitlist_enabled=False)
    with pytest.raises(FailedPrecondition) as off:
        join(engine, event_id, "Eve")
    assert off.value.code == "WAITLIST_NOT_AVAILABLE"
    assert engine.get_event_time_slot(event_id=event_id).event_info.waiting_list is None
    with pytest.raises(NotFound):
        engine.join_waitlist(event_id="not-a-session", contact_details=ContactDetails("Ada", "", "a@example.com"))


def test_a_freed_place_is_offered_to_the_first_waiting_held_for_them_and_emailed(
        engine, full_class, django_capture_on_commit_callbacks):
    event_id = full_class["event_id"]
    ada, bo = join(engine, event_id, "Ada"), join(engine, event_id, "Bo")
    mail.outbox.clear()
    cancel(engine, full_class["taken"][0], django_capture_on_commit_callbacks)

    [offered] = engine.query_extended_bookings(booking_ids=[ada.id])
    assert offered.status == BookingStatus.WAITING_LIST
    assert offered.waitlist_offer_expires_at == NOW + timedelta(minutes=10)
    assert engine.query_extended_bookings(booking_ids=[bo.id])[0].waitlist_offer_expires_at is None
    assert Message.objects.filter(booking_id=ada.id, kind="waitlist_offer").count() == 1
    [email] = [m for m in mail.outbox if m.to == ["ada@example.com"]]
    assert email.subject == "A place is free for you: Yoga"
    assert "held for you until Sunday 1 March, 7:10 AM" in email.body
    assert "/manage/" in email.body and "To take up or decline the place" in email.body
    # The offered place is taken for everyone else: the session shows none left and refuses a booking.
    assert engine.get_event_time_slot(event_id=event_id).remaining_capacity == 0
    with pytest.raises(FailedPrecondition) as taken:
        engine.create_booking(class_request(event_id, full_class["yoga"], email="late@example.com"))
    assert taken.value.code == "SESSION_CAPACITY_EXCEEDED"
    # The canceled customer got their own email; Bo, still waiting, heard nothing.
    assert sorted(m.subject for m in mail.outbox) == ["A place is free for you: Yoga", "Your booking is canceled: Yoga"]


def test_accepting_books_the_place_through_the_normal_next_step(engine, full_class,
                                                                django_capture_on_commit_callbacks):
    ada = join(engine, full_class["event_id"], "Ada")
    cancel(engine, full_class["taken"][0], django_capture_on_commit_callbacks)
    token = engine.get_anonymous_action_token(ada.id)
    accepted = engine.accept_waitlist_offer(token, selected_payment_option=SelectedPaymentOption.OFFLINE)
    assert accepted.status == BookingStatus.CREATED and accepted.selected_payment_option == "OFFLINE"
    # Still held while it is settled, as a checkout's booking is.
    assert models.Booking.objects.get(public_id=ada.id).hold_expires_at == NOW + timedelta(minutes=10)
    confirmed = engine.confirm_or_decline_booking(ada.id, payment_status=PaymentStatus.NOT_PAID)
    assert confirmed.status == BookingStatus.CONFIRMED
    assert engine.get_event_time_slot(event_id=full_class["event_id"]).remaining_capacity == 0
    events = list(models.BookingChange.objects.filter(booking__public_id=ada.id).values_list("event", "to_status"))
    assert events == [("created", "WAITING_LIST"), ("offered", "WAITING_LIST"), ("offer_accepted", "CREATED"),
                      ("confirmed", "CONFIRMED")]
    with pytest.raises(FailedPrecondition):  # the link is no waitlist's any more
        engine.accept_waitlist_offer(token, selected_payment_option=SelectedPaymentOption.OFFLINE)


def test_an_entry_not_offered_a_place_cannot_accept_and_a_payment_option_is_checked(engine, full_class):
    ada = join(engine, full_class["event_id"], "Ada")
    token = engine.get_anonymous_action_token(ada.id)
    with pytest.raises(FailedPrecondition) as early:
        engine.accept_waitlist_offer(token, selected_payment_option=SelectedPaymentOption.OFFLINE)
    assert early.value.code == "WAITLIST_OFFER_LAPSED"
    with pytest.raises(Exception) as unknown:
        engine.accept_waitlist_offer(token, selected_payment_option="BARTER")
    assert getattr(unknown.value, "code", "") == "INVALID_PAYMENT_OPTION"
    with pytest.raises(NotFound):
        engine.accept_waitlist_offer("x" * 43, selected_payment_option=SelectedPaymentOption.OFFLINE)
    assert status(ada) == BookingStatus.WAITING_LIST


def test_a_lapsed_offer_passes_to_the_next_and_cannot_be_accepted(engine, full_class, clock,
                                                                   django_capture_on_commit_callbacks):
    event_id = full_class["event_id"]
    ada, bo = join(engine, event_id, "Ada"), join(engine, event_id, "Bo")
    cancel(engine, full_class["taken"][0], django_capture_on_commit_callbacks)
    token = engine.get_anonymous_action_token(ada.id)
    clock.shift(timedelta(minutes=10))  # the offer ends at this very moment
    with pytest.raises(FailedPrecondition) as lapsed:
        engine.accept_waitlist_offer(token, selected_payment_option=SelectedPaymentOption.OFFLINE)
    assert lapsed.value.code == "WAITLIST_OFFER_LAPSED"
    # A lapsed offer stops counting at once, but only the worker's job (or the next offer) ends it.
    assert engine.get_event_time_slot(event_id=event_id).remaining_capacity == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert engine.expire_waitlist_offers() == 1
    assert status(ada) == BookingStatus.DECLINED
    [next_one] = engine.query_extended_bookings(booking_ids=[bo.id])
    assert next_one.waitlist_offer_expires_at == NOW + timedelta(minutes=20)
    assert not Message.objects.filter(booking_id=ada.id, kind="declined").exists()  # no "declined" email for it


def test_leaving_the_waitlist_passes_a_running_offer_to_the_next(engine, full_class,
                                                                  django_capture_on_commit_callbacks):
    event_id = full_class["event_id"]
    ada, bo = join(engine, event_id, "Ada"), join(engine, event_id, "Bo")
    cancel(engine, full_class["taken"][0], django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        left = engine.leave_waitlist(engine.get_anonymous_action_token(ada.id))
    assert left.status == BookingStatus.CANCELED
    assert engine.query_extended_bookings(booking_ids=[bo.id])[0].waitlist_offer_expires_at is not None
    assert not Message.objects.filter(booking_id=ada.id, kind="canceled").exists()


def test_the_waitlist_of_a_session_that_started_ends(engine, full_class, clock, django_capture_on_commit_callbacks):
    ada = join(engine, full_class["event_id"], "Ada")
    clock.move_to(full_class["session"].start)
    with django_capture_on_commit_callbacks(execute=True):
        assert engine.expire_waitlist_offers() == 1
    assert status(ada) == BookingStatus.DECLINED
    assert models.BookingChange.objects.filter(booking__public_id=ada.id, event="declined",
                                               reason="the session is no longer open").exists()


def test_more_seats_given_to_a_session_reach_the_waitlist_through_the_job(engine, full_class):
    event_id = full_class["event_id"]
    ada, bo, cy = (join(engine, event_id, name) for name in ("Ada", "Bo", "Cy"))
    models.ClassSession.objects.filter(pk=full_class["session"].pk).update(capacity=4)
    engine.expire_waitlist_offers()
    offered = {b.id: b.waitlist_offer_expires_at for b in engine.query_extended_bookings(
        booking_ids=[ada.id, bo.id, cy.id])}
    assert offered == {ada.id: NOW + timedelta(minutes=10), bo.id: NOW + timedelta(minutes=10), cy.id: None}


def test_the_offers_email_is_filed_in_the_offers_own_transaction(engine, full_class):
    ada = join(engine, full_class["event_id"], "Ada")
    models.ClassSession.objects.filter(pk=full_class["session"].pk).update(capacity=3)

    class RolledBack(Exception):
        pass

    with pytest.raises(RolledBack), transaction.atomic():
        [offered] = engine.offer_waitlist_places(event_id=full_class["event_id"])
        # Before anything commits, the email's row is there beside the offer (an after-commit filing would not be).
        assert Message.objects.filter(booking_id=ada.id, kind="waitlist_offer", version=f"r{offered.revision}") \
            .exists()
        raise RolledBack
    # Undone together: no offer, no email.
    assert models.Booking.objects.get(public_id=ada.id).hold_expires_at is None
    assert not Message.objects.filter(kind="waitlist_offer").exists()
