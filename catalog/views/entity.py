"""The entity page: a header, the tabs the registry gives this entity, and the chosen tab's content."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from catalog.services import schedule_entity_refresh
from catalog.tabs import find_tab, tabs_for
from catalog.views.common import entity_url, get_entity_or_404
from catalog.visibility import ENTITY_DELETE, ENTITY_REFRESH, LOCATION_DELETE, allowed


@login_required
@require_GET
def entity_page(
    request: HttpRequest, namespace: str, kind: str, name: str, tab: str = "overview"
) -> HttpResponse:
    """One tab of an entity; 404 for an unknown entity or a tab this entity does not show."""
    entity = get_entity_or_404(request, namespace, kind, name)
    current = find_tab(entity, tab)
    if current is None:
        raise Http404(f"{entity.ref} has no tab {tab!r}")
    profile = (entity.served.get("spec") or {}).get("profile")
    display_name = profile.get("displayName") if isinstance(profile, dict) else ""
    context = {
        "entity": entity,
        "served": entity.served,
        "heading": entity.title or (display_name if isinstance(display_name, str) else "") or entity.name,
        "tabs": [
            (t, entity_url(entity.kind, entity.namespace, entity.name, t.slug)) for t in tabs_for(entity)
        ],
        "tab": current,
        "may_refresh": entity.location_id is not None and allowed(request, ENTITY_REFRESH, entity),
        "may_unregister": allowed(request, ENTITY_DELETE, entity)
        or (entity.location is not None and allowed(request, LOCATION_DELETE, entity.location)),
        **current.build_context(request, entity),
    }
    return render(request, "catalog/entity/page.html", context)


@login_required
@require_POST
def refresh_entity(request: HttpRequest, namespace: str, kind: str, name: str) -> HttpResponse:
    """Make the entity's location due now (Backstage's "refresh"); the scheduler picks it up shortly."""
    entity = get_entity_or_404(request, namespace, kind, name)
    if not allowed(request, ENTITY_REFRESH, entity):
        raise PermissionDenied("You may not refresh this entity.")
    if schedule_entity_refresh(entity.ref) is None:
        messages.warning(request, f"{entity.name} has no location to refresh.")
    else:
        messages.success(request, f"A refresh of {entity.name} is scheduled; changes appear within a minute.")
    return redirect(entity_url(entity.kind, entity.namespace, entity.name))
