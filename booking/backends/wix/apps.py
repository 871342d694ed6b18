from django.apps import AppConfig


class WixBackendConfig(AppConfig):
    name = "booking.backends.wix"
    label = "wix_backend"
    verbose_name = "Wix backend"
    default_auto_field = "django.db.models.BigAutoField"
