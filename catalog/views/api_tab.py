"""The API tab: the definition (Swagger UI for OpenAPI, highlighted source otherwise), providers, consumers."""

from __future__ import annotations

import json
from typing import Any

import yaml
from django.http import HttpRequest
from django.templatetags.static import static

from catalog.models import Entity
from catalog.views.highlight import highlight_source
from catalog.views.org import peers_of
from catalog.views.peers import peers_by_ref

# spec.type -> Pygments lexer for the definition's source.
LEXERS = {
    "asyncapi": "yaml",
    "graphql": "graphql",
    "grpc": "protobuf",
    "trpc": "typescript",
    "openapi": "yaml",
}


def parse_openapi(definition: str) -> dict[str, Any] | None:
    """The OpenAPI document as a mapping for Swagger UI, or None when it does not parse as one."""
    try:
        document = yaml.safe_load(definition)
    except yaml.YAMLError:
        return None
    if not isinstance(document, dict):
        return None
    try:
        json.dumps(document)
    except (TypeError, ValueError):  # YAML dates and other values JSON cannot carry
        document = json.loads(json.dumps(document, default=str))
    return document


def source_language(api_type: str, definition: str) -> str:
    language = LEXERS.get(api_type, "text")
    if language == "yaml" and definition.lstrip().startswith("{"):
        return "json"
    return language


def api_context(request: HttpRequest, entity: Entity) -> dict[str, Any]:
    served = entity.served
    spec = served.get("spec") or {}
    definition = spec.get("definition")
    api_type = str(spec.get("type") or "").lower()
    relations = served.get("relations") or []
    peers = peers_by_ref(request, (r.get("targetRef", "") for r in relations))
    context: dict[str, Any] = {
        "api_type": api_type,
        "providers": peers_of(relations, peers, "apiProvidedBy"),
        "consumers": peers_of(relations, peers, "apiConsumedBy"),
        "definition": definition if isinstance(definition, str) else "",
        "openapi": None,
    }
    if not isinstance(definition, str) or not definition.strip():
        return context
    if api_type == "openapi":
        context["openapi"] = parse_openapi(definition)
    if context["openapi"] is not None:
        context["tab_stylesheets"] = [static("vendor/swagger-ui/swagger-ui.css")]
        context["tab_scripts"] = [
            static("vendor/swagger-ui/swagger-ui-bundle.js"),
            static("greenroom/swagger.js"),
        ]
    context["definition_html"] = highlight_source(definition, source_language(api_type, definition))
    return context
