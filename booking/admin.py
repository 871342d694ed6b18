from django.contrib import admin
from django.utils.html import format_html, format_html_join

from . import models
from .views import answer_text


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


@admin.register(models.Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "type", "category", "duration_minutes", "rate_type", "price", "online_booking_enabled",
                    "require_manual_approval", "hidden"]
    list_filter = ["type", "category", "hidden", "require_manual_approval"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["staff", "locations"]
    inlines = [ScheduleRuleInline]
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


@admin.register(models.Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = ["start", "service", "customer_name", "staff", "status", "payment_status", "double_booked"]
    list_filter = ["status", "payment_status", "double_booked", "service", "staff"]
    search_fields = ["first_name", "last_name", "email", "phone", "public_id"]
    date_hierarchy = "start"
    list_select_related = ["service", "staff"]
    readonly_fields = ["public_id", "revision", "form_answers", "created_at", "updated_at", "occupied_until",
                       "submission_key"]
    exclude = ["form_submission"]

    @admin.display(description="Form answers")
    def form_answers(self, booking):
        labels = {field.target: field.label for field in models.FormField.objects.filter(form=booking.service.form_id)}
        rows = ((labels.get(key, key), answer_text(value)) for key, value in booking.form_submission.items())
        return format_html("<table>{}</table>", format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", rows))
