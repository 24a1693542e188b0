"""Registering an existing component: paste a URL, preview what it would import, confirm."""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from catalog.models import CatalogError, Location
from catalog.services import RefreshSummary, refresh_location, register_location
from catalog.views.dry_run import PreviewProblem, preview_location, with_field
from catalog.visibility import LOCATION_ANALYZE, LOCATION_CREATE, allowed, visible_entities

logger = logging.getLogger(__name__)


@login_required
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    """GET: the form. POST ``preview``: the dry run. POST ``confirm``: register and import now."""
    if not allowed(request, LOCATION_ANALYZE):
        raise PermissionDenied("You may not register locations.")
    url = (request.POST.get("url") or request.GET.get("url") or "").strip()
    if request.method == "GET" or not url:
        error = "Enter the URL of a catalog-info.yaml file." if request.method == "POST" else ""
        return render(request, "catalog/register.html", {"url": url, "error": error})
    if request.POST.get("action") == "confirm":
        return confirm(request, url)
    preview = preview_location(request, url)
    context = {"url": preview.url, "preview": preview, "may_create": allowed(request, LOCATION_CREATE)}
    return render(request, "catalog/register.html", context)


def confirm(request: HttpRequest, url: str) -> HttpResponse:
    """Register the location (or find it), process it at once and show what it now holds."""
    if not allowed(request, LOCATION_CREATE):
        raise PermissionDenied("You may not register locations.")
    try:
        location, created = register_location(
            Location.Type.URL, url, registered_by=request.user.get_username()
        )
        summary = refresh_location(location.pk)
    except ValueError as exc:
        return render(request, "catalog/register.html", {"url": url, "error": str(exc)})
    except Exception:  # the import runs again on schedule; the user gets a message, not a 500
        logger.exception("Registering %s failed", url)
        return render(
            request,
            "catalog/register.html",
            {"url": url, "error": "The import failed; it will be retried on the next scheduled refresh."},
        )
    entities = (
        visible_entities(request)
        .filter(location=location)
        .exclude(ref=location.entity_ref)
        .only("id", "ref", "kind", "namespace", "name", "title", "spec_type", "lifecycle", "owner_ref")
        .order_by("kind", "name")
    )
    context = {
        "location": location,
        "created": created,
        "summary": summary,
        "added": listed_added(summary, created=created),
        "entities": list(entities[:500]),
        "errors": [
            PreviewProblem(error.file, with_field(error.field, error.message), error.entity_ref)
            for error in CatalogError.objects.filter(location=location)[:100]
        ],
    }
    return render(request, "catalog/registered.html", context)


def listed_added(summary: RefreshSummary | None, *, created: bool) -> int:
    """Entities added, as listed: a new location's own Location entity is counted but not listed."""
    if summary is None:
        return 0
    return max(summary.added - 1, 0) if created else summary.added
