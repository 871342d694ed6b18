"""The demo business `make run` loads: a wellness studio in New York (a zone with daylight saving time).

Loading is idempotent: every object is found by a natural key and set to the same values, so a second run on the
same day changes nothing. Dates (time off, the course) are relative to today, so the demo never runs dry.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction

from . import models
from .models.catalog import FieldType, RateType, ServiceType
from .schedules import sync_service_sessions

TIME_ZONE = "America/New_York"


def _upsert(model, lookup: dict, **values):
    """Find by `lookup`, create with `values`, or update only the fields that differ (so a rerun writes nothing)."""
    obj, created = model.objects.get_or_create(**lookup, defaults=values)
    changed = [name for name, value in values.items() if not created and getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    if changed:
        obj.save(update_fields=changed)
    return obj


def _next_weekday(start: date, weekday: int) -> date:
    return start + timedelta(days=(weekday - start.weekday()) % 7)


@transaction.atomic
def load_demo(today: date) -> models.Business:
    tz = ZoneInfo(TIME_ZONE)
    business = _upsert(
        models.Business, {}, name="Juniper & Pine Wellness Studio", time_zone=TIME_ZONE, currency="USD",
        address="214 Bedford Ave, Brooklyn, NY 11249", email="hello@juniperandpine.example", phone="+1 718 555 0142",
    )

    studio = _upsert(models.Location, {"name": "Bedford Avenue studio"},
                     address="214 Bedford Ave, Brooklyn, NY 11249", is_default=True)

    # Staff, with different weekly hours and days off (weekday 0 is Monday).
    hours = {
        "Maya Chen": ("Massage therapist", [(d, time(9), time(17)) for d in (0, 1, 2, 3, 4)]),
        "Luis Ortega": ("Hair stylist", [(d, time(10), time(14)) for d in (1, 2, 3, 4, 5)]
                        + [(d, time(15), time(19)) for d in (1, 2, 3, 4, 5)]),
        "Priya Nair": ("Esthetician", [(0, time(8), time(14)), (2, time(8), time(14)), (3, time(12), time(20)),
                                       (4, time(12), time(20))]),
        "Sam Okafor": ("Yoga and Pilates teacher", [(5, time(13), time(17)), (6, time(10), time(14))]),
    }
    staff = {}
    for order, (name, (bio, blocks)) in enumerate(hours.items()):
        member = _upsert(models.StaffMember, {"name": name}, bio=bio, is_active=True, sort_order=order,
                         email=f"{name.split()[0].lower()}@juniperandpine.example")
        wanted = {(weekday, start, end) for weekday, start, end in blocks}
        current = {(h.weekday, h.start_time, h.end_time): h for h in member.working_hours.all()}
        for key, block in current.items():
            if key not in wanted:
                block.delete()
        for weekday, start, end in sorted(wanted - current.keys()):
            models.WorkingHours.objects.create(staff=member, weekday=weekday, start_time=start, end_time=end)
        staff[name.split()[0]] = member

    # Maya takes a day off in ten days' time.
    day_off = today + timedelta(days=10)
    models.TimeOff.objects.filter(staff=staff["Maya"], reason="Day off").exclude(
        start=datetime.combine(day_off, time(0), tz)
    ).delete()
    _upsert(models.TimeOff, {"staff": staff["Maya"], "reason": "Day off"},
            start=datetime.combine(day_off, time(0), tz),
            end=datetime.combine(day_off + timedelta(days=1), time(0), tz))

    standard = _upsert(
        models.BookingPolicy, {"name": "Standard policy"}, is_default=True,
        description="Book at least an hour ahead. Cancel free of charge up to 24 hours before your visit; "
                    "reschedule up to 12 hours before.",
        limit_early_booking_enabled=True, earliest_booking_in_minutes=60 * 24 * 90,
        limit_late_booking_enabled=True, latest_booking_in_minutes=60,
        cancellation_enabled=True, limit_latest_cancellation=True, latest_cancellation_in_minutes=24 * 60,
        reschedule_enabled=True, limit_latest_reschedule=True, latest_reschedule_in_minutes=12 * 60,
    )
    massage_policy = _upsert(
        models.BookingPolicy, {"name": "Massage policy"}, is_default=False,
        description="Cancel or reschedule up to 48 hours before your massage. Later changes are not possible online.",
        limit_late_booking_enabled=True, latest_booking_in_minutes=120,
        cancellation_enabled=True, limit_latest_cancellation=True, latest_cancellation_in_minutes=48 * 60,
        reschedule_enabled=True, limit_latest_reschedule=True, latest_reschedule_in_minutes=48 * 60,
    )
    class_policy = _upsert(
        models.BookingPolicy, {"name": "Classes and courses"}, is_default=False,
        description="Book up to 30 minutes before class, for up to 4 people. Cancel up to 6 hours before.",
        limit_late_booking_enabled=True, latest_booking_in_minutes=30, max_participants_per_booking=4,
        cancellation_enabled=True, limit_latest_cancellation=True, latest_cancellation_in_minutes=6 * 60,
        waitlist_enabled=True, waitlist_capacity=10, waitlist_reservation_minutes=30,
    )

    intake = _upsert(models.BookingForm, {"name": "Treatment intake"})
    fields = [
        ("first_name", "First name", FieldType.TEXT, True, []),
        ("last_name", "Last name", FieldType.TEXT, True, []),
        ("email", "Email", FieldType.EMAIL, True, []),
        ("phone", "Mobile phone", FieldType.PHONE, True, []),
        ("heard_from", "How did you hear about us?", FieldType.CHOICE, False,
         ["A friend", "Instagram", "Google", "Walked past"]),
        ("notes", "Anything we should know? (allergies, injuries, preferences)", FieldType.LONG_TEXT, False, []),
        ("first_visit", "This is my first visit", FieldType.CHECKBOX, False, []),
    ]
    for order, (target, label, kind, required, options) in enumerate(fields):
        _upsert(models.FormField, {"form": intake, "target": target}, label=label, field_type=kind,
                required=required, options=options, sort_order=order)

    hair = _upsert(models.ServiceCategory, {"name": "Hair"}, sort_order=1)
    body = _upsert(models.ServiceCategory, {"name": "Massage & body"}, sort_order=2)
    skin = _upsert(models.ServiceCategory, {"name": "Skin"}, sort_order=3)
    movement = _upsert(models.ServiceCategory, {"name": "Classes & courses"}, sort_order=4)

    def service(slug, staff_names, **values):
        obj = _upsert(models.Service, {"slug": slug}, **values)
        obj.staff.set([staff[n] for n in staff_names])  # set() leaves unchanged links alone
        obj.locations.set([studio])
        return obj

    service("free-consultation", ["Maya", "Luis", "Priya"], type=ServiceType.APPOINTMENT, category=hair,
            name="Free consultation", sort_order=0, tag_line="Twenty minutes to plan your treatment with us.",
            description="Meet one of our team to talk through what you'd like. No charge, no obligation.",
            duration_minutes=20, time_between_sessions=10, slot_interval_minutes=30, rate_type=RateType.NO_FEE,
            price=None, pay_online=False, pay_in_person=False, booking_policy=standard, form=None)
    service("haircut-and-style", ["Luis"], type=ServiceType.APPOINTMENT, category=hair, name="Haircut & style",
            sort_order=1, tag_line="Wash, cut and blow-dry.", duration_minutes=45, time_between_sessions=15,
            slot_interval_minutes=15, rate_type=RateType.FIXED, price=Decimal("65.00"), pay_online=False,
            pay_in_person=True, booking_policy=standard, form=intake,
            description="A precision cut with a consultation, wash and finish. Pay at the studio.")
    service("deep-tissue-massage", ["Maya"], type=ServiceType.APPOINTMENT, category=body,
            name="Deep tissue massage", sort_order=1, tag_line="Sixty minutes of focused bodywork.",
            duration_minutes=60, time_between_sessions=15, slot_interval_minutes=30, rate_type=RateType.FIXED,
            price=Decimal("110.00"), pay_online=True, pay_in_person=False, booking_policy=massage_policy,
            form=intake, description="Slow, firm pressure for tight muscles. Paid online when you book.")
    service("hot-stone-massage", ["Maya"], type=ServiceType.APPOINTMENT, category=body, name="Hot stone massage",
            sort_order=2, tag_line="Ninety minutes of warmth.", duration_minutes=90, time_between_sessions=15,
            slot_interval_minutes=30, rate_type=RateType.FIXED, price=Decimal("140.00"), deposit=Decimal("40.00"),
            pay_online=True, pay_deposit=True, pay_in_person=True, booking_policy=massage_policy, form=intake,
            description="Heated basalt stones and long strokes. Pay a deposit online or the full price in person.")
    service("signature-facial", ["Priya"], type=ServiceType.APPOINTMENT, category=skin, name="Signature facial",
            sort_order=1, tag_line="Seventy-five minutes, tailored to your skin.", duration_minutes=75,
            time_between_sessions=15, slot_interval_minutes=15, rate_type=RateType.FIXED, price=Decimal("95.00"),
            pay_online=False, pay_in_person=True, require_manual_approval=True, booking_policy=standard,
            form=intake, description="Cleanse, exfoliation, extractions and a mask. Priya confirms each request "
                                     "personally after reading your intake form.")
    vinyasa = service("vinyasa-flow", ["Sam"], type=ServiceType.CLASS, category=movement, name="Vinyasa flow",
                      sort_order=1, tag_line="An energising all-levels class.", duration_minutes=60,
                      default_capacity=12, rate_type=RateType.FIXED, price=Decimal("22.00"), pay_online=False,
                      pay_in_person=True, booking_policy=class_policy, form=None,
                      description="Breath-led movement for every level. Mats provided.")
    pilates = service("pilates-foundations", ["Sam"], type=ServiceType.COURSE, category=movement,
                      name="Pilates foundations (6 weeks)", sort_order=2, tag_line="Build a strong, safe practice.",
                      duration_minutes=60, default_capacity=8, rate_type=RateType.FIXED, price=Decimal("180.00"),
                      pay_online=False, pay_in_person=True, booking_policy=class_policy, form=None,
                      description="Six Wednesday evenings of mat Pilates, booked as one course.")

    this_monday = today - timedelta(days=today.weekday())
    vinyasa_rules = [(1, time(18, 30)), (5, time(9, 30))]
    for weekday, start in vinyasa_rules:
        _upsert(models.ScheduleRule, {"service": vinyasa, "weekday": weekday, "start_time": start},
                duration_minutes=60, staff=staff["Sam"], location=studio, capacity=None, starts_on=this_monday,
                ends_on=None)
    models.ScheduleRule.objects.filter(service=vinyasa).exclude(
        weekday__in=[w for w, _ in vinyasa_rules], start_time__in=[t for _, t in vinyasa_rules]).delete()
    course_start = _next_weekday(today + timedelta(days=7), 2)
    _upsert(models.ScheduleRule, {"service": pilates, "weekday": 2, "start_time": time(19)}, duration_minutes=60,
            staff=staff["Sam"], location=studio, capacity=None, starts_on=course_start,
            ends_on=course_start + timedelta(weeks=5))
    sync_service_sessions(vinyasa, today)
    sync_service_sessions(pilates, today)
    return business
