"""Load policy rules from a YAML file (PERMISSIONS_POLICY_FILE by default)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from permissions import audit
from permissions.policy_file import PolicyFileError, load_rules


class Command(BaseCommand):
    help = "Create or update policy rules from a YAML file; --replace deletes rules the file does not name."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", default=None)
        parser.add_argument("--replace", action="store_true")

    def handle(self, *args: object, **options: object) -> None:
        path = options["path"] or settings.PERMISSIONS_POLICY_FILE
        if not path:
            raise CommandError("Name a file, or set PERMISSIONS_POLICY_FILE")
        try:
            created, updated, deleted = load_rules(str(path), replace=bool(options["replace"]))
        except (OSError, PolicyFileError) as exc:
            raise CommandError(str(exc)) from exc
        audit.record(
            "permissions.policy.load",
            str(path),
            {"created": created, "updated": updated, "deleted": deleted},
            actor="system",
            path="command",
        )
        self.stdout.write(f"{created} created, {updated} updated, {deleted} deleted from {path}")
