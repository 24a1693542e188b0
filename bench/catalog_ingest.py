"""Catalog ingestion benchmark: generate N entities as YAML, ingest, refresh, and time a new location."""

from __future__ import annotations

import argparse
import cProfile
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/greenroom_bench"

# --- the generated catalog

WORDS = (
    "atlas", "beacon", "cobalt", "delta", "ember", "falcon", "granite", "harbor", "iris", "juniper",
    "kestrel", "lumen", "meridian", "nimbus", "onyx", "pioneer", "quartz", "raven", "summit", "tundra",
    "umbra", "vertex", "willow", "xenon", "yonder", "zephyr", "orders", "billing", "search", "catalog",
    "checkout", "ledger", "identity", "payments", "shipping", "pricing", "inventory", "reviews",
)  # fmt: skip
FIRST_NAMES = ("ada", "bea", "carl", "dana", "eli", "fay", "gus", "hana", "ivo", "jun", "kai", "lea", "max")
LAST_NAMES = ("adams", "brown", "chen", "diaz", "evans", "fox", "garcia", "haas", "ito", "jones", "kim")
LIFECYCLES = ("production", "production", "experimental", "deprecated")
COMPONENT_TYPES = ("service", "service", "website", "library")
RESOURCE_TYPES = ("database", "s3-bucket", "queue", "cache")
TAGS = ("java", "python", "go", "typescript", "kotlin", "grpc", "rest", "pci", "gdpr", "tier-1", "tier-2")

# Shares of each kind; Components take what is left.
SHARES = {"Group": 0.02, "User": 0.10, "Domain": 0.005, "System": 0.03, "API": 0.20, "Resource": 0.12}


@dataclass
class Layout:
    """How many entities of each kind a catalog of ``total`` has, and how their names are spelled."""

    total: int
    counts: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        minimum = {"Group": 3, "Domain": 1, "System": 2, "API": 1}
        for kind, share in SHARES.items():
            self.counts[kind] = max(minimum.get(kind, 0), int(self.total * share))
        self.counts["Component"] = max(1, self.total - sum(self.counts.values()))

    def name(self, kind: str, index: int) -> str:
        word = WORDS[index % len(WORDS)]
        if kind == "User":
            first, last = FIRST_NAMES[index % len(FIRST_NAMES)], LAST_NAMES[index % len(LAST_NAMES)]
            return f"{first}.{last}-{index}"
        prefix = {"Group": "team", "Domain": "domain", "System": "system", "API": "api", "Resource": "res"}
        return (
            f"{prefix.get(kind, 'svc')}-{word}-{index}" if kind != "Component" else f"{word}-service-{index}"
        )

    def pick(self, kind: str, seed: int) -> str:
        return self.name(kind, seed % self.counts[kind])

    def entities(self) -> list[tuple[str, int]]:
        """Every (kind, index), shuffled so that each file holds a mix of kinds, as real repositories do."""
        items = [(kind, index) for kind, count in self.counts.items() for index in range(count)]
        random.Random(42).shuffle(items)
        return items


def _metadata(layout: Layout, kind: str, index: int, revision: bool) -> str:
    name = layout.name(kind, index)
    description = f"The {name.replace('-', ' ')} {kind.lower()}, generated for the ingest benchmark."
    if revision:
        description += " Revised."
    tags = "".join(f"\n    - {TAGS[(index + k) % len(TAGS)]}" for k in range(index % 3 + 1))
    return (
        f"apiVersion: backstage.io/v1alpha1\nkind: {kind}\nmetadata:\n  name: {name}\n"
        f'  title: {name.replace("-", " ").title()}\n  description: "{description}"\n'
        f"  labels:\n    tier: tier-{index % 3 + 1}\n  tags:{tags}\n"
        f"  annotations:\n    github.com/project-slug: example-org/{name}\n"
        f"    backstage.io/techdocs-ref: dir:.\n    pagerduty.com/service-id: P{index:06d}\n"
        f"  links:\n    - url: https://dashboards.example.com/d/{name}\n      title: Dashboard\n"
        f"      icon: dashboard\n    - url: https://runbooks.example.com/{name}\n      title: Runbook\n"
    )


def _spec(layout: Layout, kind: str, index: int) -> str:
    owner = layout.pick("Group", index * 7 + 1)
    system = layout.pick("System", index * 3)
    if kind == "Group":
        parent = f"\n  parent: {layout.name('Group', (index - 1) // 5)}" if index else ""
        children = [
            layout.name("Group", c) for c in range(index * 5 + 1, index * 5 + 6) if c < layout.counts["Group"]
        ]
        return (
            f"spec:\n  type: team\n  profile:\n    displayName: {layout.name(kind, index).title()}\n"
            f"    email: {layout.name(kind, index)}@example.com{parent}\n  children: [{', '.join(children)}]\n"
        )
    if kind == "User":
        name = layout.name(kind, index)
        return (
            f"spec:\n  profile:\n    displayName: {name.title()}\n    email: {name}@example.com\n"
            f"  memberOf: [{layout.pick('Group', index)}]\n"
        )
    if kind == "Domain":
        return f"spec:\n  owner: {owner}\n"
    if kind == "System":
        return f"spec:\n  owner: {owner}\n  domain: {layout.pick('Domain', index)}\n"
    if kind == "API":
        return (
            f"spec:\n  type: openapi\n  lifecycle: {LIFECYCLES[index % 4]}\n  owner: {owner}\n  system: {system}\n"
            f"  definition: |\n    openapi: 3.0.0\n    info:\n      title: {layout.name(kind, index)}\n"
            f"      version: 1.0.{index % 10}\n    paths:\n      /items:\n        get:\n"
            f"          responses:\n            '200':\n              description: The items\n"
        )
    if kind == "Resource":
        depends = f"\n  dependsOn: [resource:{layout.pick('Resource', index + 1)}]" if index % 4 == 0 else ""
        return f"spec:\n  type: {RESOURCE_TYPES[index % 4]}\n  owner: {owner}\n  system: {system}{depends}\n"
    return _component_spec(layout, index, owner, system)


def _component_spec(layout: Layout, index: int, owner: str, system: str) -> str:
    apis, components = layout.counts["API"], layout.counts["Component"]
    provides = [layout.name("API", a) for a in range(index, apis, components)]
    consumes = [layout.pick("API", index * 13 + k * 101) for k in range(index % 4)]
    depends = [f"resource:{layout.pick('Resource', index * 5 + k)}" for k in range(index % 3)]
    if index % 2:
        depends.append(f"component:{layout.pick('Component', index * 11 + 3)}")
    lines = [
        f"spec:\n  type: {COMPONENT_TYPES[index % 4]}\n  lifecycle: {LIFECYCLES[index % 4]}\n",
        f"  owner: {owner}\n  system: {system}\n",
    ]
    for key, values in (("providesApis", provides), ("consumesApis", consumes), ("dependsOn", depends)):
        if values:
            lines.append(f"  {key}:\n" + "".join(f"    - {v}\n" for v in values))
    return "".join(lines)


def entity_yaml(layout: Layout, kind: str, index: int, *, revision: bool = False) -> str:
    """One descriptor as a YAML document, in the shape people write them."""
    return _metadata(layout, kind, index, revision) + _spec(layout, kind, index)


def write_catalog(root: Path, total: int, per_file: int, revised: Callable[[int], bool]) -> tuple[Path, int]:
    """Write the catalog below ``root``: ``catalog-info.yaml`` (a Location) and its files; (path, files)."""
    layout = Layout(total)
    items = layout.entities()
    names = []
    for number, start in enumerate(range(0, len(items), per_file)):
        name = f"entities-{number:05d}.yaml"
        docs = (
            entity_yaml(layout, kind, index, revision=revised(start + offset))
            for offset, (kind, index) in enumerate(items[start : start + per_file])
        )
        (root / name).write_text("---\n".join(docs), encoding="utf-8")
        names.append(name)
    targets = "".join(f"    - ./{name}\n" for name in names)
    index_file = root / "catalog-info.yaml"
    index_file.write_text(
        "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: bench-catalog\n"
        f"  description: The generated benchmark catalog.\nspec:\n  targets:\n{targets}",
        encoding="utf-8",
    )
    return index_file, len(names)


# --- the database


def setup_django(database_url: str | None) -> None:
    """Point Django at the benchmark database and import it (settings read DATABASE_URL at import)."""
    sys.path.insert(0, str(REPO_ROOT))
    os.environ["DATABASE_URL"] = database_url or DEFAULT_DATABASE_URL
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    import django

    django.setup()


def create_database(*, throwaway: bool) -> Callable[[], None]:
    """Migrate the database; a throwaway one is created first. Returns the clean-up to run at the end."""
    from django.core.management import call_command
    from django.db import connection

    if not throwaway:
        call_command("migrate", verbosity=0, interactive=False)
        return lambda: None
    old_name = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = old_name
    if connection.vendor == "postgresql":  # a leftover from an interrupted run goes quietly
        with connection._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(old_name)}")
    # Django's test machinery: create, migrate; destroy_test_db drops it again.
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    return lambda: connection.creation.destroy_test_db(old_name, verbosity=0)


# --- measuring


def peak_rss_mib() -> float:
    """The process's resident-set high-water mark (ru_maxrss is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass
class Phase:
    """One timed step: its name, wall seconds, entities it covered and the RSS high-water after it."""

    name: str
    seconds: float
    entities: int
    peak_rss_mib: float
    note: str = ""
    cpu: float | None = None  # this process, all threads
    db_cpu: float | None = None  # the PostgreSQL backend serving it, when it runs on this machine

    @property
    def rate(self) -> float:
        return self.entities / self.seconds if self.seconds else 0.0


PROFILE_DIR: Path | None = None  # set by --profile: each refresh also writes a cProfile file there


def backend_cpu() -> float | None:
    """CPU seconds used so far by the PostgreSQL backend of this connection, if /proc can tell."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # a server on another machine
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed_refresh(name: str, location_id: Any, entities: int) -> Phase:
    from catalog.services import refresh_location

    profiler = cProfile.Profile() if PROFILE_DIR else None
    db_before, cpu_before = backend_cpu(), time.process_time()
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    summary = refresh_location(location_id)
    if profiler:
        profiler.disable()
    seconds = time.perf_counter() - started
    cpu, db_after = time.process_time() - cpu_before, backend_cpu()
    db_cpu = db_after - db_before if db_before is not None and db_after is not None else None
    if profiler and PROFILE_DIR:
        slug = "".join(c if c.isalnum() else "-" for c in name.split("(")[0].strip())
        profiler.dump_stats(PROFILE_DIR / f"{slug}.prof")
    assert summary is not None
    note = (
        f"+{summary.added} ~{summary.updated} ={summary.unchanged} "
        f"errors {summary.errors + summary.conflicts}, {summary.files} files"
    )
    return Phase(name, seconds, entities, peak_rss_mib(), note, cpu, db_cpu)


def served_fetcher() -> tuple[Callable[[str, str], bool], str]:
    """How to ask whether an entity is served: the by-name API when the tree has it, else Entity.final."""
    from django.urls import Resolver404, resolve

    from catalog.models import Entity

    def from_db(kind: str, name: str) -> bool:
        return Entity.objects.filter(ref=f"{kind}:default/{name}", final__isnull=False).exists()

    try:
        resolve("/api/catalog/entities/by-name/component/default/probe")
    except Resolver404:
        return from_db, "Entity.final read from the database (no by-name API in this tree yet)"
    except Exception as exc:  # noqa: BLE001 (the URLconf is being written by others; measure anyway)
        return from_db, f"Entity.final read from the database (URLconf does not load: {exc})"
    return _api_fetcher(), "GET /api/catalog/entities/by-name/{kind}/default/{name}"


def _api_fetcher() -> Callable[[str, str], bool]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    user, _ = get_user_model().objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(user)

    def from_api(kind: str, name: str) -> bool:
        return client.get(f"/api/catalog/entities/by-name/{kind}/default/{name}").status_code == 200

    return from_api


def time_new_location(root: Path, registered: list[Any]) -> tuple[Phase, Phase]:
    """Register and process a small one-file location, then poll until its entity is served."""
    from catalog.services import refresh_location
    from catalog.services.locations import register_location

    small = root / "small" / "catalog-info.yaml"
    small.parent.mkdir()
    layout = Layout(1)
    name = f"fresh-service-{os.getpid()}"
    small.write_text(
        entity_yaml(layout, "Component", 0).replace(layout.name("Component", 0), name), encoding="utf-8"
    )
    is_served, how = served_fetcher()
    started = time.perf_counter()
    location, _ = register_location("file", str(small), registered_by="bench")
    refresh_location(location.pk)
    registered.append(location.pk)
    returned = time.perf_counter()
    while not is_served("component", name):
        if time.perf_counter() - returned > 30:
            raise RuntimeError(f"component:default/{name} was not served within 30 s")
        time.sleep(0.005)
    served = time.perf_counter()
    return (
        Phase("new location: register + refresh", returned - started, 1, peak_rss_mib()),
        Phase("new location: returned -> served", served - returned, 1, peak_rss_mib(), how),
    )


# --- the run


def rewrite_changed(root: Path, total: int, per_file: int, every: int) -> int:
    """Rewrite the catalog with every ``every``-th entity's description changed; returns how many changed."""
    write_catalog(root, total, per_file, lambda position: position % every == 0)
    return len(range(0, len(Layout(total).entities()), every))


def run(total: int, per_file: int, root: Path, registered: list[Any]) -> list[Phase]:
    """Generate, ingest, refresh twice and time a new location; ``registered`` collects location ids."""
    from catalog.models import Entity
    from catalog.services.locations import register_location

    phases = []
    started = time.perf_counter()
    index_file, files = write_catalog(root, total, per_file, lambda position: False)
    generated = len(Layout(total).entities())
    phases.append(
        Phase(f"generate YAML ({files} files)", time.perf_counter() - started, generated, peak_rss_mib())
    )
    location, _ = register_location("file", str(index_file), registered_by="bench")
    registered.append(location.pk)
    phases.append(timed_refresh("first ingest", location.pk, generated))
    phases.append(timed_refresh("refresh, nothing changed", location.pk, generated))
    changed = rewrite_changed(root, total, per_file, every=100)
    phases.append(timed_refresh(f"refresh, 1% changed ({changed})", location.pk, generated))
    phases.extend(time_new_location(root, registered))
    served = Entity.objects.filter(final__isnull=False).count()
    phases.append(Phase("entities served in the end", 0.0, served, peak_rss_mib()))
    return phases


def print_report(phases: list[Phase], total: int, database: str) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Catalog ingest benchmark: {total:,} entities on {database}")
    table.add_column("step")
    table.add_column("seconds", justify="right")
    table.add_column("entities/s", justify="right")
    table.add_column("CPU s", justify="right")
    table.add_column("DB CPU s", justify="right")
    table.add_column("peak RSS MiB", justify="right")
    table.add_column("notes")
    for phase in phases:
        seconds = f"{phase.seconds:.3f}" if phase.seconds else ""
        rate = f"{phase.rate:,.0f}" if phase.seconds and phase.entities > 1 else ""
        cpu = f"{phase.cpu:.1f}" if phase.cpu is not None else ""
        db_cpu = f"{phase.db_cpu:.1f}" if phase.db_cpu is not None else ""
        note = phase.note or (f"{phase.entities:,} entities" if not phase.seconds else "")
        table.add_row(phase.name, seconds, rate, cpu, db_cpu, f"{phase.peak_rss_mib:,.0f}", note)
    Console(width=max(130, shutil.get_terminal_size().columns)).print(table)
    print(
        "notes: +added ~updated =unchanged, as the refresh summary counts them; CPU s is this process "
        "(all threads), DB CPU s the PostgreSQL backend (when local): on a busy machine wall time grows, they less so"
    )
    print(f"peak RSS (process high-water): {peak_rss_mib():,.0f} MiB")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entities", type=int, default=10_000, help="How many entities to generate.")
    parser.add_argument("--per-file", type=int, default=100, help="Documents per YAML file.")
    parser.add_argument("--keep-files", action="store_true", help="Leave the generated YAML in place.")
    parser.add_argument("--profile", type=Path, help="Write a cProfile file per refresh into this directory.")
    parser.add_argument(
        "--database",
        default=DEFAULT_DATABASE_URL.rsplit("/", 1)[1],
        help="Name of the throwaway database (without DATABASE_URL).",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    global PROFILE_DIR
    args = parse_args(argv)
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
        PROFILE_DIR = args.profile
    database_url = os.environ.get("DATABASE_URL")
    throwaway = database_url is None
    setup_django(database_url or f"{DEFAULT_DATABASE_URL.rsplit('/', 1)[0]}/{args.database}")
    from django.db import connection

    from catalog.services.locations import delete_location

    cleanup = create_database(throwaway=throwaway)
    root = Path(tempfile.mkdtemp(prefix="greenroom-bench-"))
    registered: list[Any] = []
    try:
        phases = run(args.entities, args.per_file, root, registered)
        database = f"{connection.vendor} ({connection.settings_dict['NAME']})"
    finally:
        if not args.keep_files:
            shutil.rmtree(root, ignore_errors=True)
        if not throwaway:
            # A database we did not create: take out what the benchmark put in.
            for location_id in registered:
                delete_location(location_id)
        cleanup()
    print_report(phases, args.entities, database)


if __name__ == "__main__":
    main()
