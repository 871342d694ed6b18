"""Staff see every checkout, webhook event and refund; nothing here is edited by hand (Stripe, or Wix for its
orders, is the record). In wix mode, "Wix orders" lists the bookings sent through a Wix checkout with their orders,
with "Mark as paid" for an order paid in person, and the payments and refunds this site recorded on orders
(payments/wix_orders.py)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from booking.backends import get_backend
from booking.errors import BookingsError, FailedPrecondition

from . import refunds, wix_orders
from .models import StripeCheckout, StripeEvent, StripeRefund, WixEcomCheckout, WixOrderPayment, WixOrderRefund


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


# ---- Wix orders (wix mode) ------------------------------------------------------------------------------------


@admin.register(WixEcomCheckout)
class WixOrderAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "booking_id", "order_id", "total", "pay_now", "pay_later", "currency",
                    "mark_paid_link"]
    search_fields = ["booking_id", "checkout_id", "order_id"]

    def get_urls(self):
        return [path("<int:pk>/mark-paid/", self.admin_site.admin_view(self.mark_paid_view),
                     name="payments_wixecomcheckout_mark_paid"), *super().get_urls()]

    @admin.display(description="In person")
    def mark_paid_link(self, checkout):
        if not checkout.order_id:
            return "—"
        return format_html('<a href="{}">Mark as paid…</a>',
                           reverse("admin:payments_wixecomcheckout_mark_paid", args=[checkout.pk]))

    def mark_paid_view(self, request, pk):
        """GET shows the order as Wix has it now; POST records its balance as paid in person. A refusal (Wix's, or
        ours: nothing due, a canceled booking, already recorded) is shown on the page with its 4xx status."""
        checkout = get_object_or_404(WixEcomCheckout, pk=pk)
        if not self.has_view_permission(request, checkout) or not wix_orders.may_mark_paid(request.user):
            raise PermissionDenied
        order, error, status = None, "", 200
        try:
            if not checkout.order_id:
                raise FailedPrecondition("This booking has no Wix order yet, so there is nothing to mark as paid.")
            order = get_backend().get_order(checkout.order_id)
        except BookingsError as refused:
            error, status = refused.message, refused.http_status
        if request.method == "POST" and order is not None:
            try:
                payment = wix_orders.mark_paid_in_person(checkout, request.user)
            except BookingsError as refused:
                error, status = refused.message, refused.http_status
            else:
                self.message_user(request, f"Recorded {payment.amount} {payment.currency} paid in person on Wix order "
                                           f"{payment.order_id}.", messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:payments_wixecomcheckout_changelist"))
        context = {**self.admin_site.each_context(request), "title": "Mark as paid in person", "opts": self.opts,
                   "checkout": checkout, "order": order, "error": error}
        return TemplateResponse(request, "admin/payments/wixecomcheckout/mark_paid.html", context, status=status)


@admin.register(WixOrderPayment)
class WixOrderPaymentAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "booking_id", "order_id", "kind", "amount", "currency", "payment_id",
                    "recorded_by", "recorded_at"]
    list_filter = ["kind"]
    search_fields = ["booking_id", "order_id", "payment_id"]


@admin.register(WixOrderRefund)
class WixOrderRefundAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "booking_id", "order_id", "payment_id", "amount", "currency", "external",
                    "status", "reason", "error"]
    list_filter = ["status", "external"]
    search_fields = ["booking_id", "order_id", "payment_id", "refund_id"]
    actions = ["retry"]

    def has_retry_permission(self, request):
        return request.user.has_perm("payments.add_wixorderrefund")

    @admin.action(description="Ask Wix again for failed refunds", permissions=["retry"])
    def retry(self, request, queryset):
        for refund in queryset.filter(status=WixOrderRefund.Status.FAILED):
            result = wix_orders.send_refund(refund.pk)
            level = messages.ERROR if result.status == WixOrderRefund.Status.FAILED else messages.SUCCESS
            self.message_user(request, f"{result}: {result.get_status_display()} {result.error}".strip(), level)
