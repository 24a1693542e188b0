"""Register a location (a path, a glob or a URL) and process it, showing progress and a summary."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalog import tasks
from catalog.management.acting import acting, add_as_user_argument, principal_from, require
from catalog.models import Location
from catalog.services import refresh_location
from catalog.services.locations import LocationError, guess_type, register_location
from catalog.summary import print_summary, refresh_progress
from permissions import names


class Command(BaseCommand):
    help = "Register a catalog location and process it (use --no-wait to only queue it)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("target", help="A file path, a glob (quote it) or an http(s) URL.")
        parser.add_argument("--type", choices=["file", "url"], help="Defaults to url for http(s), else file.")
        parser.add_argument("--optional", action="store_true", help="A missing target is not an error.")
        parser.add_argument(
            "--allow-kind", action="append", dest="kinds", help="Limit the kinds it may emit."
        )
        parser.add_argument("--no-wait", action="store_true", help="Queue the processing and return.")
        add_as_user_argument(parser)
        parser.add_argument(
            "--timeout", type=float, default=600, help="Seconds to wait with --wait (queued)."
        )
        parser.add_argument(
            "--via-worker",
            action="store_true",
            help="Let a Celery worker process it and wait for the result (default: process here).",
        )

    def handle(self, *args: object, **options: object) -> None:
        principal = principal_from(options)
        require(principal, names.LOCATION_CREATE)
        with acting(principal):
            self._register(options)

    def _register(self, options: dict) -> None:
        target = str(options["target"])
        type_ = str(options["type"] or guess_type(target))
        try:
            location, created = register_location(
                type_,
                target,
                presence="optional" if options["optional"] else "required",
                allowed_kinds=options["kinds"] or None,  # type: ignore[arg-type]
                registered_by="manage.py catalog_register",
            )
        except LocationError as exc:
            raise CommandError(str(exc)) from exc
        verb = "Registered" if created else "Already registered"
        self.stdout.write(f"{verb} {location.ref} (id {location.pk})")
        if options["no_wait"]:
            tasks.refresh_location.delay(str(location.pk))
            self.stdout.write("Queued for processing; a worker will pick it up.")
            return
        if options["via_worker"]:
            started = location.refresh_started_at
            tasks.refresh_location.delay(str(location.pk))
            self._wait_for_worker(location, started, float(options["timeout"]))  # type: ignore[arg-type]
            location.refresh_from_db()
            print_summary(self.stdout, location.last_summary)
            return
        with refresh_progress(location.ref) as progress:
            summary = refresh_location(location.pk, progress=progress)
        if summary is None:
            raise CommandError("The location disappeared while it was being processed")
        print_summary(self.stdout, summary.as_dict())

    def _wait_for_worker(self, location: Location, started: object, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            location.refresh_from_db(fields=["refreshed_at", "refresh_started_at"])
            if location.refreshed_at and location.refresh_started_at != started:
                return
            time.sleep(0.2)
        raise CommandError(f"No worker finished processing {location.ref} within {timeout:.0f} s")
