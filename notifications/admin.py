from django.contrib import admin, messages

from . import outbox
from .models import Message, ScheduledJob


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "booking_id", "recipient", "status", "attempts", "sent_at",
                    "next_attempt_at"]
    list_filter = ["status", "kind"]
    search_fields = ["booking_id", "recipient"]
    readonly_fields = [f.name for f in Message._meta.fields]
    actions = ["retry"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_retry_permission(self, request):
        return request.user.has_perm("notifications.change_message")

    @admin.action(description="Retry sending the selected failed messages", permissions=["retry"])
    def retry(self, request, queryset):
        count = outbox.retry(queryset)
        self.message_user(request, f"{count} message(s) queued to be sent again.",
                          messages.SUCCESS if count else messages.WARNING)


@admin.register(ScheduledJob)
class ScheduledJobAdmin(admin.ModelAdmin):
    list_display = ["name", "last_run_at", "next_run_at", "last_result"]
    readonly_fields = ["name", "last_run_at", "next_run_at", "last_result"]

    def has_add_permission(self, request):
        return False
