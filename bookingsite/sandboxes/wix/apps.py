from django.apps import AppConfig


class WixSandboxConfig(AppConfig):
    name = "bookingsite.sandboxes.wix"
    label = "wix_sandbox"
    verbose_name = "Wix sandbox"
    default_auto_field = "django.db.models.BigAutoField"
