"""End to end with real Celery worker processes: register, scheduled refresh, concurrent refreshes.

The workers share the test database; the broker is Redis when CELERY_BROKER_URL names it (CI's second
run), otherwise the file-system broker in a temporary folder.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import kombu.pools
import pytest
from django.conf import settings as django_settings
from django.db import connection

from catalog import tasks
from catalog.models import Entity, Location
from catalog.services import register_location
from portal.celery import app
from tests.conftest import REPO_ROOT

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker, pytest.mark.slow]

COMPONENT = """\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {{name: {name}, description: {description}}}
spec: {{type: service, lifecycle: production, owner: team-a}}
"""


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or "postgres"
    auth = f"{user}:{db['PASSWORD']}" if db.get("PASSWORD") else user
    return f"postgresql://{auth}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def reset_pool() -> None:
    """Drop pooled broker connections so that the next send uses the current configuration."""
    app._pool = None
    app.amqp._producer_pool = None
    kombu.pools.reset()


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[dict[str, str]]:
    """Point this process's Celery app and the workers at one broker; Redis when configured."""
    url = django_settings.CELERY_BROKER_URL
    env = {"CELERY_BROKER_URL": url}
    saved = (app.conf.broker_url, app.conf.broker_transport_options)
    if url.startswith("filesystem://"):
        folder = tmp_path / "broker"
        (folder / "queue").mkdir(parents=True)
        (folder / "processed").mkdir()
        (folder / "control").mkdir()
        options = {
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "processed_folder": str(folder / "processed"),
            "control_folder": str(folder / "control"),
        }
        app.conf.broker_transport_options = options
        env["GREENROOM_VAR_DIR"] = str(tmp_path)
    else:
        app.conf.broker_transport_options = {}
        env["GREENROOM_VAR_DIR"] = str(tmp_path)
        with app.connection_for_write() as conn:
            conn.default_channel.queue_purge("celery")
    app.conf.broker_url = url
    reset_pool()
    yield env
    app.conf.broker_url, app.conf.broker_transport_options = saved
    reset_pool()


@pytest.fixture
def start_worker(broker: dict[str, str], tmp_path: Path) -> Iterator[Callable[..., subprocess.Popen]]:
    processes: list[subprocess.Popen] = []

    def start(name: str, *, beat: bool = False, concurrency: int = 1, **env: str) -> subprocess.Popen:
        environment = {
            **os.environ,
            **broker,
            "DATABASE_URL": database_url(),
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "CATALOG_ORPHAN_STRATEGY": "keep",
            **env,
        }
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--loglevel=INFO",
            f"--concurrency={concurrency}",
            "--pool=prefork",
            "-n",
            f"{name}@%h",
            "--without-mingle",
            "--without-gossip",
        ]
        if beat:
            command += ["--beat", "--schedule", str(tmp_path / f"beat-{name}")]
        log = open(tmp_path / f"{name}.log", "w")  # noqa: SIM115 (closed with the process)
        process = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        process.log_path = tmp_path / f"{name}.log"  # type: ignore[attr-defined]
        processes.append(process)
        return process

    yield start
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def wait_for(condition: Callable[[], bool], timeout: float, workers: list[subprocess.Popen]) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        for worker in workers:
            if worker.poll() is not None:
                pytest.fail(f"worker exited early:\n{Path(worker.log_path).read_text()[-3000:]}")
        time.sleep(0.25)
    logs = "\n".join(Path(w.log_path).read_text()[-2000:] for w in workers)
    pytest.fail(f"condition not met within {timeout} s; worker logs:\n{logs}")


def test_register_then_refresh_on_schedule(write_yaml, start_worker):
    path = write_yaml("catalog-info.yaml", COMPONENT.format(name="orders", description="first"))
    location, _ = register_location("file", str(path))
    # Due far in the future, so only the explicit task below processes it first.
    Location.objects.filter(pk=location.pk).update(next_refresh_at=None)
    worker = start_worker(
        "scheduled",
        beat=True,
        CATALOG_SCHEDULER_POLL_SECONDS="1",
        CATALOG_REFRESH_INTERVAL_MIN="1",
        CATALOG_REFRESH_INTERVAL_MAX="2",
    )
    tasks.refresh_location.delay(str(location.pk))
    wait_for(lambda: Entity.objects.filter(ref="component:default/orders").exists(), 60, [worker])

    path.write_text(COMPONENT.format(name="orders", description="second"))
    wait_for(
        lambda: (
            Entity.objects.get(ref="component:default/orders").final["metadata"]["description"] == "second"
        ),
        60,
        [worker],
    )
    location.refresh_from_db()
    assert location.status == Location.Status.OK


def test_two_workers_refreshing_one_location_at_once_make_no_duplicates(write_yaml, start_worker):
    documents = "---\n".join(COMPONENT.format(name=f"svc-{i}", description="x") for i in range(200))
    path = write_yaml("many.yaml", documents)
    location, _ = register_location("file", str(path))
    Location.objects.filter(pk=location.pk).update(next_refresh_at=None)
    workers = [start_worker("one"), start_worker("two")]
    for _ in range(6):
        tasks.refresh_location.delay(str(location.pk))

    def all_ran() -> bool:
        text = "".join(Path(w.log_path).read_text() for w in workers)
        return text.count("succeeded in") >= 6

    wait_for(all_ran, 90, workers)
    assert Entity.objects.filter(ref__startswith="component:default/svc-").count() == 200
    logs = "".join(Path(w.log_path).read_text() for w in workers)
    assert "Traceback" not in logs
    location.refresh_from_db()
    assert location.last_summary["added"] == 0 and location.last_summary["unchanged"] == 201
