"""Entities in the admin: a list with filters, a page per entity (editable when the admin manages it), actions."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import yaml
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.timezone import localtime

from catalog import services, tasks
from catalog.admin.common import (
    DELETE_LISTED,
    RELATIONS_SHOWN,
    OwnerFilter,
    PolicyAdmin,
    admin_url,
    column_filter,
    humanize_ref,
    tail,
)
from catalog.admin.descriptor import AdminEntityForm
from catalog.admin.grants import grant_to_group
from catalog.admin.history import HISTORY_SHOWN, entity_events, location_events
from catalog.models import CatalogError, Entity, Location, Relation
from permissions import names, policy

EDITABLE_DETAILS = ["ref", "id", "location_link", "etag", "generation", "created_at", "updated_at"]


class EntityChangeList(ChangeList):
    """The list needs the indexed columns only; the JSON documents stay in the database."""

    def get_queryset(self, request: HttpRequest, exclude_parameters: Any = None) -> QuerySet:
        return (
            super()
            .get_queryset(request, exclude_parameters)
            .defer("descriptor", "processed", "final", "errors")
        )


class SourceFilter(admin.SimpleListFilter):
    """Where entities come from: files, URLs or the admin (its location's type); no query for the choices."""

    title = "source"
    parameter_name = "source"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return list(Location.Type.choices)

    def queryset(self, request: HttpRequest, queryset: QuerySet[Entity]) -> QuerySet[Entity]:
        value = self.value()
        return queryset.filter(location__type=value) if value else queryset


@admin.register(Entity)
class EntityAdmin(PolicyAdmin):
    read_permission = names.ENTITY_READ
    delete_permission = names.ENTITY_DELETE

    # Few, narrow columns so that the list fits beside the filters on a laptop; the namespace shows in the
    # name when it is not "default", orphan and errors share one column.
    list_display = [
        "entity_name",
        "kind",
        "spec_type",
        "lifecycle",
        "owner",
        "state",
        "location_link",
        "updated",
    ]
    list_filter = [
        column_filter("kind", "kind"),
        column_filter("namespace", "namespace"),
        column_filter("spec_type", "type", "type"),
        column_filter("lifecycle", "lifecycle"),
        OwnerFilter,
        "orphan",
        "has_errors",
        SourceFilter,
    ]
    search_fields = ["name", "title", "ref"]
    list_select_related = ["location"]
    actions = ["refresh", "delete_orphans", grant_to_group]
    change_form_template = "admin/catalog/entity/change_form.html"
    fieldsets = [
        (None, {"fields": ["ref", "id", ("kind", "namespace", "name"), "title"]}),
        (None, {"fields": [("spec_type", "lifecycle"), "owner_link"]}),
        ("Source", {"fields": ["location_link", "location_key", "parent_link", ("orphan", "has_errors")]}),
        ("Versions", {"fields": ["etag", "generation", ("created_at", "updated_at")]}),
    ]
    readonly_fields = ["owner_link", "location_link", "parent_link"]

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return EntityChangeList

    def get_queryset(self, request: HttpRequest) -> QuerySet[Entity]:
        return super().get_queryset(request).select_related("location")

    # --- writing: only entities the admin manages, through the same service as their processing

    def has_add_permission(self, request: HttpRequest) -> bool:
        """Backstage's ``catalog.entity.create``: entities created here belong to the admin location."""
        return policy.decide(request, names.ENTITY_CREATE).allowed

    def has_change_permission(self, request: HttpRequest, obj: Entity | None = None) -> bool:
        """Grant pages for any entity; descriptors only of admin-managed ones, under ``catalog.entity.create``."""
        if getattr(request, "_managing_grants", False):
            return self.has_grant_permission(request)
        if obj is not None and not services.is_admin_managed(obj):
            return False
        return policy.decide(request, names.ENTITY_CREATE, obj).allowed

    def is_editable(self, request: HttpRequest, obj: Entity | None) -> bool:
        return obj is None or self.has_change_permission(request, obj)

    def get_form(
        self, request: HttpRequest, obj: Entity | None = None, change: bool = False, **kwargs: Any
    ) -> type[ModelForm]:
        if self.is_editable(request, obj) and not getattr(request, "_managing_grants", False):
            kwargs["form"] = AdminEntityForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: Entity | None = None) -> Any:
        if obj is None:
            return [(None, {"fields": ["descriptor_text"]})]
        if self.is_editable(request, obj):
            details = ["ref", "id", "location_link", ("etag", "generation"), ("created_at", "updated_at")]
            return [(None, {"fields": ["descriptor_text"]}), ("Entity", {"fields": details})]
        return self.fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj: Entity | None = None) -> Any:
        if obj is None:
            return []
        return EDITABLE_DETAILS if self.is_editable(request, obj) else self.readonly_fields

    def save_model(self, request: HttpRequest, obj: Entity, form: Any, change: bool) -> None:
        """The form saved the entity through the service already (saving ``obj`` again would undo stitching)."""

    # --- history

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
        """The audit log's events about this entity, instead of Django's own admin log."""
        entity = self.get_object(request, unquote(object_id))
        if entity is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, entity):
            raise PermissionDenied
        location_ref = entity.location.ref if entity.location else ""
        context = {
            **self.admin_site.each_context(request),
            "title": f"History: {entity.ref}",
            "subtitle": None,
            "object": entity,
            "opts": self.opts,
            "module_name": str(self.opts.verbose_name_plural).capitalize(),
            "events": list(entity_events(entity)),
            "limit": HISTORY_SHOWN,
            "refreshes": list(location_events(entity)),
            "location_ref": location_ref,
            "audit_url": reverse("admin:permissions_auditevent_changelist")
            + "?"
            + urlencode({"q": location_ref}),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/catalog/entity/history.html", context)

    @admin.display(description="name", ordering="ref")
    def entity_name(self, entity: Entity) -> str:
        shown = entity.name if entity.namespace == "default" else f"{entity.namespace}/{entity.name}"
        return format_html('<span title="{}">{}</span>', entity.title or entity.ref, shown)

    @admin.display(description="updated", ordering="updated_at")
    def updated(self, entity: Entity) -> str:
        """A short local time: the full one is on the entity's page."""
        return date_format(localtime(entity.updated_at), "Y-m-d H:i")

    @admin.display(description="state", ordering="has_errors")
    def state(self, entity: Entity) -> str:
        """Orphan and errors at a glance; both are also filters."""
        marks = [text for text, on in (("orphan", entity.orphan), ("errors", entity.has_errors)) if on]
        return ", ".join(marks) or "ok"

    @admin.display(description="owner", ordering="owner_ref")
    def owner(self, entity: Entity) -> str:
        return humanize_ref(entity.owner_ref, "group") if entity.owner_ref else "-"

    @admin.display(description="location", ordering="location__target")
    def location_link(self, entity: Entity) -> str:
        if entity.location is None:
            return "-"
        url = admin_url(Location, "change", entity.location_id)
        return format_html(
            '<a href="{}" title="{}">{}</a>', url, entity.location.ref, tail(entity.location.ref, 30)
        )

    @admin.display(description="owner")
    def owner_link(self, entity: Entity) -> str:
        return self._entity_link(entity.owner_ref)

    @admin.display(description="parent")
    def parent_link(self, entity: Entity) -> str:
        return self._entity_link(entity.parent_ref)

    def _entity_link(self, ref: str) -> str:
        if not ref:
            return "-"
        pk = Entity.objects.filter(ref=ref).values_list("pk", flat=True).first()
        return format_html('<a href="{}">{}</a>', admin_url(Entity, "change", pk), ref) if pk else ref

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Entity | None = None,
    ) -> HttpResponse:
        if obj is not None:
            context.update(entity_page_context(obj))
        context["editable_descriptor"] = self.is_editable(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.action(description="Refresh their locations", permissions=["refresh"])
    def refresh(self, request: HttpRequest, queryset: QuerySet[Entity]) -> None:
        location_ids = set(queryset.exclude(location=None).order_by().values_list("location_id", flat=True))
        for location_id in sorted(location_ids, key=str):
            tasks.refresh_location.delay_on_commit(str(location_id))
        self.message_user(
            request,
            f"Queued a refresh of {len(location_ids)} location(s) for {queryset.count()} selected entities.",
            messages.SUCCESS,
        )

    @admin.action(description="Delete selected orphans", permissions=["delete"])
    def delete_orphans(self, request: HttpRequest, queryset: QuerySet[Entity]) -> None:
        orphans = list(queryset.filter(orphan=True))
        skipped = queryset.count() - len(orphans)
        if orphans:
            self.log_deletions(request, orphans)
        deleted = sum(services.delete_entity(entity.pk) for entity in orphans)
        self.message_user(
            request,
            f"Deleted {deleted} orphan(s); skipped {skipped} selected entities that are not orphans.",
            messages.SUCCESS if deleted or not skipped else messages.WARNING,
        )

    # Deletion goes through the service, which also restitches the relation peers.

    def delete_model(self, request: HttpRequest, obj: Entity) -> None:
        services.delete_entity(obj.pk)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Entity]) -> None:
        for uid in list(queryset.values_list("pk", flat=True)):
            services.delete_entity(uid)

    def get_deleted_objects(
        self, objs: Sequence[Entity] | QuerySet[Entity], request: HttpRequest
    ) -> tuple[list[Any], dict[str, int], set[str], list[Any]]:
        """What the service removes: the entities and the relations they emitted (search rows go unsaid)."""
        entities = list(objs)
        listed: list[Any] = [f"Entity: {entity}" for entity in entities[:DELETE_LISTED]]
        if len(entities) > DELETE_LISTED:
            listed.append(f"… and {len(entities) - DELETE_LISTED} more")
        relations = Relation.objects.filter(originating__in=[entity.pk for entity in entities]).count()
        return listed, {"entities": len(entities), "relations": relations}, set(), []


def entity_page_context(entity: Entity) -> dict[str, Any]:
    """The descriptor, served entity, errors and relations shown below an entity's fields."""
    served = entity.final if entity.final is not None else entity.processed
    return {
        "descriptor_yaml": yaml.safe_dump(entity.descriptor, sort_keys=False, allow_unicode=True),
        "served_json": json.dumps(served, indent=2, ensure_ascii=False),
        "stitched": entity.final is not None,
        "status_items": entity.errors or [],
        "processing_errors_url": admin_url(CatalogError, "changelist")
        + "?"
        + urlencode({"entity_ref": entity.ref}),
        **relation_rows(entity.ref),
    }


def relation_rows(ref: str) -> dict[str, Any]:
    """Outgoing and incoming relation rows, one per (direction, type, peer), with links to peers that exist.

    Three queries whatever the number of rows: outgoing, incoming, then the peers' ids.
    """
    columns = ("type", "originating_id", "originating__ref")
    outgoing = Relation.objects.filter(source_ref=ref).order_by("type", "target_ref")
    incoming = Relation.objects.filter(target_ref=ref).order_by("type", "source_ref")
    grouped: dict[tuple[str, str, str], list[tuple[Any, str]]] = defaultdict(list)
    truncated = False
    for direction, rows in (
        ("outgoing", outgoing.values_list("target_ref", *columns)),
        ("incoming", incoming.values_list("source_ref", *columns)),
    ):
        fetched = list(rows[: RELATIONS_SHOWN + 1])
        truncated |= len(fetched) > RELATIONS_SHOWN
        for peer, type_, emitter_id, emitter_ref in fetched[:RELATIONS_SHOWN]:
            grouped[(direction, type_, peer)].append((emitter_id, emitter_ref))
    peer_ids = dict(Entity.objects.filter(ref__in={peer for _, _, peer in grouped}).values_list("ref", "pk"))
    relations = [
        {
            "direction": direction,
            "type": type_,
            "peer": peer,
            "peer_url": admin_url(Entity, "change", peer_ids[peer]) if peer in peer_ids else "",
            "emitters": [
                {"ref": emitter_ref, "url": admin_url(Entity, "change", emitter_id)}
                for emitter_id, emitter_ref in sorted(set(emitters), key=lambda item: item[1])
            ],
        }
        for (direction, type_, peer), emitters in grouped.items()
    ]
    return {"relations": relations, "relations_truncated": truncated, "relations_limit": RELATIONS_SHOWN}
