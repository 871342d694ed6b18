"""The wix backend through the bookings port, against the Wix sandbox under a live server (real HTTP): the same
operations as the local engine's tests, the double-submit rule, course places as Wix advises, and the events."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from booking import errors
from booking.backends import get_backend
from booking.backends.wix.backend import WixBackend
from booking.events import booking_event
from booking.port import ContactDetails, CreateBookingRequest, Resource, Slot
from bookingsite.sandboxes.wix import recorder
from tests.catalog import ANSWERS, make_business, make_class, make_form, make_policy, make_service, make_staff, weekdays

NY = ZoneInfo("America/New_York")

pytestmark = [pytest.mark.usefixtures("frozen_clock"), pytest.mark.django_db(transaction=True)]


@pytest.fixture
def studio(wix_site):
    make_business()
    make_policy(cancellation_enabled=True, reschedule_enabled=True)
    ana = make_staff("Ana", weekdays(time(9), time(12)))
    ben = make_staff("Ben", weekdays(time(10), time(12)))
    massage = make_service([ana, ben], form=make_form(), slot_interval_minutes=60)
    return {"ana": ana, "ben": ben, "massage": massage}


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=NY)


def request_for(service, start, staff=None):
    return CreateBookingRequest(
        slot=Slot(service_id=str(service.pk), start_date=start, end_date=start + timedelta(minutes=60),
                  timezone="America/New_York", resource=Resource(str(staff.pk), staff.name) if staff else None),
        contact_details=ContactDetails("", "", ""), form_submission=ANSWERS, selected_payment_option="OFFLINE")


def test_the_configured_backend_is_wix(studio):
    assert isinstance(get_backend(), WixBackend)


def test_catalog_reads_come_from_the_sandbox_and_are_cached(studio):
    backend = get_backend()
    [service] = backend.query_services()
    assert service.name == "Massage" and {m.name for m in service.staff_members} == {"Ana", "Ben"}
    assert backend.get_business_info().time_zone == "America/New_York"
    form = backend.get_form_summary(service.form_id)
    assert [f.target for f in form.fields][:3] == ["first_name", "last_name", "email"]
    assert form.fields[4].type == "CHOICE" and form.fields[4].options == ("Relax", "Recover")
    calls = len(recorder.requests)
    backend.query_services()
    backend.get_business_info()
    backend.get_form_summary(service.form_id)
    assert len(recorder.requests) == calls  # Django's cache answered


def test_slots_and_a_booking_round_trip(studio):
    backend = get_backend()
    service_id = str(studio["massage"].pk)
    slots = backend.list_availability_time_slots(service_id=service_id, from_local_date="2026-03-02T00:00:00",
                                                 to_local_date="2026-03-03T00:00:00")
    assert [s.local_start_date for s in slots.time_slots] == ["2026-03-02T09:00:00", "2026-03-02T10:00:00",
                                                              "2026-03-02T11:00:00"]
    assert slots.time_slots[0].start_date == at(2, 9)
    assert {r.name for r in slots.time_slots[1].staff} == {"Ana", "Ben"}
    booking = backend.create_booking(request_for(studio["massage"], at(2, 10), studio["ana"]))
    assert booking.status == "CREATED" and booking.revision == 1
    assert booking.slot.start_date == at(2, 10) and booking.slot.resource.name == "Ana"
    assert booking.form_submission["goal"] == "Relax"
    confirmed = backend.confirm_or_decline_booking(booking.id, payment_status="NOT_PAID")
    assert confirmed.status == "CONFIRMED" and confirmed.payment_status == "NOT_PAID"
    slot = backend.get_availability_time_slot(service_id=service_id, local_start_date="2026-03-02T10:00:00",
                                              local_end_date="2026-03-02T11:00:00")
    assert [r.name for r in slot.staff] == ["Ben"]
    with pytest.raises(errors.SlotNotAvailable):
        backend.create_booking(request_for(studio["massage"], at(2, 10), studio["ana"]))
    with pytest.raises(errors.RevisionMismatch):
        backend.cancel_booking(booking.id, revision=1)
    canceled = backend.cancel_booking(booking.id, revision=confirmed.revision)
    assert canceled.status == "CANCELED"
    assert [b.status for b in backend.query_extended_bookings(booking_ids=[booking.id, "nope"])] == ["CANCELED"]


def test_a_second_submit_finds_the_first_booking_without_a_second_create(studio):
    backend = get_backend()
    key = "5b0f3f3e-9a43-4c1e-8f0e-1d2b3c4d5e6f"
    first = backend.create_booking(request_for(studio["massage"], at(2, 9), studio["ana"]), submission_key=key)
    again = backend.create_booking(request_for(studio["massage"], at(2, 9), studio["ana"]), submission_key=key)
    assert again.id == first.id
    creates = [r for r in recorder.requests if r["path"].endswith("/bookings/v2/bookings")]
    assert len(creates) == 1
    assert creates[0]["body"]["booking"]["externalUserId"] == key


def test_a_submit_whose_create_was_lost_finds_its_booking_by_external_user_id(studio):
    from booking.backends.wix.models import SubmissionClaim

    backend = get_backend()
    key = "6c1f3f3e-9a43-4c1e-8f0e-1d2b3c4d5e6f"
    first = backend.create_booking(request_for(studio["massage"], at(2, 9), studio["ana"]), submission_key=key)
    SubmissionClaim.objects.filter(key=key).update(booking_id="")  # as if the answer never came back
    again = backend.create_booking(request_for(studio["massage"], at(2, 9), studio["ana"]), submission_key=key)
    assert again.id == first.id
    assert len([r for r in recorder.requests if r["path"].endswith("/bookings/v2/bookings")]) == 1


def test_a_refused_create_frees_its_submission_key(studio):
    backend = get_backend()
    key = "7d1f3f3e-9a43-4c1e-8f0e-1d2b3c4d5e6f"
    with pytest.raises(errors.SlotNotAvailable):  # Ana does not work at 7
        backend.create_booking(request_for(studio["massage"], at(2, 7), studio["ana"]), submission_key=key)
    booking = backend.create_booking(request_for(studio["massage"], at(2, 9), studio["ana"]), submission_key=key)
    assert booking.status == "CREATED"


def test_the_manage_link_cancels_anonymously(studio):
    backend = get_backend()
    booking = backend.create_booking(request_for(studio["massage"], at(3, 10), studio["ben"]))
    booking = backend.confirm_or_decline_booking(booking.id, payment_status="NOT_PAID")
    token = backend.get_anonymous_action_token(booking.id)
    opened = backend.get_booking_anonymously(token)
    assert opened.booking.id == booking.id and opened.allowed_anonymous_actions.cancel
    token_calls = [r for r in recorder.requests if "/v1/anonymous-bookings/" in r["path"]
                   and not r["path"].endswith("/token")]
    assert token_calls and all("authorization" not in r["headers"] for r in token_calls)
    canceled = backend.cancel_booking_anonymously(token, revision=opened.booking.revision)
    assert canceled.status == "CANCELED"
    with pytest.raises(errors.NotFound):
        backend.get_booking_anonymously("not-a-token")


def test_staff_confirm_and_decline_need_the_app_identity(studio):
    backend = get_backend()
    booking = backend.create_booking(request_for(studio["massage"], at(3, 9), studio["ana"]))
    confirmed = backend.confirm_booking(booking.id, revision=booking.revision, payment_status="EXEMPT")
    assert confirmed.status == "CONFIRMED" and confirmed.payment_status == "EXEMPT"
    call = [r for r in recorder.requests if r["path"].endswith("/confirm")][0]
    assert call["authorization"] == "app" and "wix-site-id" in call["headers"]
    other = backend.create_booking(request_for(studio["massage"], at(3, 11), studio["ana"]))
    assert backend.decline_booking(other.id, revision=other.revision).status == "DECLINED"
    [(_, actions)] = backend.bulk_calculate_allowed_actions(booking_ids=[confirmed.id])
    assert actions.cancel


def test_events_come_from_the_wix_backend_only(studio):
    seen = []

    def receiver(sender, **kwargs):
        seen.append((kwargs["event"], kwargs["source"]))

    booking_event.connect(receiver)
    try:
        backend = get_backend()
        booking = backend.create_booking(request_for(studio["massage"], at(4, 9), studio["ana"]))
        backend.confirm_or_decline_booking(booking.id, payment_status="NOT_PAID")
    finally:
        booking_event.disconnect(receiver)
    # The local engine behind the sandbox also recorded both changes; only the wix backend's emissions arrive.
    assert seen == [("created", "wix"), ("confirmed", "wix")]


def test_course_places_are_counted_from_the_courses_bookings(studio):
    ana = studio["ana"]
    course = make_class(ana, [(0, time(18))], capacity=3, type="COURSE", name="Pottery",
                        starts_on=datetime(2026, 3, 9).date(), ends_on=datetime(2026, 3, 30).date())
    backend = get_backend()
    before = backend.get_course_availability(service_id=str(course.pk))
    assert before.total_capacity == 3 and before.remaining_capacity == 3 and before.bookable
    assert len(before.sessions) == 4
    [service] = backend.query_services(filter={"id": str(course.pk)})
    from booking.port import BookedSchedule

    booking = backend.create_booking(CreateBookingRequest(
        slot=None, schedule=BookedSchedule(service_id=service.id, schedule_id=service.schedule_id,
                                           timezone="America/New_York"),
        contact_details=ContactDetails("", "", ""), form_submission=ANSWERS, total_participants=1,
        selected_payment_option="OFFLINE"))
    backend.confirm_or_decline_booking(booking.id, payment_status="NOT_PAID")
    after = backend.get_course_availability(service_id=str(course.pk))
    assert after.remaining_capacity == 2
    extended = [r for r in recorder.requests if r["path"].endswith("/extended-bookings/query")]
    assert extended[-1]["body"]["query"]["filter"] == {"bookedEntity.item.schedule.scheduleId": service.schedule_id,
                                                       "status": {"$in": ["CONFIRMED", "PENDING"]}}
