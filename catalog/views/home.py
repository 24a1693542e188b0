"""The home page: what the signed-in user and their groups own, what changed lately, what is broken."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from catalog.views.identity import identity_of
from catalog.views.peers import peers_by_ref
from catalog.visibility import visible_entities

OWNED_LIMIT = 50
RECENT_LIMIT = 10
ERRORS_LIMIT = 20
LIST_COLUMNS = (
    "id",
    "ref",
    "kind",
    "namespace",
    "name",
    "title",
    "spec_type",
    "lifecycle",
    "owner_ref",
    "updated_at",
)


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Three short lists and a search box; each list links to the full catalog view of it."""
    identity = identity_of(request)
    visible = visible_entities(request).only(*LIST_COLUMNS)
    mine = visible.filter(owner_ref__in=identity.owner_refs)
    owned = list(mine.order_by("kind", "name", "ref")[: OWNED_LIMIT + 1])
    context = {
        "identity": identity,
        "groups": [peers_by_ref(request, identity.group_refs)[ref] for ref in identity.group_refs],
        "owned": owned[:OWNED_LIMIT],
        "owned_more": len(owned) > OWNED_LIMIT,
        "recent": list(visible.order_by("-updated_at", "ref")[:RECENT_LIMIT]),
        "broken": list(mine.filter(has_errors=True).order_by("kind", "name")[:ERRORS_LIMIT]),
    }
    return render(request, "catalog/home.html", context)
