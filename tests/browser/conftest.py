"""Fixtures for the browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

The live server runs in a thread of this process, so settings changed by a test (``settings``,
``file_server``) apply to it too, and it reads the same database; tests use real transactions
(``transactional_db``), which are emptied after each test.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connections

CHROMIUM = os.environ.get("GREENROOM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "correct-horse-battery"
TIMEOUT_MS = 15_000


def restore_default_policy() -> None:
    """The rules the permissions app's data migration installs; a transactional test's flush removes them."""
    from permissions.defaults import DEFAULT_RULES
    from permissions.models import PolicyRule

    for rule in DEFAULT_RULES:
        PolicyRule.objects.get_or_create(name=rule["name"], defaults=rule)


@pytest.fixture(scope="module", autouse=True)
def _default_policy_afterwards(django_db_setup, django_db_blocker) -> Iterator[None]:
    """Leave the test database with the default rules for the transactional tests of other modules."""
    yield
    with django_db_blocker.unblock():
        restore_default_policy()
        connections.close_all()  # else PostgreSQL refuses to drop the test database while it is open


@pytest.fixture(scope="module")
def browser() -> Iterator:
    """One headless Chromium per module (contexts keep tests apart); Django's async guard is back after it."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}: the browser tests need it "
            "(apt-get install -y chromium; .ci/run installs it).",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; Django would then refuse the tests' own
    # (synchronous) queries as if they came from async code.
    saved = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()
        if saved is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = saved


@pytest.fixture
def demo(live_server) -> dict:
    """The Northwind Outfitters catalog and three accounts: an admin, a catalog user, a reader."""
    restore_default_policy()
    call_command("load_demo", "--no-admin", stdout=io.StringIO())
    User = get_user_model()
    return {
        # A superuser: may do everything, including the admin and registering locations.
        "admin": User.objects.create_superuser("root", "root@example.com", PASSWORD),
        # user:default/sam.taylor of team-devex by email: owns what team-devex owns.
        "sam": User.objects.create_user("sam", "sam.taylor@northwind.example", PASSWORD),
        # In no group, owns nothing: reads the catalog and nothing more.
        "reader": User.objects.create_user("reader", "reader@example.com", PASSWORD),
    }


@pytest.fixture
def sign_in(browser, live_server) -> Iterator[Callable]:
    """``sign_in(username)``: a new page in a fresh browser context, signed in through the login form."""
    contexts = []

    def open_page(username: str):
        context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.goto("/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("form[action='/accounts/login/'] button[type=submit]")
        page.wait_for_url(live_server.url + "/")
        return page

    yield open_page
    for context in contexts:
        context.close()
