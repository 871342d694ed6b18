"""The Wix client against a real HTTP server (the sandbox under a live server): visitor tokens kept per session and
refreshed as the same visitor, 401 → one refresh → one retry, reads retried and writes never, the identity checks,
and no secret in a log line or an error."""

import logging
import time
from datetime import time as clock
from datetime import timedelta

import pytest
import requests

from booking import errors
from booking.backends import get_backend
from booking.backends.wix import auth
from booking.backends.wix.client import WixClient
from booking.port import ContactDetails, CreateBookingRequest, Resource, Slot
from bookingsite.sandboxes.wix import recorder
from bookingsite.sandboxes.wix.models import VisitorToken
from tests.catalog import ANSWERS, NOW, make_business, make_form, make_policy, make_service, make_staff, weekdays

pytestmark = [pytest.mark.usefixtures("frozen_clock"), pytest.mark.django_db(transaction=True)]


@pytest.fixture
def studio(wix_site):
    make_business()
    make_policy()
    ana = make_staff("Ana", weekdays(clock(9), clock(12)))
    massage = make_service([ana], form=make_form())
    return {"ana": ana, "massage": massage, "base": wix_site}


def slots(backend, studio):
    return backend.list_availability_time_slots(service_id=str(studio["massage"].pk),
                                                from_local_date="2026-03-02T00:00:00",
                                                to_local_date="2026-03-03T00:00:00")


def request_for(studio, hour=10):
    start = NOW.replace(day=2, hour=hour + 5)  # New York is UTC-5 in early March
    ana = studio["ana"]
    return CreateBookingRequest(
        slot=Slot(service_id=str(studio["massage"].pk), start_date=start, end_date=start + timedelta(hours=1),
                  timezone="America/New_York", resource=Resource(str(ana.pk), ana.name)),
        contact_details=ContactDetails("", "", ""), form_submission=ANSWERS, selected_payment_option="OFFLINE")


def paths(suffix: str) -> list[dict]:
    return [r for r in recorder.requests if r["path"].endswith(suffix)]


def test_a_customer_session_gets_one_visitor_and_keeps_it(studio):
    backend, session = get_backend(), {}
    with auth.bound_session(session):
        slots(backend, studio)
        slots(backend, studio)
    [mint] = paths("/oauth2/token")
    assert mint["body"] == {"clientId": "sandbox-client-id", "grantType": "anonymous"}
    assert [r["authorization"] for r in paths("/time-slots")] == ["visitor", "visitor"]
    assert session[auth.SESSION_KEY]["refresh_token"]
    other = {}
    with auth.bound_session(other):
        slots(backend, studio)
    assert other[auth.SESSION_KEY]["access_token"] != session[auth.SESSION_KEY]["access_token"]
    assert VisitorToken.objects.values("visitor_id").distinct().count() == 2


def test_an_expired_token_is_refreshed_once_as_the_same_visitor_and_the_call_repeated(studio, settings):
    backend, session = get_backend(), {}
    settings.WIX_SANDBOX_TOKEN_SECONDS = 0  # the sandbox's tokens are dead on arrival
    with auth.bound_session(session):
        backend.client.renew_visitor(session)
    session[auth.SESSION_KEY]["expires_at"] = time.time() + 3600  # the client still believes in it
    settings.WIX_SANDBOX_TOKEN_SECONDS = 3600
    backend.get_business_info()  # cached from here on
    recorder.clear()
    with auth.bound_session(session):
        assert slots(backend, studio).time_slots
    assert [r["path"].rsplit("/", 1)[-1] for r in recorder.requests] == ["time-slots", "token", "time-slots"]
    assert recorder.requests[1]["body"]["grantType"] == "refresh_token"
    assert VisitorToken.objects.values("visitor_id").distinct().count() == 1  # still the same visitor


def test_a_write_refused_with_401_is_sent_again_once_after_the_refresh(studio, settings):
    backend, session = get_backend(), {}
    settings.WIX_SANDBOX_TOKEN_SECONDS = 0
    with auth.bound_session(session):
        backend.client.renew_visitor(session)
    session[auth.SESSION_KEY]["expires_at"] = time.time() + 3600
    settings.WIX_SANDBOX_TOKEN_SECONDS = 3600
    with auth.bound_session(session):
        booking = backend.create_booking(request_for(studio))
    assert len(paths("/bookings/v2/bookings")) == 2  # the first was refused before Wix did anything
    assert [b.id for b in backend.query_extended_bookings(booking_ids=[booking.id])] == [booking.id]


def test_a_second_401_is_not_retried_again(studio, settings):
    backend, session = get_backend(), {}
    settings.WIX_SANDBOX_TOKEN_SECONDS = 0  # every token, refreshed ones too, is expired
    with auth.bound_session(session):
        backend.client.renew_visitor(session)
        session[auth.SESSION_KEY]["expires_at"] = time.time() + 3600
        with pytest.raises(errors.PermissionDenied):
            slots(backend, studio)
    assert len(paths("/time-slots")) == 2


def test_reads_are_retried_on_429_and_5xx(studio):
    backend = get_backend()
    recorder.fail_next("/time-slots", 503, 429)
    assert slots(backend, studio).time_slots
    assert len(paths("/time-slots")) == 3
    recorder.fail_next("/time-slots", 500, 502, 504)
    with pytest.raises(errors.Unavailable):
        slots(backend, studio)


def test_a_create_is_never_retried(studio):
    from booking.models import Booking

    backend = get_backend()
    recorder.fail_next("/bookings/v2/bookings", 503)
    with pytest.raises(errors.Unavailable):
        backend.create_booking(request_for(studio))
    assert len(paths("/bookings/v2/bookings")) == 1
    assert Booking.objects.count() == 0
    recorder.fail_next("/cancel", 500)
    booking = backend.create_booking(request_for(studio, hour=11))
    with pytest.raises(errors.Unavailable):
        backend.cancel_booking(booking.id, revision=booking.revision)
    assert len(paths("/cancel")) == 1


def test_the_sandbox_checks_keys_site_ids_and_visitor_tokens(studio, settings):
    base = studio["base"]
    url = f"{base}/bookings/v2/confirmation/x:confirmOrDecline"
    visitor = requests.post(f"{base}/oauth2/token", json={"clientId": settings.WIX_CLIENT_ID,
                                                          "grantType": "anonymous"}, timeout=5).json()
    assert visitor["expires_in"] == settings.WIX_SANDBOX_TOKEN_SECONDS
    refused = requests.post(url, json={"paymentStatus": "PAID"}, headers={"Authorization": visitor["access_token"]},
                            timeout=5)
    assert refused.status_code == 403
    assert refused.json()["details"]["applicationError"]["code"] == "UNAUTHORIZED_OPERATION"
    no_site = requests.post(url, json={}, headers={"Authorization": settings.WIX_API_KEY}, timeout=5)
    assert no_site.status_code == 403
    wrong_key = requests.post(url, json={}, headers={"Authorization": "nope", "wix-site-id": settings.WIX_SITE_ID},
                              timeout=5)
    assert wrong_key.status_code == 401
    found = requests.post(url, json={"paymentStatus": "PAID"},
                          headers={"Authorization": settings.WIX_API_KEY, "wix-site-id": settings.WIX_SITE_ID},
                          timeout=5)
    assert found.status_code == 404 and found.json()["message"]
    assert requests.get(f"{base}/bookings/v2/bookings", timeout=5).status_code == 405
    bad_client = requests.post(f"{base}/oauth2/token", json={"clientId": "other", "grantType": "anonymous"}, timeout=5)
    assert bad_client.status_code == 400


def test_no_secret_reaches_a_log_line_or_an_error(studio, settings, caplog):
    caplog.set_level(logging.DEBUG)
    backend, session = get_backend(), {}
    with auth.bound_session(session):
        slots(backend, studio)
        booking = backend.create_booking(request_for(studio))
    booking = backend.confirm_or_decline_booking(booking.id, payment_status="NOT_PAID")
    token = backend.get_anonymous_action_token(booking.id)
    backend.get_booking_anonymously(token)
    raised = []
    with pytest.raises(errors.NotFound) as not_found:
        backend.get_booking_anonymously(token + "x")
    raised.append(not_found.value)
    down = WixClient(base="http://127.0.0.1:9", client_id="c", api_key=settings.WIX_API_KEY, site_id="s",
                     retries=0)
    with pytest.raises(errors.Unavailable) as unreachable:
        down.get(f"/v1/anonymous-bookings/{token}", log_path="/v1/anonymous-bookings/<token>")
    raised.append(unreachable.value)
    secrets = [settings.WIX_API_KEY, token, session[auth.SESSION_KEY]["access_token"],
               session[auth.SESSION_KEY]["refresh_token"]]
    # The site's side only: django.* records here are the sandbox (Wix's own side) logging its requests.
    lines = [r.getMessage() for r in caplog.records if not r.name.startswith("django")]
    assert any("Wix GET /v1/anonymous-bookings/<token>" in line for line in lines)
    texts = lines + [str(e) for e in raised] + [repr(e) for e in raised] + [repr(down), repr(backend.client)]
    for secret in secrets:
        assert not [t for t in texts if secret in t]
    assert unreachable.value.__cause__ is None and unreachable.value.__suppress_context__


def test_the_sandbox_is_refused_with_debug_off_and_absent_without_its_setting():
    import os
    import subprocess
    import sys

    env = {**os.environ, "DEBUG": "false", "SECRET_KEY": "x" * 50, "DJANGO_SETTINGS_MODULE": "bookingsite.settings",
           "STRIPE_SANDBOX": "false"}
    script = ("import django; django.setup(); from django.conf import settings; from django.urls import resolve;"
              "from django.urls.exceptions import Resolver404\n"
              "try:\n    resolve('/_sandbox/wix/oauth2/token'); print('ROUTED')\n"
              "except Resolver404:\n    print('NOT ROUTED', 'bookingsite.sandboxes.wix' in settings.INSTALLED_APPS)")
    refused = subprocess.run([sys.executable, "-c", script], env={**env, "WIX_SANDBOX": "true"},  # noqa: S603
                             capture_output=True, text=True, timeout=60)
    assert refused.returncode != 0 and "WIX_SANDBOX is for development" in refused.stderr
    off = subprocess.run([sys.executable, "-c", script], env={**env, "WIX_SANDBOX": "false"},  # noqa: S603
                         capture_output=True,
                         text=True, timeout=60)
    assert off.stdout.strip() == "NOT ROUTED False", off.stderr
