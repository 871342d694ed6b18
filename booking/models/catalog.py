"""The catalog of the local engine: business, locations, staff and their hours, services, policies and forms.

Field names follow the Wix objects (wix-api.md §2–3) so that the port's dataclasses map onto them one to one.
"""

import zoneinfo
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from booking import port
from booking.occupancy import MAX_BUFFER_MINUTES, MAX_DURATION_MINUTES


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(f"{value!r} is not an IANA time zone, such as Europe/London.") from exc


class Business(models.Model):
    """The one business this site books for (Wix: site properties)."""

    name = models.CharField(max_length=200)
    time_zone = models.CharField(
        max_length=64, validators=[validate_time_zone], help_text="IANA time zone, e.g. America/New_York."
    )
    currency = models.CharField(max_length=3, help_text="ISO 4217 code, e.g. USD.")
    address = models.CharField(max_length=300, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)

    class Meta:
        verbose_name_plural = "business"

    def __str__(self) -> str:
        return self.name


class Location(models.Model):
    name = models.CharField(max_length=200)
    address = models.CharField(max_length=300)
    is_default = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_default", "name"]

    def __str__(self) -> str:
        return self.name


class StaffMember(models.Model):
    """A staff member: the resource an appointment is booked with."""

    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    bio = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class Weekday(models.IntegerChoices):
    MONDAY = 0
    TUESDAY = 1
    WEDNESDAY = 2
    THURSDAY = 3
    FRIDAY = 4
    SATURDAY = 5
    SUNDAY = 6


class WorkingHours(models.Model):
    """A weekly block of working time, in the business's local wall-clock time."""

    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="working_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start_time = models.TimeField()
    end_time = models.TimeField()

    class Meta:
        ordering = ["weekday", "start_time"]
        verbose_name_plural = "working hours"
        constraints = [
            models.CheckConstraint(condition=Q(end_time__gt=F("start_time")), name="working_hours_end_after_start")
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}–{self.end_time:%H:%M}"


class TimeOff(models.Model):
    """A period a staff member does not work, stored as UTC instants."""

    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="time_off")
    start = models.DateTimeField()
    end = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["start"]
        verbose_name_plural = "time off"
        constraints = [models.CheckConstraint(condition=Q(end__gt=F("start")), name="time_off_end_after_start")]

    def __str__(self) -> str:
        return f"{self.staff}: {self.start:%Y-%m-%d %H:%M} – {self.end:%Y-%m-%d %H:%M}"


class ServiceCategory(models.Model):
    name = models.CharField(max_length=200)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name_plural = "service categories"

    def __str__(self) -> str:
        return self.name


class BookingPolicy(models.Model):
    """Wix booking policy (wix-api.md §3); minutes are elapsed time, not calendar days."""

    name = models.CharField(max_length=400)
    is_default = models.BooleanField(default=False)
    description = models.TextField(blank=True, help_text="Shown to customers before they book.")

    limit_early_booking_enabled = models.BooleanField(default=False)
    earliest_booking_in_minutes = models.PositiveIntegerField(default=10080, validators=[MinValueValidator(1)])
    limit_late_booking_enabled = models.BooleanField(default=False)
    latest_booking_in_minutes = models.PositiveIntegerField(default=1440, validators=[MinValueValidator(1)])
    book_after_start_enabled = models.BooleanField(default=False)

    cancellation_enabled = models.BooleanField(default=False)
    limit_latest_cancellation = models.BooleanField(default=False)
    latest_cancellation_in_minutes = models.PositiveIntegerField(default=1440, validators=[MinValueValidator(1)])
    cancellation_allow_anonymous = models.BooleanField(default=True)

    reschedule_enabled = models.BooleanField(default=False)
    limit_latest_reschedule = models.BooleanField(default=False)
    latest_reschedule_in_minutes = models.PositiveIntegerField(default=1440, validators=[MinValueValidator(1)])
    reschedule_allow_anonymous = models.BooleanField(default=True)

    max_participants_per_booking = models.PositiveIntegerField(default=1, validators=[MinValueValidator(1)])

    # Wix's waitlistPolicy (wix-api.md §3), for class sessions; the local engine's only (docs/decisions.md).
    waitlist_enabled = models.BooleanField(default=False, help_text="Full class sessions take a waitlist.")
    waitlist_capacity = models.PositiveIntegerField(default=10, validators=[MinValueValidator(1)],
                                                    help_text="How many customers a session's waitlist takes.")
    waitlist_reservation_minutes = models.PositiveIntegerField(
        default=10, validators=[MinValueValidator(1)],
        help_text="How long a place offered to the next customer on the waitlist is held for them.")

    class Meta:
        verbose_name_plural = "booking policies"
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True), name="one_default_policy")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.book_after_start_enabled and self.limit_late_booking_enabled:
            raise ValidationError("Booking after the start cannot be combined with a latest-booking limit.")
        if (
            self.limit_early_booking_enabled
            and self.limit_late_booking_enabled
            and self.earliest_booking_in_minutes <= self.latest_booking_in_minutes
        ):
            raise ValidationError("The earliest booking time must be further ahead than the latest booking time.")


class BookingForm(models.Model):
    """A booking form (Wix Forms); its fields' targets are the keys of a booking's form submission."""

    name = models.CharField(max_length=200)

    def __str__(self) -> str:
        return self.name


class FieldType(models.TextChoices):
    TEXT = "TEXT", "Short text"
    LONG_TEXT = "LONG_TEXT", "Long text"
    EMAIL = "EMAIL", "Email"
    PHONE = "PHONE", "Phone"
    NUMBER = "NUMBER", "Number"
    CHOICE = "CHOICE", "Choice (one)"
    MULTI_CHOICE = "MULTI_CHOICE", "Choice (several)"
    CHECKBOX = "CHECKBOX", "Checkbox"
    DATE = "DATE", "Date"


class FormField(models.Model):
    form = models.ForeignKey(BookingForm, on_delete=models.CASCADE, related_name="fields")
    target = models.SlugField(
        max_length=100, allow_unicode=False, help_text="Key in the form submission, e.g. first_name."
    )
    label = models.CharField(max_length=200)
    field_type = models.CharField(max_length=20, choices=FieldType.choices, default=FieldType.TEXT)
    required = models.BooleanField(default=False)
    options = models.JSONField(default=list, blank=True, help_text="Choices, for choice fields: a list of labels.")
    help_text = models.CharField(max_length=300, blank=True)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "pk"]
        constraints = [models.UniqueConstraint(fields=["form", "target"], name="unique_field_target")]

    def __str__(self) -> str:
        return f"{self.label} ({self.target})"

    def clean(self) -> None:
        choice_types = {FieldType.CHOICE, FieldType.MULTI_CHOICE}
        if self.field_type in choice_types and not self.options:
            raise ValidationError({"options": "A choice field needs at least one option."})
        if not isinstance(self.options, list) or not all(isinstance(o, str) for o in self.options):
            raise ValidationError({"options": "Options are a list of labels."})


class ServiceType(models.TextChoices):  # values from the port's enums, as RateType's
    APPOINTMENT = port.ServiceType.APPOINTMENT.value, "Appointment"
    CLASS = port.ServiceType.CLASS.value, "Class"
    COURSE = port.ServiceType.COURSE.value, "Course"


class RateType(models.TextChoices):
    FIXED = port.RateType.FIXED.value, "Fixed price"
    VARIED = port.RateType.VARIED.value, "Varies"
    CUSTOM = port.RateType.CUSTOM.value, "Custom (described in words)"
    NO_FEE = port.RateType.NO_FEE.value, "Free"


class Service(models.Model):
    type = models.CharField(max_length=20, choices=ServiceType.choices, default=ServiceType.APPOINTMENT)
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    tag_line = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    category = models.ForeignKey(ServiceCategory, on_delete=models.PROTECT, related_name="services")
    sort_order = models.PositiveIntegerField(default=0)
    hidden = models.BooleanField(default=False, help_text="Hidden services are not shown on the site.")

    duration_minutes = models.PositiveIntegerField(
        default=60, validators=[MinValueValidator(1), MaxValueValidator(MAX_DURATION_MINUTES)],
        help_text="Session length.",
    )
    time_between_sessions = models.PositiveIntegerField(
        default=0, validators=[MaxValueValidator(MAX_BUFFER_MINUTES)],
        help_text="Buffer in minutes kept free after each booking.",
    )
    slot_interval_minutes = models.PositiveIntegerField(
        default=30, validators=[MinValueValidator(5)], help_text="Appointments may start every this many minutes."
    )
    default_capacity = models.PositiveIntegerField(
        default=1, validators=[MinValueValidator(1)], help_text="Participants per session (course: per course)."
    )

    rate_type = models.CharField(max_length=10, choices=RateType.choices, default=RateType.FIXED)
    price = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    deposit = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    custom_price_description = models.CharField(max_length=200, blank=True)
    pay_online = models.BooleanField(default=False)
    pay_in_person = models.BooleanField(default=True)
    pay_deposit = models.BooleanField(default=False, help_text="Online payments take only the deposit up front.")

    online_booking_enabled = models.BooleanField(default=True)
    require_manual_approval = models.BooleanField(default=False)

    staff = models.ManyToManyField(StaffMember, blank=True, related_name="services")
    locations = models.ManyToManyField(Location, blank=True, related_name="services")
    form = models.ForeignKey(
        BookingForm, on_delete=models.PROTECT, null=True, blank=True, help_text="Empty: the default form."
    )
    booking_policy = models.ForeignKey(
        BookingPolicy, on_delete=models.PROTECT, null=True, blank=True, help_text="Empty: the default policy."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # Whole categories first (groupby on the home page relies on it), then services within them.
        ordering = ["category__sort_order", "category__name", "category_id", "sort_order", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        chargeable = self.rate_type in {RateType.FIXED, RateType.VARIED}
        if chargeable and (self.price is None or self.price <= Decimal(0)):
            errors["price"] = "A fixed or varied rate needs a price above zero."
        if self.pay_online and not chargeable:
            errors["pay_online"] = "Online payment needs a fixed or varied price."
        if self.pay_deposit and not (self.pay_online and self.deposit and self.deposit < (self.price or 0)):
            errors["deposit"] = "A deposit needs online payment and an amount below the price."
        if self.rate_type == RateType.CUSTOM and not self.custom_price_description:
            errors["custom_price_description"] = "Describe the price for a custom rate."
        if errors:
            raise ValidationError(errors)


class ScheduleRule(models.Model):
    """A weekly session of a class, or the sessions of a course, in local wall-clock time.

    A class repeats every week from `starts_on` (until `ends_on`, if set); a course has its sessions on the
    matching weekdays between `starts_on` and `ends_on` and is booked as a whole.
    """

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="schedule_rules")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start_time = models.TimeField()
    duration_minutes = models.PositiveIntegerField(default=60, validators=[MinValueValidator(1)])
    staff = models.ForeignKey(StaffMember, on_delete=models.PROTECT, null=True, blank=True)
    location = models.ForeignKey(Location, on_delete=models.PROTECT, null=True, blank=True)
    capacity = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: the service's capacity.")
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["weekday", "start_time"]

    def __str__(self) -> str:
        return f"{self.service}: {self.get_weekday_display()} {self.start_time:%H:%M}"

    def clean(self) -> None:
        if self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "The last day comes after the first."})
