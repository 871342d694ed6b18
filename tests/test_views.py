"""The customer pages through Django's test client: the appointment journey and what bad input gets, on both
backends: the embedded engine, and the wix backend talking to the Wix sandbox over real HTTP (a live server; the
tables asserted are the ones behind the sandbox). What is about the engine itself (its query count) or the admin
(which reads the engine's tables) runs on the engine only, with `local_studio`."""

import re
from datetime import datetime, time
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from booking import models
from booking.views.common import COMMON_ZONES
from tests.catalog import ANSWERS, FREE, make_business, make_form, make_policy, make_service, make_staff, weekdays

MONDAY_9 = "2026-03-02T09:00:00-05:00"
MONDAY_10 = "2026-03-02T10:00:00-05:00"

pytestmark = [pytest.mark.usefixtures("frozen_clock"), pytest.mark.django_db(transaction=True)]


@pytest.fixture(params=["local", "wix"])
def studio(request):
    if request.param == "wix":
        request.getfixturevalue("wix_site")
    return make_studio()


@pytest.fixture
def local_studio():
    return make_studio()


def make_studio():
    make_business()
    make_policy()
    ana = make_staff("Ana", weekdays(time(9), time(12)))
    massage = make_service([ana], form=make_form())
    return {"ana": ana, "massage": massage}


def details_url(service, start=MONDAY_9, end=MONDAY_10, staff="any"):
    return reverse("booking:details", args=[service.slug]) + "?" + urlencode(
        {"start": start, "end": end, "staff": staff})


def fill_details(client, service, answers=ANSWERS, **slot):
    data = {"start": slot.get("start", MONDAY_9), "end": slot.get("end", MONDAY_10), "staff": slot.get("staff", "any"),
            **answers}
    return client.post(reverse("booking:details", args=[service.slug]), data)


def submit_review(client, service, payment="in_person"):
    page = client.get(reverse("booking:review", args=[service.slug]))
    key = page.context["draft"].submission_key
    return client.post(reverse("booking:review", args=[service.slug]), {"submission_key": key, "payment": payment})


def test_the_home_page_lists_services_by_category(client, studio):
    page = client.get("/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Treatments" in html and "Massage" in html and "1 h" in html and "$80.00" in html
    assert "Test Studio" in html and "1 Main St, Springfield" in html and "America/New_York" in html


def test_the_slot_picker_shows_the_month_and_the_first_open_days_times(client, studio):
    page = client.get(reverse("booking:slots", args=["massage"]))
    assert page.status_code == 200
    html = page.content.decode()
    assert '<h2 id="picker-heading" class="calendar__title">March 2026</h2>' in html
    # Today, Sunday 1 March, has no times: plain text. Monday 2 March is the first open day, chosen.
    assert '<span class="calendar__day calendar__day--today">1</span>' in html
    assert ('href="?month=2026-03&amp;day=2026-03-02&amp;staff=any" aria-current="true" '
            'aria-label="Monday 2 March, times available">2</a>') in html
    assert 'aria-label="Saturday 7 March' not in html  # Ana works on weekdays
    assert "Monday 2 March</h2>" in html and "9:00 AM" in html and "11:00 AM" in html
    assert details_url(studio["massage"]).split("?")[1].replace("&", "&amp;") in html
    assert [time.slot.start_date.hour for time in page.context["times"]] == [14, 15, 16]  # 9, 10, 11 in New York
    # The last month that opens is the one 52 weeks ahead; the one before today's is not offered.
    assert 'aria-label="Previous month' not in html and 'aria-label="Next month, April 2026"' in html
    last = client.get(reverse("booking:slots", args=["massage"]) + "?month=2027-02").content.decode()
    assert 'aria-label="Next month' not in last and "Friday 26 February, times available" in last
    assert "Monday 1 March" not in last  # the calendar ends with February


def test_a_day_of_the_calendar_lists_its_times_and_keeps_the_filters(client, studio):
    url = reverse("booking:slots", args=["massage"]) + "?month=2026-03&day=2026-03-10&staff=any&tz=Europe/London"
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and "Tuesday 10 March</h2>" in html
    assert [time.slot.local_start_date for time in page.context["times"]] == [
        "2026-03-10T13:00:00", "2026-03-10T14:00:00", "2026-03-10T15:00:00"]  # London is 4 hours ahead this week
    assert 'aria-current="true" aria-label="Tuesday 10 March, times available"' in html
    assert "?month=2026-03&amp;day=2026-03-11&amp;staff=any&amp;tz=Europe%2FLondon" in html
    assert "?month=2026-04&amp;staff=any&amp;tz=Europe%2FLondon" in html
    # The day rides along in the staff and zone form, so that changing either keeps it.
    assert 'name="day" value="2026-03-10" form="picker-filters"' in html
    # A day without times (an old link, or another zone's day kept by the form) says so, and shows the next one.
    weekend = client.get(reverse("booking:slots", args=["massage"]) + "?day=2026-03-14").content.decode()
    assert "No open times on Saturday 14 March; the next day with times is shown." in weekend
    assert "Monday 16 March</h2>" in weekend and "March 2026</h2>" in weekend
    last = client.get(reverse("booking:slots", args=["massage"]) + "?day=2026-03-31&staff=any").content.decode()
    assert "Tuesday 31 March</h2>" in last and "No open times" not in last


def test_the_day_clocks_go_forward_lists_its_local_times(client, studio):
    ben = make_staff("Ben", weekdays(time(8), time(12), days=range(7)))
    studio["massage"].staff.add(ben)
    url = reverse("booking:slots", args=["massage"])
    page = client.get(url + f"?day=2026-03-08&staff={ben.pk}")  # New York springs forward at 2:00
    times = page.context["times"]
    assert [t.shown for t in times] == ["8:00 AM", "9:00 AM", "10:00 AM", "11:00 AM"]
    assert times[0].slot.start_date == datetime(2026, 3, 8, 8, tzinfo=ZoneInfo("America/New_York"))
    assert "start=2026-03-08T08%3A00%3A00-04%3A00" in times[0].href
    before = client.get(url + f"?day=2026-03-07&staff={ben.pk}").context["times"]
    assert "start=2026-03-07T08%3A00%3A00-05%3A00" in before[0].href
    # In London, whose clocks have not moved yet, the same mornings are 12:00 and 13:00.
    london = client.get(url + f"?day=2026-03-08&staff={ben.pk}&tz=Europe/London").context["times"]
    assert [(t.shown, t.ours) for t in london[:2]] == [("12:00 PM", "8:00 AM"), ("1:00 PM", "9:00 AM")]
    assert london[0].link == (
        f'<a class="slot" href="{london[0].href.replace("&", "&amp;")}" aria-label="Sunday 8 March at 12:00 PM'
        ' (8:00 AM our time)">12:00 PM<small class="slot__ours">8:00 AM ours</small></a>')


def test_the_slot_picker_returns_only_its_fragment_to_htmx(client, studio):
    url = reverse("booking:slots", args=["massage"]) + "?month=2026-04&day=2026-04-06&staff=any"
    page = client.get(url, headers={"HX-Request": "true", "HX-Target": "picker"})
    html = page.content.decode()
    assert page.status_code == 200
    assert html.lstrip().startswith('<section id="picker"')
    assert "<html" not in html
    assert "April 2026</h2>" in html and "Monday 6 April</h2>" in html
    # A day chosen in the calendar: its times alone, the calendar stays as it is.
    day = client.get(url, headers={"HX-Request": "true", "HX-Target": "times", "HX-Boosted": "true"})
    html = day.content.decode()
    assert html.lstrip().startswith('<section id="times"') and "calendar" not in html
    assert "Monday 6 April</h2>" in html and "9:00 AM" in html
    # Going back in history with htmx asks for the whole page again.
    back = client.get(url, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in back.content.decode()


def test_the_zone_list_has_the_common_zones_and_the_one_shown_selected_ours_marked(client, studio):
    html = client.get(reverse("booking:slots", args=["massage"]) + "?tz=Asia/Kathmandu").content.decode()
    options = re.findall(r'<option value="([^"]+)"( selected)?>([^<]+)</option>', html[html.index('<select id="tz"'):])
    assert [value for value, _, _ in options] == sorted({*COMMON_ZONES, "Asia/Kathmandu"})
    assert [value for value, selected, _ in options if selected] == ["Asia/Kathmandu"]
    assert [label for _, _, label in options if label.endswith(" (ours)")] == ["America/New_York (ours)"]
    assert all(label in (value, f"{value} (ours)") for value, _, label in options)


def test_another_month_works_without_javascript(client, studio):
    page = client.get(reverse("booking:slots", args=["massage"]) + "?month=2026-04&staff=any")
    html = page.content.decode()
    assert page.status_code == 200 and "April 2026</h2>" in html
    assert "?month=2026-05&amp;staff=any" in html and "?month=2026-03&amp;staff=any" in html
    assert "Wednesday 1 April</h2>" in html  # the month's first open day is chosen
    # A month or day already past (an old link) shows the current month.
    old = client.get(reverse("booking:slots", args=["massage"]) + "?month=2026-01&day=2026-01-05")
    assert old.status_code == 200 and "March 2026</h2>" in old.content.decode()


def test_the_whole_appointment_journey(client, studio):
    form_page = client.get(details_url(studio["massage"]))
    assert form_page.status_code == 200
    assert 'name="goal"' in form_page.content.decode()

    response = fill_details(client, studio["massage"], {**ANSWERS, "notes": "Sore shoulder", "first_visit": "on"})
    assert response.status_code == 302
    review = client.get(response.url)
    assert review.status_code == 200
    assert "Sore shoulder" in review.content.decode()

    done = submit_review(client, studio["massage"])
    assert done.status_code == 302
    confirmation = client.get(done.url)
    html = confirmation.content.decode()
    assert confirmation.status_code == 200
    assert "Your booking is confirmed" in html
    assert "Monday 2 March 2026, 9:00 AM" in html and "America/New_York" in html
    assert "Ana" in html and "Main room" in html and "$80.00" in html and "Pay at your visit" in html

    booking = models.Booking.objects.get()
    assert booking.status == "CONFIRMED" and booking.payment_status == "NOT_PAID"
    assert booking.form_submission["notes"] == "Sore shoulder" and booking.form_submission["first_visit"] is True


def test_manual_approval_says_the_booking_awaits_the_business(client, studio):
    studio["massage"].require_manual_approval = True
    studio["massage"].save()
    fill_details(client, studio["massage"])
    confirmation = client.get(submit_review(client, studio["massage"]).url)
    assert "awaiting the business's approval" in confirmation.content.decode()
    assert models.Booking.objects.get().status == "PENDING"


def test_a_free_service_is_confirmed_as_exempt(client, studio):
    free = make_service([studio["ana"]], name="Consultation", form=None, **FREE)
    answers = {k: ANSWERS[k] for k in ("first_name", "last_name", "email")}
    assert fill_details(client, free, answers).status_code == 302
    assert submit_review(client, free, payment="free").status_code == 302
    booking = models.Booking.objects.get()
    assert (booking.status, booking.payment_status) == ("CONFIRMED", "EXEMPT")


def test_a_time_taken_meanwhile_sends_the_customer_back_with_their_answers(client, studio, django_user_model):
    fill_details(client, studio["massage"])
    # Someone else books the same time before this customer confirms.
    other = client.__class__()
    fill_details(other, studio["massage"], {**ANSWERS, "email": "grace@example.com"})
    submit_review(other, studio["massage"])

    page = client.post(reverse("booking:review", args=["massage"]),
                       {"submission_key": client.session["booking_draft"]["submission_key"], "payment": "in_person"})
    assert page.status_code == 409
    assert "this time was just taken" in page.content.decode()
    assert models.Booking.objects.count() == 1
    form_page = client.get(details_url(studio["massage"], "2026-03-02T11:00:00-05:00", "2026-03-02T12:00:00-05:00"))
    assert 'value="ada@example.com"' in form_page.content.decode()


def test_a_double_submitted_review_makes_one_booking(client, studio):
    fill_details(client, studio["massage"])
    page = client.get(reverse("booking:review", args=["massage"]))
    data = {"submission_key": page.context["draft"].submission_key, "payment": "in_person"}
    first = client.post(reverse("booking:review", args=["massage"]), data)
    second = client.post(reverse("booking:review", args=["massage"]), data)
    assert first.status_code == second.status_code == 302
    assert first.url == second.url
    assert models.Booking.objects.count() == 1


def test_an_invalid_form_shows_messages_next_to_the_fields(client, studio):
    page = fill_details(client, studio["massage"], {**ANSWERS, "email": "nope", "first_name": ""})
    html = page.content.decode()
    assert page.status_code == 400
    assert 'id="id_email_error"' in html and "Enter a valid email address." in html
    assert 'id="id_first_name_error"' in html
    assert models.Booking.objects.count() == 0


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/services/no-such-service/", 404),
        ("/services/massage/?month=not-a-month", 400),
        ("/services/massage/?month=2026-13", 400),
        ("/services/massage/?day=2026-03-32", 400),
        ("/services/massage/?month=2027-03", 400),
        ("/services/massage/?day=2027-03-01", 400),
        ("/services/massage/?staff=0", 400),
        ("/services/massage/?staff=x%27%3B--", 400),
        ("/services/massage/details/?start=2026-03-02&end=2026-03-02T10:00:00-05:00&staff=any", 400),
        ("/services/massage/details/?start=2026-02-23T09:00:00-05:00&end=2026-02-23T10:00:00-05:00&staff=any", 409),
        ("/services/massage/details/?start=2026-03-02T06:00:00-05:00&end=2026-03-02T07:00:00-05:00&staff=any", 409),
        ("/services/massage/details/?start=2026-03-02T09:00:00-05:00&end=2026-03-02T10:00:00-05:00&staff=0", 400),
        ("/services/massage/details/?start=2026-02-23T09:00:00-05:00&end=2026-02-23T10:00:00-05:00&staff=", 409),
        ("/services/massage/details/?start=2026-02-23T09:00:00-05:00&end=2026-02-23T10:00:00-05:00&day=bogus", 409),
        ("/services/massage/details/?start=9999-12-31T22:00:00&end=9999-12-31T23:00:00&staff=any", 400),
        ("/services/massage/details/?start=0001-01-01T00:00:00%2B14:00&end=0001-01-01T01:00:00%2B14:00", 400),
        ("/bookings/5b8f5d0e-0000-4000-8000-000000000000/", 404),
        ("/bookings/not-a-uuid/", 404),
    ],
)
def test_bad_input_gets_a_clear_4xx(client, studio, url, status):
    response = client.get(url)
    assert response.status_code == status
    assert models.Booking.objects.count() == 0


def test_a_slot_in_the_past_is_refused_even_when_posted(client, studio):
    response = fill_details(client, studio["massage"], start="2026-02-23T09:00:00-05:00",
                            end="2026-02-23T10:00:00-05:00")
    assert response.status_code == 409
    assert models.Booking.objects.count() == 0


def test_review_without_a_chosen_time_goes_back_to_the_slots(client, studio):
    response = client.get(reverse("booking:review", args=["massage"]))
    assert response.status_code == 302 and response.url == reverse("booking:slots", args=["massage"])


def test_a_stale_review_form_is_refused(client, studio):
    fill_details(client, studio["massage"])
    response = client.post(reverse("booking:review", args=["massage"]),
                           {"submission_key": "f" * 32, "payment": "in_person"})
    assert response.status_code == 409
    assert models.Booking.objects.count() == 0


def test_a_payment_option_the_service_lacks_is_refused(client, studio):
    fill_details(client, studio["massage"])
    response = submit_review(client, studio["massage"], payment="free")
    assert response.status_code == 400
    assert models.Booking.objects.count() == 0


def test_posts_need_a_csrf_token(studio):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(reverse("booking:details", args=["massage"]), {})
    assert response.status_code == 403


def test_someone_elses_booking_page_is_not_found(client, studio):
    fill_details(client, studio["massage"])
    url = submit_review(client, studio["massage"]).url
    client.cookies.clear()
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("extra", [{"tz": "Europe/Nowhere"}, {"tz": "Mars/Olympus", "week": "x"}, {"tz": "\x00"}])
def test_a_time_that_is_gone_with_a_zone_that_cannot_be_right_is_still_a_409(client, studio, extra):
    """The 409 page lists the service's times in the request's zone; when that cannot be right either, the page
    says the time is gone instead of failing."""
    gone = {"start": MONDAY_9, "end": "2026-03-02T09:20:00-05:00", "staff": "any", **extra}  # no 20-minute slots
    for page in (client.get(reverse("booking:details", args=["massage"]) + "?" + urlencode(gone)),
                 client.post(reverse("booking:details", args=["massage"]), {**gone, **ANSWERS})):
        assert page.status_code == 409
        assert "this time was just taken" in page.content.decode()
    assert not models.Booking.objects.exists()


def test_pages_send_a_content_security_policy(client, studio):
    csp = client.get("/").headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self' 'nonce-" in csp


def test_the_admin_shows_the_booking_with_its_answers(admin_client, client, studio):
    fill_details(client, studio["massage"], {**ANSWERS, "notes": "Left knee"})
    submit_review(client, studio["massage"])
    booking = models.Booking.objects.get()
    listing = admin_client.get(reverse("admin:booking_booking_changelist")).content.decode()
    assert "Confirmed" in listing and "Not paid" in listing
    page = admin_client.get(reverse("admin:booking_booking_change", args=[booking.pk])).content.decode()
    assert "Left knee" in page and "What brings you in?" in page and "Relax" in page


def test_the_slot_page_costs_the_same_few_queries_whatever_it_shows(client, local_studio, django_assert_num_queries):
    studio = local_studio
    ben = make_staff("Ben", weekdays(time(8), time(18), days=range(7)))
    studio["massage"].staff.add(ben)
    # The service inherits the default policy, which is read with the business row.
    for hour in range(9, 12):
        fill_details(client, studio["massage"], start=f"2026-03-03T{hour:02}:00:00-05:00",
                     end=f"2026-03-03T{hour + 1:02}:00:00-05:00")
        submit_review(client, studio["massage"])
    assert models.Booking.objects.filter(status="CONFIRMED").count() == 3
    client.cookies.clear()  # a fresh visitor: no session to load
    client.get("/")  # Django checks SQLite's JSON support once per connection: not part of the page's cost
    # Cold: a month of open days and a day of times, whichever month, day and staff member, from today; the day's
    # times come from the hours and busy time read for the month. (The availability cache is emptied before each;
    # test_slot_cache.py counts the warm listings.)
    # The catalog (the service, its staff, its places) was kept by the pages of the bookings above, and so were the
    # weekly hours of all its staff; Ben's alone are kept by his first page. What is left is the business row with
    # the versions and the staff's busy time.
    client.get(reverse("booking:slots", args=["massage"]) + f"?staff={ben.pk}")
    for query in ("", "?month=2026-03&day=2026-03-03", "?month=2026-06&staff=any", f"?staff={ben.pk}",
                  "?month=2027-02&day=2027-02-26", "?day=2026-03-07&tz=Europe/London"):
        cache.clear()
        with django_assert_num_queries(2):
            assert client.get(reverse("booking:slots", args=["massage"]) + query).status_code == 200
    # A day chosen with htmx: the day's times alone.
    cache.clear()
    with django_assert_num_queries(2):
        client.get(reverse("booking:slots", args=["massage"]) + "?month=2026-04&day=2026-04-06",
                   headers={"HX-Request": "true", "HX-Target": "times"})
    # A change to the catalog: the next page reads it (and the hours) again, with the change, and keeps it.
    ben.name = "Benjamin"
    ben.save()
    for queries in (6, 2):
        cache.clear()
        with django_assert_num_queries(queries):
            page = client.get(reverse("booking:slots", args=["massage"]) + f"?staff={ben.pk}")
        assert "Benjamin" in page.content.decode()


def test_choosing_a_time_after_a_booking_made_settled_writes_only_the_session(client, studio):
    # The first booking was made settled (in person): choosing the next time has no checkout or hold to end.
    assert fill_details(client, studio["massage"]).status_code == 302
    assert submit_review(client, studio["massage"]).status_code == 302
    with CaptureQueriesContext(connection) as queries:
        assert fill_details(client, studio["massage"], start="2026-03-03T11:00:00-05:00",
                            end="2026-03-03T12:00:00-05:00").status_code == 302
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith(("UPDATE", "INSERT", "DELETE"))]
    assert writes and all("django_session" in sql for sql in writes)
    assert not any("stripecheckout" in q["sql"] for q in queries.captured_queries)
    assert models.Booking.objects.get().status == "CONFIRMED"


def test_staff_approve_a_request_from_the_admin(admin_client, client, studio):
    studio["massage"].require_manual_approval = True
    studio["massage"].save()
    fill_details(client, studio["massage"])
    submit_review(client, studio["massage"])
    booking = models.Booking.objects.get()
    assert booking.status == "PENDING"
    response = admin_client.post(reverse("admin:booking_booking_changelist"),
                                 {"action": "confirm_selected", "_selected_action": [booking.pk]}, follow=True)
    assert "Confirmed 1 booking(s)." in response.content.decode()
    booking.refresh_from_db()
    assert (booking.status, booking.double_booked) == ("CONFIRMED", False)
    assert booking.changes.last().actor == "staff"


def test_staff_edits_in_the_admin_are_audited(admin_client, client, studio):
    fill_details(client, studio["massage"])
    submit_review(client, studio["massage"])
    booking = models.Booking.objects.get()
    url = reverse("admin:booking_booking_change", args=[booking.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {**{name: form.initial.get(name) or "" for name in form.fields}, "phone": "+1 555 0111",
            "seen_revision": booking.revision}
    data.update({"changes-TOTAL_FORMS": "2", "changes-INITIAL_FORMS": "2", "changes-MIN_NUM_FORMS": "0",
                 "changes-MAX_NUM_FORMS": "1000"})
    for i, change in enumerate(booking.changes.all()):
        data[f"changes-{i}-id"] = change.pk
        data[f"changes-{i}-booking"] = booking.pk
    assert admin_client.post(url, data).status_code == 302
    booking.refresh_from_db()
    assert booking.phone == "+1 555 0111"
    assert booking.changes.last().event == "updated" and booking.revision == 3
    # The same form again, saved after that change: refused, not overwritten.
    stale = admin_client.post(url, {**data, "phone": "+1 555 0122"})
    assert stale.status_code == 200 and "changed since you opened it" in stale.content.decode()
    booking.refresh_from_db()
    assert booking.phone == "+1 555 0111"


def test_categories_stay_whole_when_they_share_a_sort_order(client, studio):
    hair = models.ServiceCategory.objects.create(name="Hair")
    cut = make_service([studio["ana"]], name="Cut")
    cut.category = hair
    cut.save()
    make_service([studio["ana"]], name="Facial")  # back in "Treatments", like the massage
    html = client.get("/").content.decode()
    assert html.count('id="category-') == 2
