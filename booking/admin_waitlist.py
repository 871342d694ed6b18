"""The waitlists of full class sessions, for staff: every customer waiting, by session and in line, with the place
offered to them and until when. Staff with the change permission remove customers from a list (Decline Booking
through the port, as staff: the place, if one was offered, goes to the next) or offer a session's free places now
(the port's offer, as the worker would a minute later). Nothing here changes a booking without the port.

Its own admin page over the WaitlistEntry proxy, so it has its own permissions (view and change "waitlist entry").
"""

from django.contrib import admin, messages
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from . import models
from .backends import get_backend
from .errors import BookingsError
from .port import Caller


def _ahead():
    """How many of the session's waiting customers joined before this one, as a subquery (one query for the page)."""
    earlier = Q(created_at__lt=OuterRef("created_at")) | Q(created_at=OuterRef("created_at"), pk__lt=OuterRef("pk"))
    return Coalesce(Subquery(
        models.WaitlistEntry.objects.filter(earlier, session=OuterRef("session")).order_by()
        .values("session").annotate(n=Count("pk")).values("n")[:1]
    ), 0)


@admin.register(models.WaitlistEntry)
class WaitlistAdmin(admin.ModelAdmin):
    list_display = ["session", "position", "customer_name", "email", "offer", "created_at"]
    list_filter = ["service"]
    search_fields = ["first_name", "last_name", "email", "public_id"]
    list_select_related = ["service", "session__service"]
    actions = ["offer_places", "remove_selected"]
    fields = ["service", "session", "first_name", "last_name", "email", "phone", "total_participants",
              "hold_expires_at", "created_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(ahead=_ahead())

    def has_add_permission(self, request):
        return False  # customers join from the class's page; staff book a place directly instead

    def has_delete_permission(self, request, obj=None):
        return False  # removing goes through the port (audited), not a delete

    @admin.display(description="Place in line", ordering="created_at")
    def position(self, entry):
        return entry.ahead + 1

    @admin.display(description="Offer")
    def offer(self, entry):
        if entry.hold_expires_at is None:
            return "Waiting"
        until = timezone.localtime(entry.hold_expires_at).strftime("%Y-%m-%d %H:%M")
        if entry.hold_expires_at <= timezone.now():
            return f"Lapsed at {until}; passes to the next within a minute"
        return f"Place held until {until}"

    @admin.action(description="Offer the free places of their sessions now", permissions=["change"])
    def offer_places(self, request, queryset):
        offered = []
        for session in models.ClassSession.objects.filter(pk__in=queryset.values("session")).order_by("start"):
            try:
                offered += get_backend().offer_waitlist_places(event_id=str(session.public_id))
            except BookingsError as error:
                self.message_user(request, f"{session}: {error.message}", messages.ERROR)
        if offered:
            names = ", ".join(b.contact_details.email for b in offered)
            self.message_user(request, f"Offered a place to {names}.", messages.SUCCESS)
        else:
            self.message_user(request, "No free place to offer.", messages.WARNING)

    @admin.action(description="Remove selected customers from the waitlist", permissions=["change"])
    def remove_selected(self, request, queryset):
        done = 0
        for entry in queryset:
            try:
                get_backend().decline_booking(str(entry.public_id), revision=entry.revision, caller=Caller.STAFF)
                done += 1
            except BookingsError as error:
                self.message_user(request, f"{entry}: {error.message}", messages.ERROR)
        if done:
            self.message_user(request, f"Removed {done} customer(s) from the waitlist.", messages.SUCCESS)
