"""Wix's error responses as the port's errors: one test per row of the table in booking/backends/wix/errors.py."""

import pytest

from booking import errors
from booking.backends.wix.errors import ERROR_TABLE, error_class, from_response
from tests.wix_samples import sample


def app_error(code: str, message: str = "Wix says no.") -> dict:
    return {"message": message, "details": {"applicationError": {"code": code, "description": message,
                                                                 "data": {"x": 1}}}}


ROWS = [
    (400, "INVALID_DATE_FORMAT", errors.InvalidArgument, "INVALID_DATE_FORMAT", 400),
    (401, "", errors.PermissionDenied, "UNAUTHENTICATED", 403),
    (403, "BOOKING_POLICY_VIOLATION", errors.BookingPolicyViolation, "BOOKING_POLICY_VIOLATION", 403),
    (403, "UNAUTHORIZED_OPERATION", errors.PermissionDenied, "UNAUTHORIZED_OPERATION", 403),
    (404, "SLOT_NOT_FOUND", errors.NotFound, "SLOT_NOT_FOUND", 404),
    (409, "", errors.RevisionMismatch, "REVISION_MISMATCH", 409),
    (428, "SLOT_NOT_AVAILABLE", errors.SlotNotAvailable, "SLOT_NOT_AVAILABLE", 428),
    (428, "SESSION_CAPACITY_EXCEEDED", errors.SlotNotAvailable, "SESSION_CAPACITY_EXCEEDED", 428),
    (428, "SCHEDULE_CAPACITY_EXCEEDED", errors.SlotNotAvailable, "SCHEDULE_CAPACITY_EXCEEDED", 428),
    (428, "FAILED_VALIDATING_AVAILABILITY", errors.SlotNotAvailable, "FAILED_VALIDATING_AVAILABILITY", 428),
    (428, "BOOKING_STATUS_ALREADY_SET", errors.FailedPrecondition, "BOOKING_STATUS_ALREADY_SET", 428),
    (429, "", errors.Unavailable, "RESOURCE_EXHAUSTED", 503),
    (500, "", errors.Unavailable, "UNAVAILABLE", 503),
    (502, "", errors.Unavailable, "UNAVAILABLE", 503),
    (503, "", errors.Unavailable, "UNAVAILABLE", 503),
    (504, "", errors.Unavailable, "UNAVAILABLE", 503),
]


def test_every_row_of_the_table_is_tested():
    assert len(ROWS) == len(ERROR_TABLE)
    for status, code, cls, _, _ in ROWS:
        assert error_class(status, code or None)[0] is cls


@pytest.mark.parametrize(("status", "code", "cls", "carried", "page_status"), ROWS)
def test_a_wix_error_becomes_the_ports_error(status, code, cls, carried, page_status):
    error = from_response(status, app_error(code) if code else {"message": "Wix says no."})
    assert type(error) is cls
    assert error.code == carried
    assert error.http_status == page_status
    if cls is not errors.Unavailable:
        assert error.message == "Wix says no."
    else:
        assert error.message == errors.Unavailable.default_message  # Wix's outage text is no help to a customer


def test_a_code_the_table_does_not_name_falls_back_by_status():
    assert type(from_response(418, {})) is errors.InvalidArgument
    assert type(from_response(507, {})) is errors.Unavailable
    assert type(from_response(428, app_error("SOMETHING_NEW"))) is errors.FailedPrecondition


def test_wixs_documented_validation_error_keeps_its_field_violations():
    error = from_response(400, sample("12-error-generic-validation-error-response.json"))
    assert isinstance(error, errors.InvalidArgument)
    assert error.message == "Not really valid"
    assert set(error.field_violations) == {"fieldA", "fieldB", "fieldC"}
    assert error.field_violations["fieldB"].startswith("Field value out of range")


def test_wixs_documented_application_errors_parse():
    error = from_response(428, sample("12-error-confirm-or-decline-booking-already-confirmed-response.json"))
    assert type(error) is errors.FailedPrecondition
    assert error.code == "BOOKING_STATUS_ALREADY_SET"
    assert error.data == {"currentBookingStatus": "CONFIRMED"}
    generic = from_response(428, sample("12-error-generic-application-error-response.json"))
    assert generic.code == sample("12-error-generic-application-error-response.json")["details"][
        "applicationError"]["code"]
    system = from_response(500, sample("12-error-generic-system-error-response.json"))
    assert type(system) is errors.Unavailable


def test_a_body_that_is_not_wixs_shape_still_maps_by_status():
    for body in (None, [], "oops", {"details": "nope"}, {"details": {"applicationError": "x"}}):
        error = from_response(404, body)
        assert type(error) is errors.NotFound
        assert error.message == errors.NotFound.default_message
