"""Expire the Stripe sandbox's open sessions whose time is up, sending checkout.session.expired to the site as Stripe
would at that moment. The sandbox also does this whenever a session is looked at; this is for the ones nobody
looks at again (run it from cron next to release_expired_holds, in development)."""

from django.core.management.base import BaseCommand, CommandError

from bookingsite.sandboxes.stripe import state
from bookingsite.sandboxes.stripe.models import SandboxObject
from payments import stripe_api


class Command(BaseCommand):
    help = "Expire lapsed checkout sessions of the Stripe sandbox and send their webhooks."

    def handle(self, *args, **options):
        if not stripe_api.sandbox_on():
            raise CommandError("The Stripe sandbox is off (set STRIPE_SANDBOX=true, and no STRIPE_SECRET_KEY).")
        expired = 0
        now = state.now()
        for row in SandboxObject.objects.filter(type="checkout.session", data__status="open"):
            if row.data["expires_at"] <= now and state.expire_if_lapsed(row.id)["status"] == "expired":
                expired += 1
        self.stdout.write(f"Expired {expired} sandbox checkout session(s).")
