from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from payments.admin_actions import mark_paid_in_person

from . import admin_waitlist, models  # noqa: F401 (admin_waitlist registers the waitlist's own page)
from .admin_actions import BookingActions, allowed_actions
from .admin_calendar import BookingCalendar
from .admin_conflicts import BookingConflicts
from .admin_phone import PhoneBookings
from .backends import get_backend
from .backends.local.convert import DEFAULT_FORM_ID
from .errors import BookingsError
from .forms import answer_text
from .models.catalog import ServiceType
from .port import Caller, CancelFlowControlSettings
from .schedules import sync_service_sessions
from .session_changes import cancel_session_bookings, move_session_bookings
from .states import Actor, transition


@admin.register(models.Business)
class BusinessAdmin(admin.ModelAdmin):
    list_display = ["name", "time_zone", "currency", "address"]

    def has_add_permission(self, request):
        # One business per site.
        return not models.Business.objects.exists()


@admin.register(models.Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["name", "address", "is_default"]


class WorkingHoursInline(admin.TabularInline):
    model = models.WorkingHours
    extra = 0


class TimeOffInline(admin.TabularInline):
    model = models.TimeOff
    extra = 0


@admin.register(models.StaffMember)
class StaffMemberAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "is_active"]
    list_filter = ["is_active"]
    inlines = [WorkingHoursInline, TimeOffInline]


@admin.register(models.ServiceCategory)
class ServiceCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "sort_order"]


@admin.register(models.BookingPolicy)
class BookingPolicyAdmin(admin.ModelAdmin):
    list_display = ["name", "is_default", "cancellation_enabled", "reschedule_enabled", "max_participants_per_booking"]
    fieldsets = [
        (None, {"fields": ["name", "is_default", "description"]}),
        ("When customers may book", {"fields": [
            "limit_early_booking_enabled", "earliest_booking_in_minutes",
            "limit_late_booking_enabled", "latest_booking_in_minutes", "book_after_start_enabled",
        ]}),
        ("Cancellation", {"fields": [
            "cancellation_enabled", "limit_latest_cancellation", "latest_cancellation_in_minutes",
            "cancellation_allow_anonymous",
        ]}),
        ("Rescheduling", {"fields": [
            "reschedule_enabled", "limit_latest_reschedule", "latest_reschedule_in_minutes",
            "reschedule_allow_anonymous",
        ]}),
        ("Participants", {"fields": ["max_participants_per_booking"]}),
        ("Waitlist (classes)", {"fields": ["waitlist_enabled", "waitlist_capacity", "waitlist_reservation_minutes"]}),
    ]


class FormFieldInline(admin.TabularInline):
    model = models.FormField
    extra = 0


@admin.register(models.BookingForm)
class BookingFormAdmin(admin.ModelAdmin):
    inlines = [FormFieldInline]


class ScheduleRuleInline(admin.TabularInline):
    model = models.ScheduleRule
    extra = 0


class ConfirmationRuleInline(admin.StackedInline):
    """For a service that needs approval: the rule that confirms a day's requests (booking/confirmation_rules.py)."""

    model = models.ConfirmationRule
    extra = 0
    max_num = 1


@admin.register(models.ClassSession)
class ClassSessionAdmin(admin.ModelAdmin):
    """Sessions are made from the weekly rules; here staff move, cancel or add one-off sessions. Canceling a
    session cancels its bookings, and moving it moves them, through the bookings port (booking.session_changes)."""

    list_display = ["service", "start", "staff", "location", "capacity", "cancelled", "detached"]
    list_filter = ["service", "cancelled", "staff"]
    date_hierarchy = "start"
    fields = ["service", "start", "end", "staff", "location", "capacity", "cancelled", "detached", "rule"]
    readonly_fields = ["rule"]

    def save_model(self, request, obj, form, change):
        # A session edited on its own keeps its changes when the weekly rule is edited later.
        if change and obj.rule_id and set(form.changed_data) & {"start", "end", "staff", "location", "capacity"}:
            obj.detached = True
        try:
            with transaction.atomic():  # the session and its bookings change together, or nothing changes
                super().save_model(request, obj, form, change)
                if change and obj.cancelled and "cancelled" in form.changed_data:
                    done = cancel_session_bookings(obj)
                    what = "canceled; their customers are emailed and paid bookings refunded"
                elif change and not obj.cancelled and {"start", "end"} & set(form.changed_data):
                    done = move_session_bookings(obj)
                    what = "moved to the new time; their customers are emailed"
                else:
                    done = 0
        except BookingsError as error:
            request._session_refused = True
            self.message_user(request, f"Nothing was changed: a booking of this session could not follow "
                                       f"({error.message}).", messages.ERROR)
            return
        if done:
            self.message_user(request, f"{done} booking(s) of this session {what}.", messages.SUCCESS)

    def response_change(self, request, obj):
        if getattr(request, "_session_refused", False):
            return HttpResponseRedirect(request.path)  # back to the form, without a "changed successfully"
        return super().response_change(request, obj)


@admin.register(models.Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "type", "category", "duration_minutes", "rate_type", "price", "online_booking_enabled",
                    "require_manual_approval", "hidden"]
    list_filter = ["type", "category", "hidden", "require_manual_approval"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["staff", "locations"]
    inlines = [ScheduleRuleInline, ConfirmationRuleInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if form.instance.type != ServiceType.APPOINTMENT:
            sync_service_sessions(form.instance, timezone.localdate())
    fieldsets = [
        (None, {"fields": ["type", "name", "slug", "tag_line", "description", "category", "sort_order", "hidden"]}),
        ("Sessions", {"fields": [
            "duration_minutes", "time_between_sessions", "slot_interval_minutes", "default_capacity",
        ]}),
        ("Payment", {"fields": [
            "rate_type", "price", "deposit", "custom_price_description", "pay_online", "pay_in_person", "pay_deposit",
        ]}),
        ("Online booking", {"fields": ["online_booking_enabled", "require_manual_approval", "booking_policy", "form"]}),
        ("Staff and places", {"fields": ["staff", "locations"]}),
    ]


class BookingChangeInline(admin.TabularInline):
    model = models.BookingChange
    fields = ["revision", "at", "event", "from_status", "to_status", "to_payment_status", "actor", "user", "reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class BookingAdminForm(forms.ModelForm):
    """Carries the revision the staff member saw, so that a change made meanwhile is not overwritten."""

    seen_revision = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seen_revision"].initial = self.instance.revision

    def clean_seen_revision(self):
        seen = self.cleaned_data["seen_revision"]
        if seen != self.instance.revision:
            raise forms.ValidationError("This booking changed since you opened it. Reload the page and try again.")
        return seen


# What staff may edit on a booking: the customer's contact details. Status, time and payment change only through
# the bookings port (the actions above the list, and canceling or moving a class session), so that each change is
# checked, locked, audited and announced.
CONTACT_FIELDS = ["first_name", "last_name", "email", "phone"]
# Refunds, when the payments app finds one due, follow the "canceled" event (payments.refunds).
STAFF_CANCEL = CancelFlowControlSettings(ignore_cancellation_policy=True)
STAFF_CANCEL_WITH_REFUND = CancelFlowControlSettings(ignore_cancellation_policy=True, with_refund=True)


@admin.register(models.Booking)
class BookingAdmin(PhoneBookings, BookingCalendar, BookingConflicts, BookingActions, admin.ModelAdmin):
    form = BookingAdminForm
    list_display = ["start", "service", "customer_name", "staff", "status", "payment_status", "double_booked",
                    "conflict_resolved"]
    list_filter = ["status", "payment_status", "double_booked", "service", "staff"]
    search_fields = ["first_name", "last_name", "email", "phone", "public_id"]
    date_hierarchy = "start"
    list_select_related = ["service", "staff"]
    fieldsets = [
        ("Customer", {"fields": [*CONTACT_FIELDS, "seen_revision"]}),
        ("Booking", {"fields": [
            "public_id", "service", "status", "payment_status", "selected_payment_option", "revision", "start",
            "end", "occupied_until", "time_zone", "staff", "any_staff", "session", "location", "total_participants",
            "multi_service_booking", "price", "currency", "hold_expires_at", "double_booked",
            "conflict_resolved", "skip_availability_validation", "skip_business_confirmation", "form_answers",
            "created_at", "updated_at", "submission_key",
        ]}),
    ]
    inlines = [BookingChangeInline]

    actions = ["confirm_selected", "decline_selected", "mark_pending_selected", "cancel_selected",
               "cancel_with_refund_selected", "cancel_allowed_selected", mark_paid_in_person]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        booking = self.get_object(request, object_id)
        links = self.action_links(request, booking) if booking is not None else []
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), "booking_actions": links})

    def get_readonly_fields(self, request, obj=None):
        # Everything shown but the contact details, named from the fieldsets so a new field cannot slip in editable.
        return [name for _, options in self.fieldsets for name in options["fields"]
                if name not in {*CONTACT_FIELDS, "seen_revision"}]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # Deleting would skip the audit trail, refunds and emails: staff cancel instead.
        return False

    def save_model(self, request, obj, form, change):
        # Contact details edited by staff are a change like any other: revision-checked, audited, announced.
        changed = [field for field in form.changed_data if field in CONTACT_FIELDS]
        if change and changed:
            try:
                staff = Actor(models.BookingChange.Actor.STAFF, request.user.pk)
                transition(str(obj.public_id), "updated", actor=staff, revision=form.cleaned_data["seen_revision"],
                           reason="details edited: " + ", ".join(changed),
                           **{field: form.cleaned_data[field] for field in changed})
            except BookingsError as error:
                self.message_user(request, error.message, messages.ERROR)

    def _apply(self, request, queryset, operation, verb, **kwargs):
        done = 0
        for booking in queryset:
            try:
                operation(str(booking.public_id), revision=booking.revision, caller=Caller.STAFF, **kwargs)
                done += 1
            except BookingsError as error:
                self.message_user(request, f"{booking}: {error.message}", messages.ERROR)
        if done:
            self.message_user(request, f"{verb} {done} booking(s).", messages.SUCCESS)

    @admin.action(description="Confirm selected bookings (a taken time is flagged as double-booked)",
                  permissions=["change"])
    def confirm_selected(self, request, queryset):
        self._apply(request, queryset, get_backend().confirm_booking, "Confirmed")

    @admin.action(description="Decline selected bookings", permissions=["change"])
    def decline_selected(self, request, queryset):
        self._apply(request, queryset, get_backend().decline_booking, "Declined")

    @admin.action(description="Mark selected bookings as pending approval", permissions=["change"])
    def mark_pending_selected(self, request, queryset):
        self._apply(request, queryset, get_backend().mark_booking_as_pending, "Marked as pending")

    @admin.action(description="Cancel selected bookings (no refund)", permissions=["change"])
    def cancel_selected(self, request, queryset):
        self._apply(request, queryset, get_backend().cancel_booking, "Canceled", flow_control_settings=STAFF_CANCEL)

    @admin.action(description="Cancel selected bookings and refund their online payments", permissions=["change"])
    def cancel_with_refund_selected(self, request, queryset):
        self._apply(request, queryset, get_backend().cancel_booking, "Canceled with refund",
                    flow_control_settings=STAFF_CANCEL_WITH_REFUND)

    @admin.action(description="Cancel selected bookings the cancellation policy still lets go (as the port "
                              "allows them)", permissions=["change"])
    def cancel_allowed_selected(self, request, queryset):
        bookings = list(queryset.select_related("service"))
        allowed = [b for b, actions in zip(bookings, allowed_actions(bookings), strict=True)
                   if actions and actions.cancel]
        refused = len(bookings) - len(allowed)
        if refused:
            self.message_user(request, f"{refused} booking(s) left as they are: their policy no longer lets them be "
                                       f"canceled.", messages.WARNING)
        self._apply(request, allowed, get_backend().cancel_booking, "Canceled",
                    flow_control_settings=CancelFlowControlSettings())

    @admin.display(description="Form answers")
    def form_answers(self, booking):
        form_id = str(booking.service.form_id) if booking.service.form_id else DEFAULT_FORM_ID
        labels = {field.target: field.label for field in get_backend().get_form_summary(form_id).fields}
        rows = ((labels.get(key, key), answer_text(value)) for key, value in booking.form_submission.items())
        return format_html("<table>{}</table>", format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", rows))
