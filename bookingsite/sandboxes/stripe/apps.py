from django.apps import AppConfig


class StripeSandboxConfig(AppConfig):
    name = "bookingsite.sandboxes.stripe"
    label = "stripe_sandbox"
    verbose_name = "Stripe sandbox (development)"
    default_auto_field = "django.db.models.BigAutoField"
