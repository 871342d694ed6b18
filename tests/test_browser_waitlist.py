"""A customer joins a full class's waitlist, is emailed when a place frees up and takes it, in a real Chromium
against a live server with the demo business; with JavaScript off, since the pages are plain links and forms. In
wix mode the same full session offers no waitlist (the wix backend keeps none)."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Browser, expect

from booking import models
from booking.backends.local import LocalEngine
from booking.port import Caller, ContactDetails, CreateBookingRequest, PaymentStatus, Slot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_the_next_session():
    """The demo's next Vinyasa session a day or more ahead, cut to one place and booked by someone else."""
    session = (models.ClassSession.objects.filter(service__slug="vinyasa-flow",
                                                  start__gt=timezone.now() + timedelta(days=1))
               .order_by("start").first())
    models.ClassSession.objects.filter(pk=session.pk).update(capacity=1)
    engine = LocalEngine()
    made = engine.create_booking(CreateBookingRequest(
        slot=Slot(str(session.service_id), session.start, session.end, "America/New_York",
                  event_id=str(session.public_id)),
        contact_details=ContactDetails("Taken", "", "taken@example.com"),
        form_submission={"first_name": "Taken", "last_name": "Early", "email": "taken@example.com"},
        selected_payment_option="OFFLINE"))
    return session, engine.confirm_or_decline_booking(made.id, payment_status=PaymentStatus.NOT_PAID)


def test_a_customer_waits_for_a_full_class_and_takes_the_freed_place(browser: Browser, demo, backend, settings):
    settings.SITE_URL = demo
    session, taken = fill_the_next_session()
    day = session.start.astimezone(ZoneInfo(models.Business.objects.get().time_zone)).date()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{demo}/services/vinyasa-flow/?day={day.isoformat()}")
    expect(page.get_by_text("Full").first).to_be_visible()
    join = page.get_by_role("link", name=re.compile(r"^Join the waitlist for "))
    if backend == "wix":
        expect(join).to_have_count(0)
        response = page.goto(f"{demo}/services/vinyasa-flow/waitlist/?event={session.public_id}")
        assert response.status == 404
        context.close()
        return

    join.first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Join the waitlist")
    page.get_by_label("First name").fill("Ada")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_role("button", name="Join the waitlist").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You're on the waitlist")

    mail.outbox.clear()
    LocalEngine().cancel_booking(taken.id, revision=taken.revision, caller=Caller.STAFF)  # a place frees up
    [offer] = [m for m in mail.outbox if m.to == ["ada@example.com"]]
    assert offer.subject == "A place is free for you: Vinyasa flow"
    page.goto(re.search(rf"{re.escape(demo)}/manage/\S+/", offer.body).group(0))
    expect(page.get_by_role("heading", level=1)).to_have_text("A place is free for you")
    expect(page.get_by_text(re.compile(r"It is held for you until .+ \(America/New_York\)"))).to_be_visible()
    page.get_by_role("button", name="Take the place").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You're booked")
    entry = models.Booking.objects.get(email="ada@example.com")
    assert (entry.status, entry.payment_status, entry.session_id) == ("CONFIRMED", "NOT_PAID", session.pk)
    context.close()
