"""Helpers every catalog page shares: finding the entity of a URL, htmx partial requests, entity URLs."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.urls import reverse

from catalog.models import Entity
from catalog.refs import canonical_ref
from catalog.visibility import visible_entities


def entity_url(kind: str, namespace: str, name: str, tab: str = "") -> str:
    """The page of an entity (a tab of it when ``tab`` is given); kind and namespace are lower-cased."""
    args = [namespace.lower(), kind.lower(), name]
    if tab and tab != "overview":
        return reverse("catalog:entity-tab", args=[*args, tab])
    return reverse("catalog:entity", args=args)


def ref_parts(ref: str) -> tuple[str, str, str]:
    """Split a canonical ``kind:namespace/name`` into its parts (a ref without a namespace gets ``default``)."""
    kind, _, rest = ref.partition(":")
    namespace, slash, name = rest.partition("/")
    if not slash:
        namespace, name = "default", rest
    return kind, namespace, name


def ref_url(ref: str) -> str:
    """The page of the entity a canonical ref names."""
    kind, namespace, name = ref_parts(ref)
    return entity_url(kind, namespace, name)


def get_entity_or_404(request: HttpRequest, namespace: str, kind: str, name: str) -> Entity:
    """The entity at this URL if the user may see it; the lookup ignores case, as Backstage's does."""
    entity = (
        visible_entities(request)
        .filter(ref=canonical_ref(kind, namespace, name))
        .select_related("location")
        .first()
    )
    if entity is None:
        raise Http404(f"No entity {kind}:{namespace}/{name} in the catalog")
    return entity


def wants_partial(request: HttpRequest) -> bool:
    """True for an htmx request that swaps part of the page (not a history restore, not a full-page swap)."""
    headers = request.headers
    return (
        headers.get("HX-Request") == "true"
        and headers.get("HX-History-Restore-Request") != "true"
        and headers.get("HX-Request-Type", "partial") != "full"
    )
