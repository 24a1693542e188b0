"""Backstage's own @backstage/catalog-client, run by node against a live Greenroom (spec §6.1).

GIVEN a portal started with ``manage.py runserver`` on a fresh database holding a small organisation
WHEN a node script calls every method of catalog-client 1.16.2 with a static token
THEN every call behaves as it does against Backstage.
The client is installed from the npm registry into the git-ignored ``.cache/npm`` on first use.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.conftest import ORG, ROOT, SERVICES
from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.slow

CLIENT_VERSION = "1.16.2"
CLIENT_DIR = REPO_ROOT / ".cache" / "npm"
SCRIPT = Path(__file__).parent / "node" / "catalog_client_conformance.cjs"
EXTRA = """\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: extra}
spec: {type: service, lifecycle: production, owner: team-a}
"""
SETUP = """
from catalog.services import refresh_location, register_location
location, _ = register_location("file", {root!r})
refresh_location(location.pk)
from django.contrib.auth import get_user_model
get_user_model().objects.create_superuser("conformance-admin", "ops@example.com", None)
"""


def install_client() -> None:
    package = CLIENT_DIR / "node_modules" / "@backstage" / "catalog-client" / "package.json"
    if package.exists() and json.loads(package.read_text())["version"] == CLIENT_VERSION:
        return
    if not shutil.which("npm"):
        pytest.skip("npm is not installed")
    CLIENT_DIR.mkdir(parents=True, exist_ok=True)
    if not (CLIENT_DIR / "package.json").exists():
        (CLIENT_DIR / "package.json").write_text('{"name": "greenroom-conformance", "private": true}\n')
    result = subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", f"@backstage/catalog-client@{CLIENT_VERSION}"],
        cwd=CLIENT_DIR,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        pytest.skip(f"could not install @backstage/catalog-client: {result.stderr[-500:]}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def wait_for(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError("the portal exited while starting")
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 (a loopback URL we started)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer in {seconds}s")


@pytest.fixture
def portal(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A runserver on a free loopback port over a fresh SQLite database, with the organisation loaded."""
    if not shutil.which("node"):
        pytest.skip("node is not installed")
    install_client()
    fixtures = tmp_path / "catalog"
    fixtures.mkdir()
    for name, text in {
        "org.yaml": ORG,
        "services.yaml": SERVICES,
        "root.yaml": ROOT,
        "extra.yaml": EXTRA,
        "extra2.yaml": EXTRA,
    }.items():
        (fixtures / name).write_text(text.lstrip())
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_URL", "CELERY_", "CATALOG_", "PYTEST", "DJANGO_SETTINGS"))
    }
    env.update(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
            "GREENROOM_VAR_DIR": str(tmp_path / "var"),
            "CELERY_TASK_ALWAYS_EAGER": "true",
            "CATALOG_LOCATION_TYPES": "url,file",
            "CATALOG_ALLOWED_HOSTS": f"127.0.0.1:{port}",
            "DJANGO_SETTINGS_MODULE": "portal.settings",
        }
    )
    manage(env, "migrate", "--noinput")
    manage(env, "shell", "-c", SETUP.format(root=str(fixtures / "root.yaml")))
    # The client writes too (locations, refresh, delete): its token acts as an admin.
    token = manage(env, "create_token", "--subject", "conformance", "--user", "conformance-admin").strip()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/api/schema/", process)
        yield {
            "BASE_URL": f"http://127.0.0.1:{port}/api/catalog",
            "SELF_URL": f"http://127.0.0.1:{port}",
            "TOKEN": token,
            "FIXTURE_DIR": str(fixtures),
            "CLIENT_DIR": str(CLIENT_DIR),
        }
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def test_every_catalog_client_method_works_unchanged(portal):
    result = subprocess.run(
        ["node", str(SCRIPT)],
        env={**os.environ, **portal},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.stdout.strip(), result.stderr
    checks = json.loads(result.stdout.strip().splitlines()[-1])
    failed = [f"{c['name']}: {c['error']}" for c in checks if not c["ok"]]
    assert not failed, "\n\n".join(failed)
    assert len(checks) == 16
