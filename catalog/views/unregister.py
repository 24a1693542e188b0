"""Unregistering an entity, or the whole location it came from, after a confirmation page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from catalog.services import delete_entity, delete_location
from catalog.views.common import get_entity_or_404
from catalog.visibility import ENTITY_DELETE, LOCATION_DELETE, allowed, visible_entities

LIST_LIMIT = 500


@login_required
@require_http_methods(["GET", "POST"])
def unregister(request: HttpRequest, namespace: str, kind: str, name: str) -> HttpResponse:
    """GET lists what goes with the entity; POST ``entity`` removes it alone, ``location`` everything."""
    entity = get_entity_or_404(request, namespace, kind, name)
    location = entity.location
    may_delete_entity = allowed(request, ENTITY_DELETE, entity)
    may_delete_location = location is not None and allowed(request, LOCATION_DELETE, location)
    if not (may_delete_entity or may_delete_location):
        raise PermissionDenied("You may not unregister this entity.")
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "location" and may_delete_location:
            assert location is not None
            removed = delete_location(location.pk)
            messages.success(request, f"Unregistered {location.target} and removed its {removed} entities.")
            return redirect(reverse("catalog:index"))
        if action == "entity" and may_delete_entity:
            delete_entity(entity.pk)
            note = " It comes back on the next refresh if its file still holds it." if location else ""
            messages.success(request, f"Removed {entity.ref}.{note}")
            return redirect(reverse("catalog:index"))
        messages.error(request, "Choose what to unregister.")
    siblings = (
        visible_entities(request).filter(location=location).order_by("kind", "name")
        if location is not None
        else visible_entities(request).none()
    )
    context = {
        "entity": entity,
        "location": location,
        "may_delete_entity": may_delete_entity,
        "may_delete_location": may_delete_location,
        "siblings": list(
            siblings.only("id", "ref", "kind", "namespace", "name", "title", "spec_type")[:LIST_LIMIT]
        ),
        "sibling_count": siblings.count() if location is not None else 0,
    }
    return render(request, "catalog/unregister.html", context)
