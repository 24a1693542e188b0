"""Reading location targets: files (a path or a glob) and URLs (only from allow-listed hosts)."""

from __future__ import annotations

import fnmatch
import glob
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests
from django.conf import settings

GLOB_CHARS = set("*?[")
MAX_REDIRECTS = 5


class ReadError(Exception):
    """A target could not be read; ``not_found`` distinguishes a missing file (presence may excuse it)."""

    def __init__(self, message: str, *, not_found: bool = False) -> None:
        super().__init__(message)
        self.not_found = not_found


@dataclass(frozen=True)
class ReadResult:
    """One file read: its location reference (``type:target``) and its text."""

    type: str
    target: str
    text: str

    @property
    def ref(self) -> str:
        return f"{self.type}:{self.target}"


def host_allowed(url: str) -> bool:
    """Whether ``url``'s host is on ``CATALOG_ALLOWED_HOSTS`` (``*.example.com`` covers subdomains)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        return False
    host_port = f"{host}:{parts.port}" if parts.port else host
    for pattern in settings.CATALOG_ALLOWED_HOSTS:
        pattern = pattern.strip().lower()
        if pattern == "*":
            return True
        candidate = host_port if ":" in pattern else host
        if fnmatch.fnmatchcase(candidate, pattern) or (pattern.startswith("*.") and candidate == pattern[2:]):
            return True
    return False


def raw_content_url(url: str) -> str:
    """The raw-content URL of a file shown on a GitHub host (``/owner/repo/blob/ref/path``), else ``url``.

    Hosts and their raw bases come from ``CATALOG_GITHUB_RAW_URLS`` (GitHub Enterprise adds its own).
    """
    parts = urlsplit(url)
    raw_base = settings.CATALOG_GITHUB_RAW_URLS.get((parts.hostname or "").lower())
    segments = parts.path.split("/")
    if not raw_base or len(segments) < 6 or segments[3] != "blob":
        return url
    owner, repo, ref, *path = segments[1], segments[2], segments[4], *segments[5:]
    return f"{raw_base.rstrip('/')}/{owner}/{repo}/{ref}/{'/'.join(path)}"


def fetch_url(url: str) -> str:
    """GET ``url`` and return its text; every hop of a redirect must be on the allow-list too."""
    if not host_allowed(url):
        raise ReadError(f"{url} is not allowed: its host is not on the CATALOG_ALLOWED_HOSTS allow-list")
    current = raw_content_url(url)
    with requests.Session() as session:
        for _ in range(MAX_REDIRECTS + 1):
            if not host_allowed(current):
                raise ReadError(
                    f"{current} is not allowed: its host is not on the CATALOG_ALLOWED_HOSTS allow-list"
                )
            try:
                response = session.get(
                    current, timeout=settings.CATALOG_FETCH_TIMEOUT, allow_redirects=False, stream=True
                )
            except requests.RequestException as exc:
                raise ReadError(f"Unable to read {current}: {exc}") from exc
            with response:
                if response.is_redirect:
                    current = urljoin(current, response.headers.get("Location", ""))
                    continue
                if response.status_code == 404:
                    raise ReadError(f"{current} could not be read: 404 Not Found", not_found=True)
                if response.status_code >= 400:
                    raise ReadError(
                        f"{current} could not be read: HTTP {response.status_code} {response.reason}"
                    )
                body = _read_capped(response)
                return body.decode(response.encoding or "utf-8", errors="replace")
    raise ReadError(f"{url} redirected more than {MAX_REDIRECTS} times")


def _read_capped(response: requests.Response) -> bytes:
    limit = settings.CATALOG_FETCH_MAX_BYTES
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_content(64 * 1024):
        size += len(chunk)
        if size > limit:
            raise ReadError(f"{response.url} is larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _check_file_root(path: Path) -> None:
    roots = settings.CATALOG_FILE_ROOTS
    if roots and not any(path.is_relative_to(Path(root).resolve()) for root in roots):
        raise ReadError(f"{path} is outside the directories CATALOG_FILE_ROOTS allows")


def read_file(path: str) -> str:
    resolved = Path(path).resolve()
    _check_file_root(resolved)
    try:
        return resolved.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ReadError(f"File {path} does not exist", not_found=True) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ReadError(f"Unable to read {path}: {exc}") from exc


def read_target(type_: str, target: str) -> list[ReadResult]:
    """Read every file a target names: a glob may name none or many, in a stable order."""
    if type_ == "file":
        if any(char in target for char in GLOB_CHARS):
            matches = sorted(path for path in glob.glob(target, recursive=True) if os.path.isfile(path))
            return [ReadResult("file", os.path.abspath(path), read_file(path)) for path in matches]
        if target.endswith(os.sep):
            raise ReadError(f"File location target {target} must name a file, not a directory")
        return [ReadResult("file", os.path.abspath(target), read_file(target))]
    if type_ == "url":
        return [ReadResult("url", target, fetch_url(target))]
    raise ReadError(f"Unsupported location type {type_!r}; expected file or url")


def resolve_target(parent_type: str, parent_target: str, target: str) -> str:
    """Resolve a Location entity's target against the file that names it (Backstage's rules, spec §5.4)."""
    if parent_type == "file":
        if target.startswith("."):
            return os.path.normpath(os.path.join(os.path.dirname(parent_target), target))
        return target
    if parent_type == "url":
        parts = urlsplit(target)
        if parts.scheme:
            return target
        base = urlsplit(parent_target)
        if target.startswith("/"):
            joined = f"{base.scheme}://{base.netloc}{target}"
        else:
            joined = urljoin(parent_target, target)
        # Carry the base's query string (GitLab's ?ref=) over to the resolved URL.
        if base.query and not urlsplit(joined).query:
            joined = f"{joined}?{base.query}"
        return joined
    return target


def read_relative(base_type: str, base_target: str, target: str) -> tuple[str, str, str]:
    """Read a placeholder target (absolute URL or path relative to the entity's file): (type, target, text)."""
    if urlsplit(target).scheme in ("http", "https"):
        return "url", target, fetch_url(target)
    if base_type == "url":
        url = resolve_target("url", base_target, target)
        return "url", url, fetch_url(url)
    path = target if os.path.isabs(target) else os.path.join(os.path.dirname(base_target), target)
    path = os.path.normpath(path)
    return "file", path, read_file(path)
