"""The demo business `make run` loads."""

from datetime import date

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse

from booking import models
from booking.demo import load_demo

pytestmark = [pytest.mark.django_db]


def snapshot() -> dict:
    """Every row of the booking app, as values."""
    return {
        model.__name__: sorted(map(repr, model.objects.values()))
        for model in apps.get_app_config("booking").get_models()
    }


def test_loading_twice_changes_nothing():
    load_demo(date(2026, 11, 21))
    first = snapshot()
    load_demo(date(2026, 11, 21))
    assert snapshot() == first


def test_the_demo_has_what_the_site_needs_to_show_off():
    load_demo(date(2026, 11, 21))
    services = models.Service.objects.all()
    appointments = services.filter(type="APPOINTMENT")
    assert appointments.count() >= 4
    assert appointments.filter(rate_type="NO_FEE").exists()
    assert appointments.filter(pay_in_person=True, pay_online=False).exists()
    assert appointments.filter(pay_online=True).exists()
    assert appointments.filter(require_manual_approval=True).exists()
    assert services.filter(type="CLASS").exists() and services.filter(type="COURSE").exists()
    assert models.StaffMember.objects.count() >= 3
    assert models.TimeOff.objects.exists()
    # Staff keep different hours, and each has at least one day off a week.
    weekly = {m.name: {h.weekday for h in m.working_hours.all()} for m in models.StaffMember.objects.all()}
    assert len({frozenset(days) for days in weekly.values()}) == len(weekly)
    assert all(len(days) < 7 for days in weekly.values())
    kinds = set(models.FormField.objects.values_list("field_type", flat=True))
    assert {"TEXT", "LONG_TEXT", "CHOICE", "CHECKBOX", "PHONE"} <= kinds
    assert models.BookingPolicy.objects.filter(cancellation_enabled=True, reschedule_enabled=True).exists()
    course = models.ScheduleRule.objects.get(service__type="COURSE")
    assert course.starts_on > date(2026, 11, 21)


def test_every_demo_service_page_opens(client):
    call_command("load_demo")
    for slug in models.Service.objects.values_list("slug", flat=True):
        assert client.get(reverse("booking:slots", args=[slug])).status_code == 200
