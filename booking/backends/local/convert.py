"""Turning the local engine's models into the port's dataclasses and the availability core's inputs."""

from collections import defaultdict
from datetime import timedelta
from zoneinfo import ZoneInfo

from booking import availability, models
from booking import port as p
from booking.availability import Interval, StaffCalendar, WeeklyHours
from booking.port import BookingStatus, PaymentStatus, RateType, SelectedPaymentOption, ServiceType

# Wix's id of the default booking form, which asks for name, email and phone (wix-api.md §0, §7).
DEFAULT_FORM_ID = "00000000-0000-0000-0000-000000000000"
DEFAULT_FORM = p.FormSummary(
    id=DEFAULT_FORM_ID,
    fields=(
        p.FormField(id="first_name", target="first_name", label="First name", type="TEXT", required=True),
        p.FormField(id="last_name", target="last_name", label="Last name", type="TEXT", required=True),
        p.FormField(id="email", target="email", label="Email", type="EMAIL", required=True),
        p.FormField(id="phone", target="phone", label="Phone", type="PHONE", required=False),
    ),
)


def business(b: models.Business) -> p.BusinessInfo:
    return p.BusinessInfo(b.name, b.time_zone, b.currency, b.address, b.email, b.phone)


def money(value, currency: str) -> p.Money | None:
    return p.Money(value, currency) if value is not None else None


def location(loc: models.Location) -> p.Location:
    return p.Location(id=str(loc.pk), name=loc.name, formatted_address=loc.address)


def first_location(service: models.Service) -> p.Location | None:
    return location(service.location_list[0]) if service.location_list else None


def form_id(service: models.Service) -> str:
    return str(service.form_id) if service.form_id else DEFAULT_FORM_ID


def schedule_id(service: models.Service) -> str:
    return f"service-{service.pk}"


def payment_options(service: models.Service) -> set[SelectedPaymentOption]:
    """The selectedPaymentOption values a booking of this service may carry."""
    if service.rate_type == RateType.NO_FEE:
        return {SelectedPaymentOption.UNDEFINED, SelectedPaymentOption.OFFLINE}
    options = set()
    if service.pay_online:
        options.add(SelectedPaymentOption.ONLINE)
    if service.pay_in_person or service.rate_type == RateType.CUSTOM:
        options.add(SelectedPaymentOption.OFFLINE)
    return options


def policy(pol: models.BookingPolicy | None) -> p.BookingPolicy:
    pol = pol or models.BookingPolicy(name="Default policy")
    return p.BookingPolicy(
        id=str(pol.pk or ""),
        name=pol.name,
        description=pol.description,
        limit_early_booking_enabled=pol.limit_early_booking_enabled,
        earliest_booking_in_minutes=pol.earliest_booking_in_minutes,
        limit_late_booking_enabled=pol.limit_late_booking_enabled,
        latest_booking_in_minutes=pol.latest_booking_in_minutes,
        book_after_start_enabled=pol.book_after_start_enabled,
        cancellation_enabled=pol.cancellation_enabled,
        limit_latest_cancellation=pol.limit_latest_cancellation,
        latest_cancellation_in_minutes=pol.latest_cancellation_in_minutes,
        reschedule_enabled=pol.reschedule_enabled,
        limit_latest_reschedule=pol.limit_latest_reschedule,
        latest_reschedule_in_minutes=pol.latest_reschedule_in_minutes,
        max_participants_per_booking=pol.max_participants_per_booking,
        waitlist_enabled=pol.waitlist_enabled,
        waitlist_capacity=pol.waitlist_capacity,
        waitlist_reservation_time_in_minutes=pol.waitlist_reservation_minutes,
    )


def service(s: models.Service, currency: str) -> p.Service:
    return p.Service(
        id=str(s.pk),
        type=ServiceType(s.type),
        name=s.name,
        slug=s.slug,
        tag_line=s.tag_line,
        description=s.description,
        category=p.Category(id=str(s.category.pk), name=s.category.name, sort_order=s.category.sort_order),
        default_capacity=s.default_capacity,
        session_duration_minutes=s.duration_minutes,
        time_between_sessions=s.time_between_sessions,
        payment=p.Payment(
            rate_type=RateType(s.rate_type),
            price=money(s.price, currency) if s.rate_type in (RateType.FIXED, RateType.VARIED) else None,
            deposit=money(s.deposit, currency) if s.pay_deposit else None,
            custom_description=s.custom_price_description,
            options=p.PaymentOptions(online=s.pay_online, in_person=s.pay_in_person, deposit=s.pay_deposit),
        ),
        online_booking=p.OnlineBooking(s.online_booking_enabled, s.require_manual_approval),
        locations=tuple(location(loc) for loc in s.location_list),
        staff_members=tuple(p.Resource(id=str(m.pk), name=m.name) for m in s.active_staff),
        form_id=form_id(s),
        booking_policy=policy(s.booking_policy),
        schedule_id=schedule_id(s),
    )


def form_summary(form: models.BookingForm) -> p.FormSummary:
    return p.FormSummary(
        id=str(form.pk),
        fields=tuple(
            p.FormField(
                id=str(f.pk),
                target=f.target,
                label=f.label,
                type=f.field_type,
                required=f.required,
                options=tuple(f.options or ()),
                help_text=f.help_text,
            )
            for f in form.fields.all()
        ),
    )


def appointment_rules(s: models.Service, tz: ZoneInfo) -> availability.AppointmentRules:
    return availability.AppointmentRules(
        time_zone=tz,
        duration=timedelta(minutes=s.duration_minutes),
        buffer=timedelta(minutes=s.time_between_sessions),
        interval=timedelta(minutes=s.slot_interval_minutes),
    )


def policy_rules(s: models.Service) -> availability.PolicyRules:
    pol = s.booking_policy or models.BookingPolicy(name="Default policy")
    return availability.PolicyRules(
        online_booking_enabled=s.online_booking_enabled,
        limit_early_booking_enabled=pol.limit_early_booking_enabled,
        earliest_booking=timedelta(minutes=pol.earliest_booking_in_minutes),
        limit_late_booking_enabled=pol.limit_late_booking_enabled,
        latest_booking=timedelta(minutes=pol.latest_booking_in_minutes),
    )


def staff_calendars(staff_ids, hours_rows, blocked_rows) -> list[StaffCalendar]:
    """Calendars from (staff, weekday, start, end) hours and (staff, start, end, is_time_off) blocked rows."""
    hours, off, busy = defaultdict(list), defaultdict(list), defaultdict(list)
    for staff_id, weekday, start, end in hours_rows:
        hours[staff_id].append(WeeklyHours(weekday, start, end))
    for staff_id, start, end, is_time_off in blocked_rows:
        (off if is_time_off else busy)[staff_id].append(Interval(start, end))
    return [
        StaffCalendar(str(pk), tuple(hours[pk]), tuple(off[pk]), tuple(busy[pk]))
        for pk in sorted(staff_ids)
    ]


def booking(b: models.Booking) -> p.Booking:
    teacher = b.session.staff if b.session_id else b.staff  # a class booking's staff member is the session's
    staff = p.Resource(id=str(teacher.pk), name=teacher.name) if teacher else None
    return p.Booking(
        id=str(b.public_id),
        service_id=str(b.service_id),
        title=b.service.name,
        slot=p.Slot(
            service_id=str(b.service_id),
            start_date=b.start,
            end_date=b.end,
            timezone=b.time_zone,
            schedule_id=schedule_id(b.service),
            resource=staff,
            location=location(b.location) if b.location_id else None,
            event_id=str(b.session.public_id) if b.session_id else "",
        ),
        contact_details=p.ContactDetails(b.first_name, b.last_name, b.email, b.phone),
        status=BookingStatus(b.status),
        payment_status=PaymentStatus(b.payment_status),
        selected_payment_option=SelectedPaymentOption(b.selected_payment_option),
        total_participants=b.total_participants,
        revision=b.revision,
        start_date=b.start,
        end_date=b.end,
        created_date=b.created_at,
        updated_date=b.updated_at,
        form_submission=dict(b.form_submission),
        price=money(b.price, b.currency),
        double_booked=b.double_booked,
        multi_service_booking_id=str(b.multi_service_booking) if b.multi_service_booking else "",
        waitlist_offer_expires_at=b.hold_expires_at if b.status == BookingStatus.WAITING_LIST else None,
    )
