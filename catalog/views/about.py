"""The facts the overview's about card shows, read from the served entity."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from catalog.annotations import EDIT_URL, SOURCE_LOCATION, VIEW_URL
from catalog.views.peers import Peer, targets_of

SAFE_SCHEMES = ("http://", "https://", "mailto:")


@dataclass
class Link:
    url: str
    title: str
    icon: str = ""


@dataclass
class About:
    """Title, description, owner, system, domain, type, lifecycle, tags, links and source links."""

    title: str
    description: str
    owners: list[Peer]
    system: Peer | None
    domain: Peer | None
    parent: Peer | None
    spec_type: str
    lifecycle: str
    tags: list[str]
    links: list[Link] = field(default_factory=list)
    view_url: str = ""
    edit_url: str = ""
    source_url: str = ""


def safe_url(value: Any) -> str:
    """A URL fit for an href: http(s) or mailto only, so no ``javascript:`` reaches a link."""
    if isinstance(value, str) and value.strip().lower().startswith(SAFE_SCHEMES):
        return value.strip()
    return ""


def source_url(value: Any) -> str:
    """``url:https://...`` source locations as a link; other location types have none."""
    if isinstance(value, str) and value.startswith("url:"):
        return safe_url(value[4:])
    return ""


def first_of_kind(refs: list[str], kind: str, peers: dict[str, Peer]) -> Peer | None:
    for ref in refs:
        if ref.startswith(kind + ":"):
            return peers[ref]
    return None


def about_of(served: dict[str, Any], peers: dict[str, Peer]) -> About:
    """The about card of a served entity; ``peers`` holds every relation target."""
    metadata = served.get("metadata") or {}
    spec = served.get("spec") or {}
    annotations = metadata.get("annotations") or {}
    relations = served.get("relations") or []
    part_of = targets_of(relations, "partOf")
    links = [
        Link(url, str(link.get("title") or url), str(link.get("icon") or ""))
        for link in metadata.get("links") or []
        if isinstance(link, dict) and (url := safe_url(link.get("url")))
    ]
    return About(
        title=str(metadata.get("title") or metadata.get("name") or ""),
        description=str(metadata.get("description") or ""),
        owners=[peers[ref] for ref in targets_of(relations, "ownedBy")],
        system=first_of_kind(part_of, "system", peers),
        domain=first_of_kind(part_of, "domain", peers),
        parent=first_of_kind(part_of, "component", peers),
        spec_type=str(spec.get("type") or "") if not isinstance(spec.get("type"), dict) else "",
        lifecycle=str(spec.get("lifecycle") or ""),
        tags=[str(tag) for tag in metadata.get("tags") or []],
        links=links,
        view_url=safe_url(annotations.get(VIEW_URL)),
        edit_url=safe_url(annotations.get(EDIT_URL)),
        source_url=source_url(annotations.get(SOURCE_LOCATION)),
    )
