"""The tabs of an entity page: a small registry so other apps (CI/CD, Docs, Kubernetes) add their own.

An app registers its tabs once, from its ``AppConfig.ready()``::

    from catalog.tabs import register_tab

    register_tab(
        "ci",
        "CI/CD",
        "buildkite/entity_tab.html",
        condition=lambda entity: "buildkite.com/project-slug" in annotations_of(entity),
        order=40,
        context="buildkite.views.entity_tab_context",
    )

The page includes the tab's template (a fragment, not a whole page) below the entity header, with
``entity``, ``served`` (the entity as the API serves it) and whatever ``context(request, entity)`` returns;
``tab_stylesheets`` and ``tab_scripts`` in that context (lists of URLs) are added to the page's head and end.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils.module_loading import import_string

from catalog.models import Entity

Condition = Callable[[Entity], bool]
ContextBuilder = Callable[[HttpRequest, Entity], dict[str, Any]]

# Slugs the entity URLs use for other pages.
RESERVED_SLUGS = frozenset({"unregister"})


@dataclass(frozen=True)
class Tab:
    """One tab: where it lives in the URL, its label, its template and when an entity shows it."""

    slug: str
    title: str
    template: str
    condition: Condition
    order: int
    context: ContextBuilder | str | None = None

    def build_context(self, request: HttpRequest, entity: Entity) -> dict[str, Any]:
        """The extra template context of this tab; a dotted path is imported on first use."""
        builder = self.context
        if builder is None:
            return {}
        if isinstance(builder, str):
            builder = import_string(builder)
        return builder(request, entity)


_TABS: dict[str, Tab] = {}


def always(entity: Entity) -> bool:
    return True


def register_tab(
    slug: str,
    title: str,
    template: str,
    condition: Condition = always,
    order: int = 50,
    *,
    context: ContextBuilder | str | None = None,
) -> Tab:
    """Add (or replace, by slug) a tab; ``condition(entity)`` decides whether an entity shows it."""
    if slug in RESERVED_SLUGS or not slug.replace("-", "").isalnum():
        raise ValueError(f"{slug!r} cannot be a tab slug")
    tab = Tab(slug, title, template, condition, order, context)
    _TABS[slug] = tab
    return tab


def unregister_tab(slug: str) -> None:
    """Remove a tab (tests use it to clean up)."""
    _TABS.pop(slug, None)


def tabs_for(entity: Entity) -> list[Tab]:
    """The tabs this entity shows, in order; the overview always comes first."""
    return sorted(
        (tab for tab in _TABS.values() if tab.condition(entity)), key=lambda tab: (tab.order, tab.slug)
    )


def find_tab(entity: Entity, slug: str) -> Tab | None:
    """The tab ``slug`` if this entity shows it."""
    tab = _TABS.get(slug)
    return tab if tab is not None and tab.condition(entity) else None


def is_api(entity: Entity) -> bool:
    return entity.kind.lower() == "api"


register_tab(
    "overview",
    "Overview",
    "catalog/entity/overview.html",
    order=0,
    context="catalog.views.overview.overview_context",
)
register_tab(
    "dependencies",
    "Dependencies",
    "catalog/entity/dependencies.html",
    order=10,
    context="catalog.views.dependencies.dependencies_context",
)
register_tab(
    "api",
    "API",
    "catalog/entity/api.html",
    condition=is_api,
    order=20,
    context="catalog.views.api_tab.api_context",
)
register_tab("raw", "Raw", "catalog/entity/raw.html", order=90, context="catalog.views.raw.raw_context")
