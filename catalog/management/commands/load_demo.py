"""Load the demo organisation (demo/catalog/) and make sure someone can sign in to look at it."""

from __future__ import annotations

import os

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser

from catalog.services import refresh_location, register_location
from catalog.summary import print_summary, refresh_progress


class Command(BaseCommand):
    help = "Register and process demo/catalog/all.yaml, and create a demo admin account if there is none."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-admin", action="store_true", help="Do not create the demo admin account.")

    def handle(self, *args: object, **options: object) -> None:
        entry = settings.BASE_DIR / "demo" / "catalog" / "all.yaml"
        location, created = register_location("file", str(entry), registered_by="manage.py load_demo")
        self.stdout.write(f"{'Registered' if created else 'Refreshing'} the demo organisation from {entry}")
        with refresh_progress(location.ref) as progress:
            summary = refresh_location(location.pk, progress=progress)
        if summary:
            print_summary(self.stdout, summary.as_dict())
        if not options["no_admin"]:
            self._demo_admin()

    def _demo_admin(self) -> None:
        User = get_user_model()
        if User.objects.filter(is_superuser=True).exists():
            return
        password = os.environ.get("GREENROOM_DEMO_ADMIN_PASSWORD", "greenroom")
        User.objects.create_superuser("admin", "admin@northwind.example", password)
        self.stdout.write(f"Created the demo admin account: admin / {password} (change it for anything real)")
