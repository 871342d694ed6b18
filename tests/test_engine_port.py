"""The local engine is the port's shape: the port's signatures on every operation, and its enums in what it returns.
The models' choices take their values from the same enums."""

import dataclasses
import inspect
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from booking import models
from booking import port as p
from booking.backends.local import LocalEngine
from booking.errors import InvalidArgument
from tests.catalog import ANSWERS, make_business, make_form, make_service, make_staff, weekdays

NY = ZoneInfo("America/New_York")


# The abstract operations, and those with a default in the port that the engine does its own way.
OWN = sorted(p.BookingsPort.__abstractmethods__ | {name for name in vars(LocalEngine) if name in vars(p.BookingsPort)
                                                   and callable(getattr(p.BookingsPort, name))})


@pytest.mark.parametrize("name", OWN)
def test_each_operation_has_the_ports_signature(name):
    declared = inspect.signature(getattr(p.BookingsPort, name))
    declared = declared.replace(parameters=list(declared.parameters.values())[1:])  # without self
    assert inspect.signature(getattr(LocalEngine(), name)) == declared


@pytest.mark.parametrize(("choices", "enum"), [
    (models.BookingStatus, p.BookingStatus),
    (models.PaymentStatus, p.PaymentStatus),
    (models.SelectedPaymentOption, p.SelectedPaymentOption),
    (models.catalog.ServiceType, p.ServiceType),
    (models.catalog.RateType, p.RateType),
])
def test_the_models_choices_are_the_ports_values(choices, enum):
    assert {(c.name, c.value) for c in choices} == {(m.name, m.value) for m in enum}


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen_clock")
def test_what_the_engine_returns_carries_the_ports_enums(engine):
    make_business()
    ana = make_staff("Ana", weekdays(time(9), time(12)))
    make_service([ana], form=make_form())
    [service] = engine.query_services()
    assert type(service.type) is p.ServiceType and service.type is p.ServiceType.APPOINTMENT
    assert type(service.payment.rate_type) is p.RateType
    start = datetime(2026, 3, 2, 9, tzinfo=NY)
    booking = engine.create_booking(p.CreateBookingRequest(
        slot=p.Slot(service_id=service.id, start_date=start, end_date=start + timedelta(minutes=60),
                    timezone="America/New_York"),
        contact_details=p.ContactDetails("", "", ""), form_submission=ANSWERS,
        selected_payment_option=p.SelectedPaymentOption.OFFLINE,
    ))
    assert booking.status is p.BookingStatus.CREATED
    assert booking.payment_status is p.PaymentStatus.UNDEFINED
    assert booking.selected_payment_option is p.SelectedPaymentOption.OFFLINE
    [read] = engine.query_extended_bookings(booking_ids=[booking.id])  # read back from the database's strings
    assert type(read.status) is p.BookingStatus and type(read.payment_status) is p.PaymentStatus
    confirmed = engine.confirm_or_decline_booking(booking.id, payment_status=p.PaymentStatus.NOT_PAID)
    assert confirmed.status is p.BookingStatus.CONFIRMED and confirmed.payment_status is p.PaymentStatus.NOT_PAID


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen_clock")
def test_values_outside_the_enums_are_refused_and_change_nothing(engine):
    """Even with the payment option check skipped, or where a payment status is optional, a value must be one of
    Wix's: the engine's answers carry enum members, and a stray string must not reach the database."""
    make_business()
    ana = make_staff("Ana", weekdays(time(9), time(12)))
    make_service([ana], form=make_form())
    [service] = engine.query_services()
    start = datetime(2026, 3, 2, 9, tzinfo=NY)
    request = p.CreateBookingRequest(
        slot=p.Slot(service_id=service.id, start_date=start, end_date=start + timedelta(minutes=60),
                    timezone="America/New_York", resource=p.Resource(str(ana.pk), ana.name)),
        contact_details=p.ContactDetails("", "", ""), form_submission=ANSWERS, selected_payment_option="CASH",
    )
    skip = p.FlowControlSettings(skip_selected_payment_option_validation=True)
    with pytest.raises(InvalidArgument, match="payment option"):
        engine.create_booking(request, caller=p.Caller.STAFF, flow_control_settings=skip)
    assert not models.Booking.objects.exists()
    booking = engine.create_booking(dataclasses.replace(request, selected_payment_option="OFFLINE"))
    for change in (engine.confirm_booking, engine.decline_booking, engine.mark_booking_as_pending):
        with pytest.raises(InvalidArgument, match="payment status"):
            change(booking.id, revision=booking.revision, payment_status="SORT_OF_PAID")
    with pytest.raises(InvalidArgument, match="payment status"):
        engine.update_payment_status(booking.id, payment_status="SORT_OF_PAID")
    row = models.Booking.objects.get()
    assert (row.status, row.payment_status, row.revision) == ("CREATED", "UNDEFINED", booking.revision)
