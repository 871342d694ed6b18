from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

USERNAME = "admin"
PASSWORD = "admin"  # noqa: S105 - development only; refused when DEBUG is off


class Command(BaseCommand):
    help = "Create the development admin user (admin / admin) if it is missing. Refuses to run with DEBUG off."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Refusing to create a development admin with DEBUG off; use createsuperuser.")
        user_model = get_user_model()
        if not user_model.objects.filter(username=USERNAME).exists():
            user_model.objects.create_superuser(USERNAME, "admin@example.com", PASSWORD)
        self.stdout.write(f"Admin: http://127.0.0.1:8000/admin/  user {USERNAME}  password {PASSWORD}")
