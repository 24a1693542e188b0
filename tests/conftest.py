"""Fixtures shared by every app's tests."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.fakes.http_files import FileServer, serving

REPO_ROOT = Path(__file__).resolve().parents[1]
CORPUS = REPO_ROOT.parent / "shared" / "corpus" / "backstage-examples"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    """Passwords in tests need not resist brute force; PBKDF2 would cost a second per user."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    """Rows are rolled back between tests, so nothing cached about them may outlive a test."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def write_yaml(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write dedented YAML to ``tmp_path / name`` (folders created) and return the path."""

    def write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
        return path

    return write


@pytest.fixture
def file_server(settings) -> Iterator[FileServer]:
    """A local HTTP server whose host is on the catalog's allow-list."""
    with serving() as server:
        settings.CATALOG_ALLOWED_HOSTS = [server.host]
        yield server
