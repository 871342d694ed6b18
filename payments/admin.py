"""Staff see every checkout, webhook event and refund; nothing here is edited by hand (Stripe is the record)."""

from django.contrib import admin, messages

from . import admin_orders, refunds  # noqa: F401 - admin_orders registers the Wix order admins
from .models import StripeCheckout, StripeEvent, StripeRefund


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StripeCheckout)
class StripeCheckoutAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "booking_id", "attempt", "session_id", "status", "payment_status", "amount",
                    "currency", "is_deposit", "outcome"]
    list_filter = ["status", "payment_status", "is_deposit"]
    search_fields = ["booking_id", "session_id", "payment_intent"]
    exclude = ["api_base"]


@admin.register(StripeEvent)
class StripeEventAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "event_id", "type", "object_id", "outcome", "detail"]
    list_filter = ["type", "outcome"]
    search_fields = ["event_id", "object_id"]


@admin.register(StripeRefund)
class StripeRefundAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "booking_id", "refund_id", "amount", "currency", "status", "reason", "error"]
    list_filter = ["status"]
    search_fields = ["booking_id", "refund_id"]
    actions = ["retry"]

    @admin.action(description="Ask Stripe again for failed refunds")
    def retry(self, request, queryset):
        for refund in queryset.filter(status=StripeRefund.Status.FAILED):
            result = refunds.send_refund(refund.pk)
            level = messages.ERROR if result.status == StripeRefund.Status.FAILED else messages.SUCCESS
            self.message_user(request, f"{result}: {result.get_status_display()} {result.error}".strip(), level)
