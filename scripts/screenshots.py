"""Screenshots of the demo portal for the docs: ``make screenshots`` writes them to docs/screenshots/.

Starts the demo on a throwaway database (a temporary GREENROOM_VAR_DIR: migrate, load_demo, runserver on a
free port without DEBUG, WhiteNoise serving the assets), signs in as the demo admin with Playwright's
Chromium and saves one PNG per page. It touches neither .var/ nor any configured database or broker.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--chromium /usr/bin/chromium]
"""

from __future__ import annotations

import argparse
import contextlib
import http.server
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from functools import partial
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ADMIN = ("admin", "greenroom")
WIDE = {"width": 1440, "height": 900}
NARROW = {"width": 420, "height": 900}

# What the register page previews: a new service with its API, served from a local "git host".
CATALOG_INFO = """\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: loyalty-service
  title: Loyalty service
  description: Points, tiers and rewards for Northwind members.
  tags: [python, loyalty]
spec:
  type: service
  lifecycle: experimental
  owner: team-checkout
  system: checkout
  providesApis: [loyalty-api]
  dependsOn: [component:customer-accounts-service]
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: loyalty-api
  title: Loyalty API
  description: Balances and redemptions.
spec:
  type: openapi
  lifecycle: experimental
  owner: team-checkout
  system: checkout
  definition: |
    openapi: 3.0.3
    info: {title: Loyalty API, version: 0.1.0}
    paths: {}
"""


def say(text: object, *, error: bool = False) -> None:
    stream = sys.stderr if error else sys.stdout
    stream.write(f"{text}\n")
    stream.flush()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def file_host(directory: Path) -> Iterator[str]:
    """Serve ``directory`` over HTTP on 127.0.0.1; yields "127.0.0.1:port"."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def demo_environment(var_dir: Path, allowed_host: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        # Nothing configured for a real deployment may leak into the throwaway demo.
        if not key.startswith(
            ("DATABASE_", "CELERY_", "REDIS_", "OIDC_", "DJANGO_", "GREENROOM_", "CATALOG_")
        )
    }
    env.update(
        GREENROOM_VAR_DIR=str(var_dir),
        DJANGO_DEBUG="false",
        GREENROOM_DEMO_ADMIN_PASSWORD=ADMIN[1],
        CATALOG_ALLOWED_HOSTS=f"github.com,raw.githubusercontent.com,{allowed_host}",
        PYTHONUNBUFFERED="1",
    )
    return env


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO, env=env, check=True, stdout=subprocess.DEVNULL
    )


@contextlib.contextmanager
def demo_server(env: dict[str, str], log: Path) -> Iterator[str]:
    port = free_port()
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise SystemExit(f"runserver exited with {process.returncode}:\n{log.read_text()}")
            try:
                urllib.request.urlopen(base + "/accounts/login/", timeout=2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit(f"runserver did not answer within 30 s:\n{log.read_text()}") from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def shoot(base: str, out: Path, chromium: str, register_url: str) -> list[Path]:
    from playwright.sync_api import sync_playwright

    written: list[Path] = []

    def save(page, name: str, *, full_page: bool = True) -> None:
        path = out / f"{name}.png"
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(path), full_page=full_page)
        written.append(path)
        say(path.relative_to(REPO) if path.is_relative_to(REPO) else path)

    def sign_in(context) -> None:
        page = context.new_page()
        page.goto(base + "/accounts/login/")
        page.fill("#id_username", ADMIN[0])
        page.fill("#id_password", ADMIN[1])
        page.click("button[type=submit]")
        page.wait_for_url(base + "/")
        page.close()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport=WIDE, color_scheme="light", device_scale_factor=1)
            sign_in(context)
            page = context.new_page()

            page.goto(base + "/")
            save(page, "home")

            page.goto(base + "/catalog/?kind=component")
            save(page, "catalog-components")

            page.goto(base + "/catalog/default/component/payments-core/")
            save(page, "entity-overview")

            page.goto(base + "/catalog/default/system/payments-platform/dependencies/")
            page.wait_for_selector("svg.graph")
            save(page, "dependency-graph")

            page.goto(base + "/catalog/default/api/payments-api/api/")
            page.wait_for_selector(".swagger-ui .info")
            save(page, "api-swagger-ui")

            page.goto(base + "/catalog/default/group/team-payments/")
            save(page, "group")

            page.goto(base + "/catalog/register/")
            page.fill("#r-url", register_url)
            page.click("button[value=preview]")
            page.wait_for_selector("#preview-title")
            save(page, "register-preview")

            # The admin's list has ten columns: a wider window, without the app list beside it.
            page.set_viewport_size({"width": 1680, "height": 1000})
            page.goto(base + "/admin/catalog/entity/")
            toggle = page.locator("#toggle-nav-sidebar")
            if toggle.is_visible():  # Django remembers the choice
                toggle.click()
            page.evaluate("window.scrollTo(0, 0)")
            save(page, "admin-entities", full_page=False)
            context.close()

            dark = browser.new_context(viewport=WIDE, color_scheme="dark", device_scale_factor=1)
            sign_in(dark)
            page = dark.new_page()
            page.goto(base + "/catalog/")
            save(page, "catalog-dark", full_page=False)
            dark.close()

            narrow = browser.new_context(viewport=NARROW, color_scheme="light", device_scale_factor=1)
            sign_in(narrow)
            page = narrow.new_page()
            page.goto(base + "/catalog/default/component/payments-core/")
            save(page, "narrow-entity")
            narrow.close()
        finally:
            browser.close()
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    parser.add_argument("--chromium", default=os.environ.get("CHROMIUM", CHROMIUM))
    args = parser.parse_args()
    if not Path(args.chromium).exists():
        say(
            f"Chromium not found at {args.chromium}: apt-get install -y chromium, or pass --chromium",
            error=True,
        )
        return 1
    args.out = args.out.resolve()
    args.out.mkdir(parents=True, exist_ok=True)

    var_dir = Path(tempfile.mkdtemp(prefix="greenroom-screenshots-"))
    try:
        repo_dir = var_dir / "git"
        repo_dir.mkdir()
        (repo_dir / "catalog-info.yaml").write_text(CATALOG_INFO)
        with file_host(repo_dir) as host:
            env = demo_environment(var_dir / "var", host)
            say("Loading the demo catalog on a throwaway database…")
            manage(env, "migrate", "--noinput")
            manage(env, "load_demo")
            with demo_server(env, var_dir / "runserver.log") as base:
                shoot(base, args.out, args.chromium, f"http://{host}/catalog-info.yaml")
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
