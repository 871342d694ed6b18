"""Abuse limits with their default numbers, on the real cache (local memory here; Redis in the last tests): a
script booking from fresh cookies is stopped with 429s after the documented count while a customer elsewhere books
as usual, and a limited customer keeps their answers."""

import uuid
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from booking import models
from tests.catalog import ANSWERS, FREE, make_business, make_form, make_policy, make_service, make_staff, weekdays

NY = ZoneInfo("America/New_York")
BOT, CUSTOMER = "203.0.113.7", "198.51.100.20"

pytestmark = [pytest.mark.usefixtures("frozen_clock"), pytest.mark.django_db]


def count_of(rate: str) -> int:
    return int(rate.split("/")[0])


@pytest.fixture
def studio():
    """Two staff on weekdays 9 to 17: a free consultation and an in-person massage, hourly."""
    make_business()
    make_policy()
    staff = [make_staff(name, weekdays(time(9), time(17))) for name in ("Ana", "Bob")]
    form = make_form()
    return {"free": make_service(staff, form=form, name="Consultation", **FREE),
            "in_person": make_service(staff, form=form, name="Massage")}


def slot(n: int) -> tuple[str, str]:
    """The n-th free hour from Monday 2 March, 9:00 (eight a day)."""
    start = datetime(2026, 3, 2 + n // 8, 9 + n % 8, tzinfo=NY)
    return start.isoformat(), (start + timedelta(hours=1)).isoformat()


def choose(client: Client, service, n: int, email: str, **request):
    start, end = slot(n)
    response = client.post(reverse("booking:details", args=[service.slug]),
                           {"start": start, "end": end, "staff": "any", **ANSWERS, "email": email}, **request)
    assert response.status_code == 302, response.content.decode()[:500]


def confirm(client: Client, service, payment: str, **request):
    key = client.get(reverse("booking:review", args=[service.slug])).context["draft"].submission_key
    return client.post(reverse("booking:review", args=[service.slug]), {"submission_key": key, "payment": payment},
                       **request)


def book(client: Client, service, n: int, email: str, payment: str = "free", **request):
    choose(client, service, n, email, **request)
    return confirm(client, service, payment, **request)


def assert_booked(response):
    assert response.status_code == 302 and response["Location"].startswith("/bookings/"), response.status_code


def assert_limited(response, text: str = "Too many booking requests came from your connection"):
    html = response.content.decode()
    assert response.status_code == 429, html[:500]
    assert text in html and "what you entered is kept" in html
    assert int(response["Retry-After"]) >= 60


def test_the_default_limits_are_the_documented_ones(settings):
    assert settings.LIMITS == {
        "booking_posts_per_session": "10/h", "booking_posts_per_ip": "30/h",
        "live_holds_per_session": 3, "live_holds_per_ip": 10, "bookings_per_email": "5/d",
        "admin_logins_per_ip": "20/h", "admin_logins_per_username": "10/h",
    }


def test_counting_in_local_memory_in_production_is_flagged(settings):
    from booking.checks import limits_cache

    settings.DEBUG = True  # development (pytest-django runs tests with DEBUG off)
    assert limits_cache() == []
    settings.DEBUG = False
    assert [w.id for w in limits_cache()] == ["booking.W002"]
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:6379/0"}}
    assert limits_cache() == []


def test_a_script_with_fresh_cookies_is_stopped_per_address_and_a_customer_elsewhere_is_not(settings, studio):
    limit = count_of(settings.LIMITS["booking_posts_per_ip"])
    for n in range(limit):
        assert_booked(book(Client(REMOTE_ADDR=BOT), studio["free"], n, f"bot{n}@example.com"))

    bot = Client(REMOTE_ADDR=BOT)
    choose(bot, studio["free"], limit, "bot-last@example.com")
    draft = bot.session["booking_draft"]
    refused = confirm(bot, studio["free"], "free")
    assert_limited(refused)
    assert f'href="{reverse("booking:review", args=["consultation"])}"' in refused.content.decode()
    assert models.Booking.objects.count() == limit
    # Their answers and chosen time are as they left them: the review page shows them again.
    assert bot.session["booking_draft"] == draft
    review = bot.get(reverse("booking:review", args=["consultation"]))
    assert review.status_code == 200 and "bot-last@example.com" in review.content.decode()
    # Still refused from that address, with other cookies too.
    assert_limited(book(Client(REMOTE_ADDR=BOT), studio["free"], limit + 1, "bot-other@example.com"))

    assert_booked(book(Client(REMOTE_ADDR=CUSTOMER), studio["free"], limit, "grace@example.com"))
    assert models.Booking.objects.count() == limit + 1


def test_a_script_keeping_its_cookies_is_stopped_per_session(settings, studio):
    limit = count_of(settings.LIMITS["booking_posts_per_session"])
    bot = Client()
    for n in range(limit):
        assert_booked(book(bot, studio["free"], n, f"bot{n}@example.com", REMOTE_ADDR=f"203.0.113.{n + 1}"))
    assert_limited(book(bot, studio["free"], limit, "bot@example.com", REMOTE_ADDR="203.0.113.200"))
    assert models.Booking.objects.count() == limit
    assert_booked(book(Client(REMOTE_ADDR="203.0.113.200"), studio["free"], limit, "grace@example.com"))


@pytest.mark.parametrize("service", ["free", "in_person"])
def test_one_email_address_makes_a_few_free_or_pay_in_person_bookings_a_day(settings, studio, service):
    limit = count_of(settings.LIMITS["bookings_per_email"])
    payment = "free" if service == "free" else "in_person"
    for n in range(limit):
        client = Client(REMOTE_ADDR=f"203.0.113.{n + 1}")
        assert_booked(book(client, studio[service], n, "Victim@Example.com", payment))
    late = Client(REMOTE_ADDR="203.0.113.99")
    assert_limited(book(late, studio[service], limit, "victim@example.com ", payment),
                   "This email address has made as many bookings today as we accept online")
    assert models.Booking.objects.count() == limit
    assert_booked(book(Client(REMOTE_ADDR=CUSTOMER), studio[service], limit, "grace@example.com", payment))


@pytest.mark.parametrize("route", ["review", "package_review", "resume_payment", "manage_cancel",
                                   "manage_reschedule"])
def test_every_booking_and_payment_post_is_limited_per_address(client, settings, studio, route):
    """Whatever the POST says: it is counted before the page looks at it."""
    settings.LIMITS = {**settings.LIMITS, "booking_posts_per_ip": "3/h"}
    url = {
        "review": reverse("booking:review", args=["consultation"]),
        "package_review": reverse("booking:package_review"),
        "resume_payment": reverse("payments:resume_payment", args=[uuid.uuid4()]),
        "manage_cancel": reverse("booking:manage_cancel", args=[uuid.uuid4()]),
        "manage_reschedule": reverse("booking:manage_reschedule", args=[uuid.uuid4()]),
    }[route]
    statuses = [Client(REMOTE_ADDR=BOT).post(url, {"revision": "1"}).status_code for _ in range(3)]
    assert 429 not in statuses
    assert_limited(Client(REMOTE_ADDR=BOT).post(url, {"revision": "1"}))
    assert Client(REMOTE_ADDR=BOT).get(url).status_code != 429  # looking is not limited
    assert Client(REMOTE_ADDR=CUSTOMER).post(url, {"revision": "1"}).status_code != 429


def test_admin_sign_in_is_throttled_per_username_and_per_address(settings):
    user_model = get_user_model()
    user_model.objects.create_superuser("boss", "boss@example.com", "right-password-1")
    user_model.objects.create_superuser("other", "other@example.com", "right-password-2")
    login = reverse("admin:login")

    def sign_in(username, password, ip):
        return Client(REMOTE_ADDR=ip).post(login, {"username": username, "password": password, "next": "/admin/"})

    per_user = count_of(settings.LIMITS["admin_logins_per_username"])
    for n in range(per_user):
        assert sign_in("boss", f"guess-{n}", f"203.0.113.{n + 1}").status_code == 200  # the form again, with an error
    refused = sign_in("BOSS", "right-password-1", "203.0.113.100")
    assert refused.status_code == 429 and "Too many sign-in attempts" in refused.content.decode()
    assert sign_in("other", "right-password-2", CUSTOMER).status_code == 302

    per_ip = count_of(settings.LIMITS["admin_logins_per_ip"])
    for n in range(per_ip):
        assert sign_in(f"user{n}", "guess", "192.0.2.1").status_code == 200
    assert sign_in("other", "right-password-2", "192.0.2.1").status_code == 429
    assert Client(REMOTE_ADDR="192.0.2.1").get(login).status_code == 200


def test_an_ipv6_customer_counts_as_their_slash_64(settings, studio):
    settings.LIMITS = {**settings.LIMITS, "booking_posts_per_ip": "2/h"}
    for n in range(2):
        assert_booked(book(Client(REMOTE_ADDR=f"2001:db8:1:2::{n + 1}"), studio["free"], n, f"a{n}@example.com"))
    assert_limited(book(Client(REMOTE_ADDR="2001:db8:1:2:ffff::9"), studio["free"], 2, "b@example.com"))
    assert_booked(book(Client(REMOTE_ADDR="2001:db8:1:3::1"), studio["free"], 3, "c@example.com"))


def test_behind_a_proxy_the_clients_address_comes_from_its_header(settings, studio):
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    settings.LIMITS = {**settings.LIMITS, "booking_posts_per_ip": "2/h"}
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for n in range(2):
        client = Client(**proxy, HTTP_X_REAL_IP=BOT)
        assert_booked(book(client, studio["free"], n, f"bot{n}@example.com"))
    assert_limited(book(Client(**proxy, HTTP_X_REAL_IP=BOT), studio["free"], 2, "bot@example.com"))
    assert_booked(book(Client(**proxy, HTTP_X_REAL_IP=CUSTOMER), studio["free"], 3, "grace@example.com"))
    # A header that is not an address is ignored: the connection's address counts.
    assert_booked(book(Client(**proxy, HTTP_X_REAL_IP="not-an-ip"), studio["free"], 4, "x@example.com"))


# ---- checkout holds, through the Stripe sandbox on a live server -------------------------------------------------


@pytest.fixture
def paid_online(live_server, settings):
    settings.STRIPE_API_BASE = live_server.url + "/_sandbox/stripe"
    make_business()
    make_policy()
    staff = [make_staff(name, weekdays(time(9), time(17))) for name in ("Ana", "Bob")]
    return make_service(staff, form=make_form(), name="Massage", price=Decimal("80.00"), pay_online=True,
                        pay_in_person=False)


def holds():
    return models.Booking.objects.filter(hold_expires_at__isnull=False).count()


@pytest.mark.usefixtures("running_clock")
@pytest.mark.django_db(transaction=True)
def test_one_address_holds_only_a_few_times_while_paying(settings, paid_online):
    limit = settings.LIMITS["live_holds_per_ip"]
    for n in range(limit):
        response = book(Client(REMOTE_ADDR=BOT), paid_online, n, f"bot{n}@example.com", "stripe")
        assert response.status_code == 302 and "/_sandbox/stripe/checkout/" in response["Location"]
    refused = book(Client(REMOTE_ADDR=BOT), paid_online, limit, "bot@example.com", "stripe")
    assert_limited(refused, "You are already holding several times while you pay")
    assert holds() == limit and models.Booking.objects.count() == limit  # nothing was made for the refused one
    response = book(Client(REMOTE_ADDR=CUSTOMER), paid_online, limit, "grace@example.com", "stripe")
    assert response.status_code == 302 and "/_sandbox/stripe/checkout/" in response["Location"]


@pytest.mark.usefixtures("running_clock")
@pytest.mark.django_db(transaction=True)
def test_one_session_holds_only_a_few_times_while_paying(settings, paid_online):
    """Choosing another time gives the first one up, so a session holds more only by paying again for an older
    booking; with a limit of one, that is refused while the newer hold runs."""
    settings.LIMITS = {**settings.LIMITS, "live_holds_per_session": 1}
    client = Client()
    book(client, paid_online, 0, "ada@example.com", "stripe")
    first = models.Booking.objects.get()
    book(client, paid_online, 1, "ada@example.com", "stripe")  # gives the first time up, holds the second
    assert holds() == 1
    pay_again = reverse("payments:resume_payment", args=[first.public_id])
    refused = client.post(pay_again)
    assert_limited(refused, "You are already holding several times while you pay")
    assert f'href="{reverse("payments:booking_payment", args=[first.public_id])}"' in refused.content.decode()
    assert holds() == 1
    # Giving the second time up frees the way.
    second = models.Booking.objects.exclude(pk=first.pk).get()
    client.post(reverse("payments:release_booking_time", args=[second.public_id]))
    assert client.post(pay_again).status_code == 302 and holds() == 1


# ---- on Redis, as in production -----------------------------------------------------------------------------------


@pytest.fixture
def redis_limits(settings):
    """The limits counted in the Redis on 127.0.0.1 (a cache of their own, under a prefix of this test's)."""
    import redis

    url = "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    prefix = f"test-limits-{uuid.uuid4().hex}"
    settings.CACHES = {**settings.CACHES, "limits": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url, "KEY_PREFIX": prefix}}
    settings.RATELIMIT_USE_CACHE = "limits"
    yield
    connection = redis.Redis.from_url(url)
    for key in connection.scan_iter(f"{prefix}*"):
        connection.delete(key)


def test_the_limits_count_in_redis(settings, studio, redis_limits):
    from django.core.cache import caches

    settings.LIMITS = {**settings.LIMITS, "booking_posts_per_ip": "2/h"}
    for n in range(2):
        assert_booked(book(Client(REMOTE_ADDR=BOT), studio["free"], n, f"bot{n}@example.com"))
    assert_limited(book(Client(REMOTE_ADDR=BOT), studio["free"], 2, "bot@example.com"))
    assert_booked(book(Client(REMOTE_ADDR=CUSTOMER), studio["free"], 3, "grace@example.com"))
    assert caches["limits"]._cache.get_client().keys(f"{settings.CACHES['limits']['KEY_PREFIX']}*")


def test_without_its_cache_a_limit_refuses_rather_than_fails(settings, studio):
    settings.CACHES = {**settings.CACHES, "limits": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}}
    settings.RATELIMIT_USE_CACHE = "limits"
    client = Client(REMOTE_ADDR=CUSTOMER)
    choose(client, studio["free"], 0, "grace@example.com")
    response = confirm(client, studio["free"], "free")
    assert response.status_code == 503 and "Booking is unavailable for a moment" in response.content.decode()
    assert not models.Booking.objects.exists()


def test_one_email_address_makes_a_few_packages_a_day(settings):
    from tests.test_views_kinds import CONTACT

    make_business()
    make_policy()
    massage = make_service([make_staff("Maya", weekdays(time(9), time(17)))], name="Massage")
    facial = make_service([make_staff("Priya", weekdays(time(9), time(17)))], name="Facial", duration_minutes=45)

    def book_package(n: int, email: str, ip: str):
        client = Client(REMOTE_ADDR=ip)
        start = datetime(2026, 3, 2 + n // 4, 9 + 2 * (n % 4), tzinfo=NY).isoformat()
        details = client.post(reverse("booking:package_details"),
                              {"services": [massage.pk, facial.pk], "start": start, **CONTACT, "email": email})
        assert details.status_code == 302, details.content.decode()[:500]
        key = client.get(reverse("booking:package_review")).context["submission_key"]
        return client.post(reverse("booking:package_review"), {"submission_key": key})

    limit = count_of(settings.LIMITS["bookings_per_email"])
    for n in range(limit):
        done = book_package(n, "victim@example.com", f"203.0.113.{n + 1}")
        assert done.status_code == 302 and done["Location"].startswith("/packages/")
    assert_limited(book_package(limit, "victim@example.com", "203.0.113.99"),
                   "This email address has made as many bookings today as we accept online")
    assert models.Booking.objects.count() == 2 * limit
    assert book_package(limit + 1, "grace@example.com", CUSTOMER).status_code == 302
