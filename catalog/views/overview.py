"""The overview tab: about card, relations and problem banners; groups and users get their own overview."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest

from catalog.models import CatalogError, Entity
from catalog.views.about import about_of
from catalog.views.org import group_context, user_context
from catalog.views.peers import group_relations, peers_by_ref

KIND_OVERVIEWS = {
    "group": ("catalog/entity/overview_group.html", group_context),
    "user": ("catalog/entity/overview_user.html", user_context),
}


@dataclass
class Problems:
    """What the banners above the overview say: orphan, processing errors, conflicts."""

    orphan: bool = False
    errors: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return self.orphan or bool(self.errors or self.conflicts)


def problems_of(entity: Entity) -> Problems:
    """The entity's status items and the catalog errors recorded against its ref (one query)."""
    served = entity.served
    problems = Problems(orphan=entity.orphan)
    for item in (served.get("status") or {}).get("items") or []:
        if isinstance(item, dict) and item.get("level", "error") == "error":
            problems.errors.append(str(item.get("message") or item))
    for error in CatalogError.objects.filter(entity_ref=entity.ref).order_by("id"):
        text = (
            f"{error.field}: {error.message}"
            if error.field and error.field not in error.message
            else error.message
        )
        if error.kind == CatalogError.Kind.CONFLICT:
            problems.conflicts.append(error.message)
        elif not any(text in seen for seen in problems.errors):
            problems.errors.append(f"{text} ({error.file})")
    return problems


def overview_context(request: HttpRequest, entity: Entity) -> dict[str, Any]:
    """Everything the overview tab shows; one query for all relation targets, however many."""
    served = entity.served
    relations = served.get("relations") or []
    peers = peers_by_ref(request, (r.get("targetRef", "") for r in relations))
    context: dict[str, Any] = {
        "about": about_of(served, peers),
        "relation_groups": group_relations(relations, peers),
        "problems": problems_of(entity),
        "overview_template": "catalog/entity/overview_default.html",
    }
    special = KIND_OVERVIEWS.get(entity.kind.lower())
    if special:
        template, build = special
        context["overview_template"] = template
        context.update(build(request, entity, peers))
    return context
