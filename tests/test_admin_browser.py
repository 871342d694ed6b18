"""Staff at the front desk, in a real Chromium against a live server on the demo business: log in, book a customer
on the phone, find the booking in the week's calendar, move it to another free time and cancel it, confirm a
customer's request from the bookings list, change a class booking's participants, each through the admin's forms
(booking.admin_actions, admin_phone, admin_calendar), each emailing the customer. Staff who may only
look see no actions and are refused them. The embedded engine: the admin reads the engine's tables."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Permission, User
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from booking import models
from booking.demo import load_demo
from tests.test_payments_browser import choose_a_time_and_fill_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def desk(live_server):
    load_demo(timezone.localdate())
    return live_server.url


def log_in(page: Page, base: str, *codenames: str) -> None:
    user = User.objects.create_user("frontdesk", "frontdesk@example.com", "a long front desk password",
                                    is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=["view_booking", *codenames]))
    page.goto(base + reverse("admin:login"))
    page.get_by_label("Username").fill("frontdesk")
    page.get_by_label("Password").fill("a long front desk password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="Today's schedule")).to_be_visible()


def booked_by_the_owner(slug: str, participants: int = 1) -> models.Booking:
    """A phone booking the owner made (through the test client): confirmed, at the first free time from the day
    after tomorrow."""
    owner = Client()
    owner.force_login(User.objects.create_superuser("owner", "owner@example.com", "an owner's password"))
    url = reverse("admin:booking_booking_phone") + f"?service={models.Service.objects.get(slug=slug).pk}"
    first_free = next(value for value, label in owner.get(url).context["form"].fields["time"].choices
                      if far_enough_ahead(label))
    answers = {"answers-first_name": "Bo", "answers-last_name": "Rival", "answers-email": "bo@example.com",
               "answers-phone": "+1 212 555 0101"}
    data = {"time": first_free, "payment": "in_person", "total_participants": participants, **answers}
    assert owner.post(url, data).status_code == 302
    return models.Booking.objects.get(email="bo@example.com", service__slug=slug)


def far_enough_ahead(label: str) -> bool:
    """A "Free time" choice ("2026-12-05 10:00 with …", not "—") from the day after tomorrow on: far enough ahead
    that the demo's policy (move up to 12 h, cancel up to 24 h before) lets staff without the force permission move
    and cancel it."""
    after = (datetime.now(ZoneInfo("America/New_York")).date() + timedelta(days=2)).isoformat()
    return label[:1].isdigit() and label >= after


def weeks_after_this_one(booking: models.Booking) -> int:
    """How many weeks (Monday to Sunday, in the business's zone) after this one the booking starts in."""
    tz = ZoneInfo(models.Business.objects.get().time_zone)
    today, day = timezone.localdate(timezone=tz), timezone.localtime(booking.start, tz).date()
    return ((day - timedelta(days=day.weekday())) - (today - timedelta(days=today.weekday()))).days // 7


def free_times_from_the_day_after_tomorrow(page: Page) -> list[str]:
    return [label for label in page.get_by_label("Free time").locator("option").all_inner_texts()
            if far_enough_ahead(label)]


def test_a_phone_booking_moved_and_canceled_from_the_admin(page: Page, desk, console_errors):
    log_in(page, desk, "change_booking")

    page.get_by_role("link", name="Phone booking").click()
    page.get_by_label("Service").select_option(label="Haircut & style")
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Free time").select_option(label=free_times_from_the_day_after_tomorrow(page)[0])
    page.get_by_label("Payment").select_option(label="Pays in person")
    page.get_by_label("First name").fill("Ada")
    page.get_by_label("Last name").fill("Lovelace")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Mobile phone").fill("+1 212 555 0100")
    page.get_by_role("button", name="Book").click()
    expect(page.get_by_text("Booked and confirmed; the customer is emailed.")).to_be_visible()
    booking = models.Booking.objects.get()
    assert (booking.status, booking.payment_status, booking.email) == ("CONFIRMED", "NOT_PAID", "ada@example.com")
    assert [m.subject for m in mail.outbox if m.to == ["ada@example.com"]] == \
        ["Your booking is confirmed: Haircut & style"]

    # The week's calendar shows it, linked to its page: this week's, or, when the first free time from the day after
    # tomorrow falls in a later week (from Friday to Sunday), that week's, reached as staff would.
    page.get_by_role("link", name="Home").click()
    page.get_by_role("link", name="This week").click()
    for _ in range(weeks_after_this_one(booking)):
        page.get_by_role("link", name="Later →").click()
    change_url = reverse("admin:booking_booking_change", args=[booking.pk])
    page.locator(f'a[href="{change_url}"]').first.click()
    expect(page).to_have_url(re.compile(re.escape(change_url) + "$"))

    # Moved to another free time: its own time is not among them.
    page.get_by_role("link", name="Reschedule").click()
    page.get_by_label("Free time").select_option(label=free_times_from_the_day_after_tomorrow(page)[1])
    page.get_by_role("button", name="Save").click()
    moved = models.Booking.objects.get()
    assert moved.start != booking.start and moved.status == "CONFIRMED"
    assert mail.outbox[-1].subject == "Your booking has moved: Haircut & style"

    # And canceled.
    page.goto(desk + change_url)
    page.get_by_role("link", name="Cancel").click()
    page.get_by_role("button", name="Save").click()
    assert models.Booking.objects.get().status == "CANCELED"
    assert [c.event for c in moved.changes.order_by("pk")][-2:] == ["rescheduled", "canceled"]
    assert console_errors == []


def test_staff_who_may_only_look_get_no_actions(page: Page, desk):
    log_in(page, desk)
    expect(page.get_by_role("link", name="Phone booking")).to_have_count(0)
    assert page.goto(desk + reverse("admin:booking_booking_phone")).status == 403

    booking = booked_by_the_owner("haircut-and-style")
    page.goto(desk + reverse("admin:booking_booking_change", args=[booking.pk]))
    expect(page.get_by_role("link", name="Reschedule")).to_have_count(0)
    expect(page.get_by_role("link", name="Cancel")).to_have_count(0)
    for action in ("reschedule", "cancel"):
        assert page.goto(desk + reverse(f"admin:booking_booking_{action}", args=[booking.pk])).status == 403
    assert models.Booking.objects.get().status == "CONFIRMED"


def test_a_request_confirmed_and_a_class_booking_for_fewer_people(page: Page, browser, desk):
    # A customer asks for the signature facial, which the business approves.
    customer = browser.new_context().new_page()
    choose_a_time_and_fill_in(customer, desk, "Signature facial")
    customer.get_by_role("button", name="Request booking").click()
    expect(customer.get_by_role("heading", level=1)).to_have_text("Booking requested")
    request = models.Booking.objects.get()
    assert request.status == "PENDING"

    log_in(page, desk, "change_booking")
    page.goto(desk + reverse("admin:booking_booking_changelist"))
    page.locator(f'input[name="_selected_action"][value="{request.pk}"]').check()
    page.locator('select[name="action"]').select_option(label="Confirm selected bookings (a taken time is flagged as "
                                                    "double-booked)")
    page.get_by_role("button", name="Run").click()
    expect(page.locator(".messagelist")).to_contain_text("Confirmed")
    assert models.Booking.objects.get(pk=request.pk).status == "CONFIRMED"
    assert "Your booking is confirmed: Signature facial" in [m.subject for m in mail.outbox]

    # A class booked for two on the phone; one of them cannot come.
    yoga = booked_by_the_owner("vinyasa-flow", participants=2)
    page.goto(desk + reverse("admin:booking_booking_change", args=[yoga.pk]))
    page.get_by_role("link", name="Change participants").click()
    page.get_by_label("Total participants").fill("1")
    page.get_by_role("button", name="Save").click()
    assert models.Booking.objects.get(pk=yoga.pk).total_participants == 1
    assert yoga.changes.order_by("pk").last().event == "number_of_participants_updated"
