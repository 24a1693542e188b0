"""The annotations the catalog writes itself (spec §3): managed-by locations and SCM view/edit/source URLs."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

MANAGED_BY_LOCATION = "backstage.io/managed-by-location"
MANAGED_BY_ORIGIN_LOCATION = "backstage.io/managed-by-origin-location"
VIEW_URL = "backstage.io/view-url"
EDIT_URL = "backstage.io/edit-url"
SOURCE_LOCATION = "backstage.io/source-location"
ORPHAN = "backstage.io/orphan"

_COMMIT_SHA = re.compile(r"(?<![0-9a-f])[0-9a-f]{40,}(?![0-9a-f])", re.IGNORECASE)
_SAFE_URL = "https://backstage.io/annotation-rejected-for-security-reasons"


def _scm_urls(url: str) -> tuple[str | None, str | None]:
    """The edit URL and the directory (tree) URL of a file on a known SCM host, else (None, None)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    path = parts.path
    if host == "github.com" or host.startswith("github."):
        marker, edit, tree = "/blob/", "/edit/", "/tree/"
    elif host == "gitlab.com" or host.startswith("gitlab."):
        marker, edit, tree = "/-/blob/", "/-/edit/", "/-/tree/"
    else:
        return None, None
    if marker not in path:
        return None, None
    directory = path.rsplit("/", 1)[0] + "/"
    edit_url = urlunsplit(parts._replace(path=path.replace(marker, edit, 1)))
    tree_url = urlunsplit(parts._replace(path=directory.replace(marker, tree, 1)))
    return edit_url, tree_url


def location_annotations(file_type: str, file_target: str, origin_ref: str) -> tuple[dict, dict]:
    """Annotations for an entity read from a file: (always overwritten, only set when the user did not).

    Returns the forced pair of managed-by annotations, and the SCM links for ``url`` files.
    """
    forced = {MANAGED_BY_LOCATION: f"{file_type}:{file_target}", MANAGED_BY_ORIGIN_LOCATION: origin_ref}
    defaults: dict[str, str] = {}
    if file_type == "url":
        defaults[VIEW_URL] = file_target
        edit_url, tree_url = _scm_urls(file_target)
        if edit_url and not _COMMIT_SHA.search(file_target):
            defaults[EDIT_URL] = edit_url
        if tree_url:
            defaults[SOURCE_LOCATION] = f"url:{tree_url}"
    return forced, defaults


def sanitize_link_annotations(annotations: dict) -> None:
    """Replace ``javascript:`` view and edit URLs with a harmless one, as Backstage does at stitch time."""
    for key in (VIEW_URL, EDIT_URL):
        value = annotations.get(key)
        if isinstance(value, str) and value.strip().lower().startswith("javascript:"):
            annotations[key] = _SAFE_URL
