"""``manage.py create_token --subject NAME [--expires-in-days N]``: issue a static API token, printed once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from permissions import names
from tokens.models import ApiToken


class Command(BaseCommand):
    help = "Create a static API token for a service principal and print it (it cannot be shown again)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--subject", required=True, help="Who the token acts as, e.g. port-ocean.")
        parser.add_argument("--expires-in-days", type=int, default=None, help="Days until it expires.")
        parser.add_argument("--user", help="The token acts as this user (and may do what the user may).")
        parser.add_argument(
            "--permission",
            action="append",
            dest="permissions",
            help="Limit the token to this permission (repeat), e.g. catalog.entity.read for a read-only ingester.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        subject = options["subject"].strip()
        if not subject or any(c.isspace() for c in subject):
            raise CommandError("--subject must be a non-empty name without whitespace")
        days = options["expires_in_days"]
        if days is not None and days < 1:
            raise CommandError("--expires-in-days must be at least 1")
        expires_at = timezone.now() + timedelta(days=days) if days else None
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user named {options['user']!r}")
        permissions = options["permissions"]
        unknown = [p for p in permissions or [] if p not in names.PERMISSIONS]
        if unknown:
            raise CommandError(
                f"Unknown permission(s) {unknown}; known: {', '.join(sorted(names.PERMISSIONS))}"
            )
        _token, plain = ApiToken.issue(subject, expires_at=expires_at, user=user, permissions=permissions)
        self.stdout.write(plain)
