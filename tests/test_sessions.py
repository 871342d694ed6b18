"""The site's session store (bookingsite/sessions.py): Django's database sessions, read and updated in one statement
each, with Django's behaviour: what is saved is read back, an expired or unknown session reads as empty and gets a
new key when saved, and an update of a session deleted meanwhile is refused."""

from datetime import timedelta

import pytest
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bookingsite.sessions import SessionStore

pytestmark = pytest.mark.django_db


def saved(**values) -> str:
    session = SessionStore()
    session.update(values)
    session.save()
    return session.session_key


def test_what_is_saved_is_read_back_and_an_update_replaces_it_in_one_statement_each():
    key = saved(booking_draft={"service_id": "1"}, my_bookings=["a"])
    session = SessionStore(session_key=key)
    with CaptureQueriesContext(connection) as read:
        assert session["booking_draft"] == {"service_id": "1"}
    session["my_bookings"] = ["a", "b"]
    expired_before = Session.objects.get(session_key=key).expire_date
    with CaptureQueriesContext(connection) as update:
        session.save()
    assert len(read) == 1 and len(update) == 1
    assert SessionStore(session_key=key).load() == {"booking_draft": {"service_id": "1"}, "my_bookings": ["a", "b"]}
    assert Session.objects.get(session_key=key).expire_date > expired_before  # the update moves the expiry on


def test_an_expired_or_unknown_session_reads_as_empty_and_saves_under_a_new_key():
    expired = saved(booking_answers={"email": "ada@example.com"})
    Session.objects.filter(session_key=expired).update(expire_date=timezone.now() - timedelta(seconds=1))
    for key in (expired, "unknownsessionkey0123456789abcd"):
        session = SessionStore(session_key=key)
        assert session.load() == {}
        session["my_bookings"] = ["a"]
        session.save()
        assert session.session_key not in (None, key)
        assert SessionStore(session_key=session.session_key).load() == {"my_bookings": ["a"]}
    assert Session.objects.get(session_key=expired).get_decoded() == {"booking_answers": {"email": "ada@example.com"}}


def test_updating_a_session_deleted_meanwhile_is_refused_and_makes_nothing():
    key = saved(my_bookings=["a"])
    session = SessionStore(session_key=key)
    session["my_bookings"] = ["a", "b"]
    Session.objects.filter(session_key=key).delete()
    with pytest.raises(UpdateError):
        session.save()
    assert not Session.objects.exists()
