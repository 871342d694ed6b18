"""Class, course and package pages through Django's test client: the journeys and what bad input gets, on both
backends (the wix backend against the Wix sandbox under a live server), and what the pages cost in queries on the
embedded engine."""

from datetime import date, time, timedelta
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from booking import models
from booking.models.catalog import ServiceType
from tests.catalog import ANSWERS, make_business, make_class, make_policy, make_service, make_staff, weekdays

pytestmark = [pytest.mark.usefixtures("frozen_clock"), pytest.mark.django_db(transaction=True)]

CONTACT = {k: ANSWERS[k] for k in ("first_name", "last_name", "email", "phone")}


@pytest.fixture(params=["local", "wix"])
def studio(request):
    if request.param == "wix":
        request.getfixturevalue("wix_site")
    return make_studio()


def make_studio():
    make_business()
    make_policy(max_participants_per_booking=3)
    sam = make_staff("Sam", weekdays(time(8), time(20)))
    yoga = make_class(sam, [(1, time(18, 30)), (3, time(7))], capacity=4, name="Yoga")
    course = make_class(sam, [(2, time(19))], capacity=2, type=ServiceType.COURSE, name="Pilates course",
                        starts_on=date(2026, 3, 4), ends_on=date(2026, 4, 8))
    return {"sam": sam, "yoga": yoga, "course": course}


def first_session(service):
    return models.ClassSession.objects.filter(service=service).order_by("start").first()


def book_class(client, service, session, participants=1):
    details = reverse("booking:details", args=[service.slug])
    page = client.post(details, {"event": session.public_id, "participants": participants, **CONTACT})
    assert page.status_code == 302, page.content.decode()[:500]
    review = client.get(reverse("booking:review", args=[service.slug]))
    return client.post(reverse("booking:review", args=[service.slug]),
                       {"submission_key": review.context["draft"].submission_key, "payment": "in_person"})


def test_the_class_page_marks_the_days_with_sessions_and_lists_the_first(client, studio):
    page = client.get(reverse("booking:slots", args=["yoga"]))
    html = page.content.decode()
    assert page.status_code == 200
    for day in ("Tuesday 3 March", "Thursday 5 March", "Tuesday 31 March"):
        assert f'aria-label="{day}, sessions available"' in html
    assert 'aria-label="Wednesday 4 March' not in html
    # The first day with a session to book is chosen: Tuesday 18:30, with its teacher and places.
    assert "Tuesday 3 March</h2>" in html and html.count("4 spots left") == 1
    assert "6:30 PM" in html and "with Sam" in html
    thursday = client.get(reverse("booking:slots", args=["yoga"]) + "?month=2026-03&day=2026-03-05")
    assert "7:00 AM" in thursday.content.decode() and len(thursday.context["sessions"]) == 1


def test_a_day_whose_sessions_are_all_closed_is_marked_so(client, studio):
    session = first_session(studio["yoga"])
    session.cancelled = True
    session.save(update_fields=["cancelled"])
    html = client.get(reverse("booking:slots", args=["yoga"])).content.decode()
    assert 'calendar__day--closed" href="?month=2026-03&amp;day=2026-03-03"' in html
    assert 'aria-label="Tuesday 3 March, full or closed"' in html
    assert "Thursday 5 March</h2>" in html  # the first day with a session to book
    cancelled = client.get(reverse("booking:slots", args=["yoga"]) + "?day=2026-03-03").content.decode()
    assert "Cancelled" in cancelled and "session__book" not in cancelled


def test_a_customer_books_two_places_in_a_class(client, studio):
    session = first_session(studio["yoga"])
    done = book_class(client, studio["yoga"], session, participants=2)
    assert done.status_code == 302
    booking = models.Booking.objects.get()
    assert (booking.status, booking.total_participants, booking.session_id) == ("CONFIRMED", 2, session.pk)
    assert "2 spots left" in client.get(reverse("booking:slots", args=["yoga"])).content.decode()
    confirmation = client.get(done.url).content.decode()
    assert "You're booked" in confirmation and "Participants" in confirmation


def test_a_full_session_says_so_and_its_booking_is_refused(client, studio):
    session = first_session(studio["yoga"])
    book_class(client, studio["yoga"], session, participants=3)
    page = client.get(reverse("booking:slots", args=["yoga"])).content.decode()
    assert "1 spot left" in page
    details = client.get(reverse("booking:details", args=["yoga"]) + f"?event={session.public_id}&participants=2")
    assert details.status_code == 409 and "Only 1 place left" in details.content.decode()
    assert models.Booking.objects.count() == 1


@pytest.mark.parametrize("participants, status", [("0", 400), ("4", 400), ("two", 400), ("-1", 400)])
def test_participant_counts_outside_the_limit_get_a_clear_400(client, studio, participants, status):
    session = first_session(studio["yoga"])
    page = client.post(reverse("booking:details", args=["yoga"]),
                       {"event": session.public_id, "participants": participants, **CONTACT})
    assert page.status_code == status
    assert "participant" in page.content.decode()
    assert not models.Booking.objects.exists()


@pytest.mark.parametrize("query, status", [
    # An unknown session is treated like one that is gone: back to the class's sessions, as a 409.
    ("?event=not-a-uuid", 409), ("?event=6f1f3a8e-8d1e-4a7e-9c55-0d6c4f6a1b2c", 409), ("", 400),
])
def test_unknown_or_missing_sessions_get_a_clear_answer(client, studio, query, status):
    page = client.get(reverse("booking:details", args=["yoga"]) + query)
    assert page.status_code == status
    assert "session" in page.content.decode().lower()


def test_a_course_is_booked_as_a_whole(client, studio):
    page = client.get(reverse("booking:slots", args=["pilates-course"])).content.decode()
    assert page.count("<li") >= 6 and "2 places left of 2" in page and "Book the whole course" in page
    details = reverse("booking:details", args=["pilates-course"])
    assert client.post(details, {"participants": 2, **CONTACT}).status_code == 302
    review = client.get(reverse("booking:review", args=["pilates-course"]))
    assert "6 sessions" in review.content.decode()
    client.post(reverse("booking:review", args=["pilates-course"]),
                {"submission_key": review.context["draft"].submission_key, "payment": "in_person"})
    booking = models.Booking.objects.get()
    assert (booking.status, booking.total_participants, booking.session) == ("CONFIRMED", 2, None)
    assert "This course is full." in client.get(reverse("booking:slots", args=["pilates-course"])).content.decode()


def test_the_time_zone_switch_shows_both_zones_and_refuses_unknown_zones(client, studio):
    massage = make_service([studio["sam"]], name="Massage")
    page = client.get(reverse("booking:slots", args=[massage.slug]) + "?tz=Europe/London&day=2026-03-02")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Times are in Europe/London" in html and "ours" in html
    assert "1:00 PM" in html and "8:00 AM ours" in html  # 08:00 in New York is 13:00 in London
    bad = client.get(reverse("booking:slots", args=[massage.slug]) + "?tz=Mars/Olympus")
    assert bad.status_code == 400 and "time zone" in bad.content.decode()


def test_a_customer_in_sydney_sees_class_days_in_their_own_zone(client, studio):
    page = client.get(reverse("booking:slots", args=["yoga"]) + "?tz=Australia/Sydney")
    html = page.content.decode()
    # Tuesday 18:30 in New York is Wednesday 10:30 in Sydney: the calendar marks the Wednesday, and chooses it.
    assert 'aria-label="Wednesday 4 March, sessions available"' in html and "Tuesday 3 March" not in html
    assert "Wednesday 4 March</h2>" in html
    assert "10:30 AM" in html and "6:30 PM ours" in html


# ---- packages ---------------------------------------------------------------------------------------------


@pytest.fixture
def spa(studio):
    return make_spa()


def make_spa():
    maya = make_staff("Maya", weekdays(time(9), time(13)))
    priya = make_staff("Priya", weekdays(time(9), time(13)))
    massage = make_service([maya], name="Massage")
    facial = make_service([priya], name="Facial", duration_minutes=45, slot_interval_minutes=15)
    return {"massage": massage, "facial": facial}


def test_a_customer_books_a_package_back_to_back(client, spa):
    services = f"services={spa['massage'].pk}&services={spa['facial'].pk}"
    times = client.get(reverse("booking:package_times") + f"?{services}&week=2026-03-02")
    assert times.status_code == 200 and "9:00 AM" in times.content.decode()
    start = "2026-03-02T09:00:00-05:00"
    details = client.post(reverse("booking:package_details"),
                          {"services": [spa["massage"].pk, spa["facial"].pk], "start": start, **CONTACT})
    assert details.status_code == 302
    review = client.get(reverse("booking:package_review"))
    assert "Massage" in review.content.decode() and "Facial" in review.content.decode()
    done = client.post(reverse("booking:package_review"), {"submission_key": review.context["submission_key"]})
    assert done.status_code == 302
    first, second = models.Booking.objects.order_by("start")
    assert first.multi_service_booking == second.multi_service_booking is not None
    assert second.start == first.end and {first.status, second.status} == {"CONFIRMED"}
    assert "Your package is booked" in client.get(done.url).content.decode()
    # A second submit of the same review makes nothing more.
    client.post(reverse("booking:package_review"), {"submission_key": review.context["submission_key"]})
    assert models.Booking.objects.count() == 2


@pytest.mark.parametrize("query", ["services=1", "services=0&services=-1", "", "services=abc&services=1"])
def test_packages_of_the_wrong_size_or_services_get_a_clear_400(client, spa, query):
    page = client.get(reverse("booking:package_times") + "?" + query)
    assert page.status_code == 400


def test_a_taken_package_time_sends_the_customer_back_with_a_409(client, spa):
    services = [spa["massage"].pk, spa["facial"].pk]
    page = client.get(reverse("booking:package_details") + "?" + urlencode(
        {"services": services, "start": "2026-03-02T12:30:00-05:00"}, doseq=True))
    assert page.status_code == 409 and "just taken" in page.content.decode()


@pytest.mark.parametrize("tz", ["Europe/Nowhere", " ", "\x00"])
def test_a_taken_package_time_with_a_zone_that_cannot_be_right_is_still_a_409(client, spa, tz):
    """The 409 page lists the times in the request's zone; a zone that does not exist cannot list them, and the
    page says what happened instead of failing."""
    services = [spa["massage"].pk, spa["facial"].pk]
    for method in (client.get, client.post):
        page = method(reverse("booking:package_details") + "?" + urlencode(
            {"services": services, "start": "2026-03-02T12:30:00-05:00", "tz": tz}, doseq=True),
            {"services": services, "start": "2026-03-02T12:30:00-05:00", "tz": tz, **CONTACT})
        assert page.status_code == 409 and "just taken" in page.content.decode()
    assert not models.Booking.objects.exists()


def test_class_and_package_pages_cost_the_same_queries_whatever_they_show(client, django_assert_num_queries):
    studio = make_studio()
    spa = make_spa()
    services = f"services={spa['massage'].pk}&services={spa['facial'].pk}"
    client.get("/")  # Django checks SQLite's JSON support once per connection: not part of the page's cost
    # The first visit reads the catalog (the service, its staff, its places: three queries); later ones find it
    # kept (booking/backends/local/catalog_cache.py).
    with django_assert_num_queries(5):
        client.get(reverse("booking:slots", args=["yoga"]))
    with django_assert_num_queries(8):
        client.get(reverse("booking:package_times") + f"?{services}&week=2026-03-02")
    for week, month in (("2026-03-02", "?month=2026-03"), ("2026-03-09", "?day=2026-04-09"),
                        ("2026-03-30", "?month=2027-02&tz=Europe/London")):
        with django_assert_num_queries(2):
            assert client.get(reverse("booking:slots", args=["yoga"]) + month).status_code == 200
        with django_assert_num_queries(5):
            assert client.get(reverse("booking:package_times") + f"?{services}&week={week}").status_code == 200
    for n in range(6):  # more sessions and bookings change nothing
        start = first_session(studio["yoga"]).start + timedelta(hours=n + 1)
        models.ClassSession.objects.create(service=studio["yoga"], start=start, end=start + timedelta(hours=1),
                                           capacity=5)
    with django_assert_num_queries(2):
        client.get(reverse("booking:slots", args=["yoga"]))
    with django_assert_num_queries(2):  # a day chosen with htmx: that day's sessions alone, from one call too
        day = client.get(reverse("booking:slots", args=["yoga"]) + "?day=2026-03-05",
                         headers={"HX-Request": "true", "HX-Target": "times"})
    assert day.content.decode().lstrip().startswith('<section id="times"') and len(day.context["sessions"]) == 1


def test_a_package_with_an_online_only_treatment_says_so_before_any_form(client, spa):
    spa["facial"].pay_online, spa["facial"].pay_in_person = True, False
    spa["facial"].save()
    page = client.get(reverse("booking:package_times") + f"?services={spa['massage'].pk}&services={spa['facial'].pk}")
    html = page.content.decode()
    assert page.status_code == 409 and "Facial can only be paid online" in html
    assert html.count("checked") == 2  # the ticks are kept


def test_too_few_treatments_keep_the_ticks_and_say_why(client, spa):
    page = client.get(reverse("booking:package_times") + f"?services={spa['massage'].pk}")
    assert page.status_code == 400 and "between 2 and 8" in page.content.decode()
    assert page.content.decode().count("checked") == 1
