"""``POST /analyze-location``: what the import wizard would register for a repository or file URL."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import yaml

from catalog.api.errors import InputError
from catalog.models import Location
from catalog.readers import ReadError, read_target
from catalog.services.locations import normalize_target
from catalog.yamlio import load_documents

DEFAULT_FILENAME = "catalog-info.yaml"


def analyze_location(location: Any, filename: str | None) -> dict[str, Any]:
    """Existing catalog files at the URL, or a proposed Component when there are none (Backstage's analyzer)."""
    if not isinstance(location, dict) or not isinstance(location.get("target"), str):
        raise InputError("Invalid location: expected {type, target}")
    type_, target = location.get("type") or "url", location["target"].strip()
    if type_ != "url" or urlsplit(target).scheme not in ("http", "https"):
        raise InputError(f"Unable to analyze {type_}:{target}: only url locations can be analyzed")
    normalize_target("url", target)
    file_url = (
        target if target.endswith((".yaml", ".yml")) else _repo_file(target, filename or DEFAULT_FILENAME)
    )
    existing = _existing_entity_files(file_url)
    if existing:
        return {"existingEntityFiles": existing, "generateEntities": []}
    return {"existingEntityFiles": [], "generateEntities": [_proposed_component(target)]}


def _repo_file(repo_url: str, filename: str) -> str:
    return f"{repo_url.rstrip('/')}/blob/HEAD/{filename.lstrip('/')}"


def _existing_entity_files(file_url: str) -> list[dict[str, Any]]:
    try:
        normalize_target("url", file_url)
        reads = read_target("url", file_url)
    except (ReadError, ValueError):
        return []
    registered = Location.objects.filter(type="url", target=file_url).exists()
    found = []
    for read in reads:
        try:
            documents = [doc for _index, doc in load_documents(read.text) if isinstance(doc, dict)]
        except yaml.YAMLError:
            continue
        for document in documents:
            found.append(
                {
                    "location": {"type": "url", "target": read.target},
                    "isRegistered": registered,
                    "entity": document,
                }
            )
    return found


def _proposed_component(repo_url: str) -> dict[str, Any]:
    parts = urlsplit(repo_url)
    segments = [s for s in parts.path.split("/") if s]
    owner = segments[0] if segments else ""
    name = (segments[1] if len(segments) > 1 else owner or parts.hostname or "component").removesuffix(".git")
    host = (parts.hostname or "").lower()
    return {
        "entity": {
            "apiVersion": "backstage.io/v1alpha1",
            "kind": "Component",
            "metadata": {"name": name, "annotations": {f"{host}/project-slug": f"{owner}/{name}"}},
            "spec": {"type": "other", "lifecycle": "unknown"},
        },
        "fields": [
            {
                "field": "spec.owner",
                "state": "needsUserInput",
                "description": "Entity owner (typically group or user)",
            }
        ],
    }
