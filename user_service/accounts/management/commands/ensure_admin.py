"""``manage.py ensure_admin``: the staff superuser named by ECOM_ADMIN_EMAIL / ECOM_ADMIN_PASSWORD."""

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.services import user_admin_ensure

DEVELOPMENT_EMAIL = "admin@example.com"
DEVELOPMENT_PASSWORD = "admin"  # noqa: S105 - the documented development default


class Command(BaseCommand):
    help = (
        "Creates or updates the staff superuser ECOM_ADMIN_EMAIL with password ECOM_ADMIN_PASSWORD "
        f"(defaults {DEVELOPMENT_EMAIL} / {DEVELOPMENT_PASSWORD} only with DEBUG on). Idempotent."
    )

    def handle(self, *args, **options):
        email = os.environ.get("ECOM_ADMIN_EMAIL", "").strip()
        password = os.environ.get("ECOM_ADMIN_PASSWORD", "")
        if settings.DEBUG:
            email = email or DEVELOPMENT_EMAIL
            password = password or DEVELOPMENT_PASSWORD
        elif not email or not password:
            raise CommandError(
                "ECOM_ADMIN_EMAIL and ECOM_ADMIN_PASSWORD are both required when DEBUG is off "
                "(the development defaults apply only with DEBUG on)."
            )
        user, created = user_admin_ensure(email=email, password=password)
        action = "Created" if created else "Updated"
        self.stdout.write(self.style.SUCCESS(f"{action} staff superuser {user.email}."))
