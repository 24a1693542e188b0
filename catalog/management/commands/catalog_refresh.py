"""Refresh every location, or the one location or entity given by reference."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalog import tasks
from catalog.management.acting import acting, add_as_user_argument, principal_from, require
from catalog.models import Entity, Location
from catalog.services import refresh_location
from catalog.services.locations import schedule_entity_refresh
from catalog.summary import print_summary, refresh_progress
from permissions import names
from permissions.principal import SYSTEM


class Command(BaseCommand):
    help = (
        "Refresh catalog locations now. REF is a location id, a location ref (url:https://…, file:/path) "
        "or an entity ref (component:default/foo); without REF every location is refreshed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("ref", nargs="?", help="A location id or ref, or an entity ref.")
        parser.add_argument("--no-wait", action="store_true", help="Queue the refreshes and return.")
        add_as_user_argument(parser)

    def handle(self, *args: object, **options: object) -> None:
        principal = principal_from(options)
        locations = self._locations(options["ref"])  # type: ignore[arg-type]
        if principal is not SYSTEM:  # the operator may refresh anything; a user needs the permission
            for location in locations:
                root = Entity.objects.filter(ref=location.entity_ref).first()
                require(principal, names.ENTITY_REFRESH, self._target_entity(options["ref"], root))
        with acting(principal):
            self._refresh(locations, options)

    def _target_entity(self, ref: object, root: Entity | None) -> Entity | None:
        """The entity named on the command line, else the location's own Location entity."""
        if isinstance(ref, str) and ":" in ref:
            named = Entity.objects.filter(ref=ref.lower()).first()
            if named is not None:
                return named
        return root

    def _refresh(self, locations: list[Location], options: dict) -> None:
        if not locations:
            self.stdout.write("No locations are registered.")
            return
        for location in locations:
            if options["no_wait"]:
                tasks.refresh_location.delay(str(location.pk))
                self.stdout.write(f"Queued {location.ref}")
                continue
            with refresh_progress(location.ref) as progress:
                summary = refresh_location(location.pk, progress=progress)
            if summary is None:
                self.stderr.write(f"{location.ref} was deleted meanwhile")
                continue
            self.stdout.write(f"{location.ref}")
            print_summary(self.stdout, summary.as_dict())

    def _locations(self, ref: str | None) -> list[Location]:
        if not ref:
            return list(Location.objects.all())
        by_id = Location.objects.filter(pk=ref).first() if _is_uuid(ref) else None
        if by_id:
            return [by_id]
        type_, _, target = ref.partition(":")
        if type_ in ("file", "url"):
            found = Location.objects.filter(type=type_, target=target).first()
            if found:
                return [found]
        location = schedule_entity_refresh(ref)
        if location:
            return [location]
        raise CommandError(f"No location or entity matches {ref!r}")


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
