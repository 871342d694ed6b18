"""A small business built through the real models, for the tests: one place, two staff, a few services."""

from datetime import UTC, datetime, time
from decimal import Decimal

from booking import models
from booking.models.catalog import FieldType, RateType, ServiceType

TZ = "America/New_York"


def make_business(tz: str = TZ) -> models.Business:
    return models.Business.objects.create(name="Test Studio", time_zone=tz, currency="USD",
                                          address="1 Main St, Springfield", phone="+1 555 0100")


def make_staff(name: str, hours: list[tuple[int, time, time]]) -> models.StaffMember:
    member = models.StaffMember.objects.create(name=name)
    for weekday, start, end in hours:
        models.WorkingHours.objects.create(staff=member, weekday=weekday, start_time=start, end_time=end)
    return member


def weekdays(start: time, end: time, days=range(5)) -> list[tuple[int, time, time]]:
    return [(d, start, end) for d in days]


def make_policy(**values) -> models.BookingPolicy:
    values.setdefault("name", "Default")
    values.setdefault("is_default", True)
    return models.BookingPolicy.objects.create(**values)


def make_form() -> models.BookingForm:
    form = models.BookingForm.objects.create(name="Intake")
    specs = [
        ("first_name", "First name", FieldType.TEXT, True, []),
        ("last_name", "Last name", FieldType.TEXT, True, []),
        ("email", "Email", FieldType.EMAIL, True, []),
        ("phone", "Phone", FieldType.PHONE, True, []),
        ("goal", "What brings you in?", FieldType.CHOICE, True, ["Relax", "Recover"]),
        ("notes", "Notes", FieldType.LONG_TEXT, False, []),
        ("first_visit", "First visit", FieldType.CHECKBOX, False, []),
    ]
    for order, (target, label, kind, required, options) in enumerate(specs):
        models.FormField.objects.create(form=form, target=target, label=label, field_type=kind,
                                        required=required, options=options, sort_order=order)
    return form


def make_service(staff: list[models.StaffMember], **values) -> models.Service:
    category, _ = models.ServiceCategory.objects.get_or_create(name="Treatments")
    location, _ = models.Location.objects.get_or_create(name="Main room", defaults={"address": "1 Main St"})
    values.setdefault("type", ServiceType.APPOINTMENT)
    values.setdefault("name", "Massage")
    values.setdefault("slug", values["name"].lower().replace(" ", "-"))
    values.setdefault("duration_minutes", 60)
    values.setdefault("slot_interval_minutes", 60)
    values.setdefault("rate_type", RateType.FIXED)
    values.setdefault("price", Decimal("80.00"))
    values.setdefault("pay_in_person", True)
    service = models.Service.objects.create(category=category, **values)
    service.staff.set(staff)
    service.locations.set([location])
    return service


FREE = {"rate_type": RateType.NO_FEE, "price": None, "pay_in_person": False}

ANSWERS = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com", "phone": "+1 555 0199",
           "goal": "Relax"}

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)  # Sunday 07:00 in New York


def make_class(staff: models.StaffMember, rules: list[tuple[int, time]], *, capacity: int = 10,
               starts_on=None, ends_on=None, **values) -> models.Service:
    """A class (or, with type=COURSE, a course) with weekly rules, its sessions made as the admin makes them."""
    from booking.schedules import sync_service_sessions

    values.setdefault("type", ServiceType.CLASS)
    values.setdefault("name", "Yoga")
    values.setdefault("price", Decimal("20.00"))
    service = make_service([staff], default_capacity=capacity, **values)
    location = service.locations.get()
    first = starts_on or NOW.date()
    for weekday, start in rules:
        models.ScheduleRule.objects.create(service=service, weekday=weekday, start_time=start, duration_minutes=60,
                                           staff=staff, location=location, starts_on=first, ends_on=ends_on)
    sync_service_sessions(service, NOW.date())
    return service
