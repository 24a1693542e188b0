"""The catalog in Django's admin: entities and relations to read, locations to register, refresh and remove."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import yaml
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.defaultfilters import pluralize
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.text import Truncator
from guardian.admin import GuardedModelAdminMixin

from catalog import services, tasks
from catalog.models import CatalogError, Entity, Location, Relation
from catalog.services.locations import LocationError
from permissions import names, policy

SYNC_REFRESH_LIMIT = 5  # "Refresh now" on more locations than this queues them for the workers instead
RELATIONS_SHOWN = 500  # per direction, on an entity's page
ERRORS_SHOWN = 200  # inline on a location's page; the rest are on the processing-error list
DELETE_LISTED = 50  # entities named on a delete confirmation page
SUMMARY_KEYS = ("added", "updated", "unchanged", "orphaned", "errors", "conflicts")
_KIND = re.compile(r"[a-zA-Z][a-zA-Z0-9]{0,62}")


def admin_url(model: type[Any], view: str, *args: Any) -> str:
    return reverse(f"admin:catalog_{model._meta.model_name}_{view}", args=args)


def short_summary_text(summary: dict[str, Any]) -> str:
    """The non-zero counts of a refresh summary, for lists."""
    if not summary:
        return "not refreshed yet"
    counts = ", ".join(f"{summary[key]} {key}" for key in SUMMARY_KEYS if summary.get(key))
    return f"{counts or 'no changes'} ({summary.get('files', 0)} files)"


def summary_text(summary: dict[str, Any]) -> str:
    """One line for a refresh summary, as ``catalog_register`` prints it."""
    if not summary:
        return "not refreshed yet"
    counts = ", ".join(f"{summary.get(key, 0)} {key}" for key in SUMMARY_KEYS)
    return f"{counts} ({summary.get('files', 0)} files)"


def humanize_ref(ref: str, default_kind: str = "") -> str:
    """A ref as Backstage's pages show it: without the default kind, nor the ``default`` namespace."""
    kind, _, rest = ref.partition(":")
    namespace, _, name = rest.partition("/")
    short = name if namespace == "default" else rest
    return short if kind == default_kind else f"{kind}:{short}"


def tail(text: str, size: int = 60) -> str:
    """The end of a long reference (paths differ at the end)."""
    return text if len(text) <= size else "…" + text[-(size - 1) :]


class ColumnValueFilter(admin.SimpleListFilter):
    """Choices are the distinct non-empty values of one indexed column: one query, no rows loaded."""

    column = ""

    def label(self, value: str) -> str:
        return value

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        values = (
            model_admin.model._default_manager.exclude(**{self.column: ""})
            .order_by(self.column)
            .values_list(self.column, flat=True)
            .distinct()
        )
        return [(value, self.label(value)) for value in values]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        return queryset.filter(**{self.column: value}) if value else queryset


def column_filter(column: str, title: str, parameter: str | None = None) -> type[ColumnValueFilter]:
    attrs = {"column": column, "title": title, "parameter_name": parameter or column}
    return type(f"{column.title().replace('_', '')}Filter", (ColumnValueFilter,), attrs)


class OwnerFilter(ColumnValueFilter):
    column = "owner_ref"
    title = "owner"
    parameter_name = "owner"

    def label(self, value: str) -> str:
        return humanize_ref(value, "group")


class CatalogAdmin(admin.ModelAdmin):
    """Rows that the catalog's processing writes: staff read them and act through services, never edit."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_refresh_permission(self, request: HttpRequest) -> bool:
        """Backstage's ``catalog.entity.refresh``; a location is refreshed as its own Location entity."""
        return policy.decide(request, names.ENTITY_REFRESH).allowed


class PolicyAdmin(GuardedModelAdminMixin, CatalogAdmin):
    """Entities and locations: model-level access is Django's; every row read or deleted passes the policy.

    Guardian's "Object permissions" page grants one entity or location to a user or group.
    """

    read_permission = ""
    delete_permission = ""

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        if self.model is Entity:
            return policy.visible_entities(request, self.read_permission, queryset)
        return policy.visible_locations(request, self.read_permission, queryset)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return super().has_delete_permission(request)
        return policy.decide(request, self.delete_permission, obj).allowed

    # Guardian asks has_change_permission before its grant pages; rows stay read-only everywhere else.

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return getattr(request, "_managing_grants", False) and self.has_grant_permission(request)

    def has_grant_permission(self, request: HttpRequest) -> bool:
        """Who may grant object permissions: superusers and staff allowed to change guardian's grants."""
        user = request.user
        return user.is_superuser or user.has_perm("permissions.change_entityuserobjectpermission")

    def obj_perms_manage_view(self, request: HttpRequest, object_pk: str) -> HttpResponse:
        request._managing_grants = True  # type: ignore[attr-defined]
        return super().obj_perms_manage_view(request, object_pk)

    def obj_perms_manage_user_view(self, request: HttpRequest, object_pk: str, user_id: int) -> HttpResponse:
        request._managing_grants = True  # type: ignore[attr-defined]
        return super().obj_perms_manage_user_view(request, object_pk, user_id)

    def obj_perms_manage_group_view(
        self, request: HttpRequest, object_pk: str, group_id: int
    ) -> HttpResponse:
        request._managing_grants = True  # type: ignore[attr-defined]
        return super().obj_perms_manage_group_view(request, object_pk, group_id)


# --- Entities


class EntityChangeList(ChangeList):
    """The list needs the indexed columns only; the JSON documents stay in the database."""

    def get_queryset(self, request: HttpRequest, exclude_parameters: Any = None) -> QuerySet:
        return (
            super()
            .get_queryset(request, exclude_parameters)
            .defer("descriptor", "processed", "final", "errors")
        )


@admin.register(Entity)
class EntityAdmin(PolicyAdmin):
    read_permission = names.ENTITY_READ
    delete_permission = names.ENTITY_DELETE

    list_display = [
        "entity_name",
        "kind",
        "namespace",
        "spec_type",
        "lifecycle",
        "owner",
        "orphan",
        "has_errors",
        "location_link",
        "updated_at",
    ]
    list_filter = [
        column_filter("kind", "kind"),
        column_filter("namespace", "namespace"),
        column_filter("spec_type", "type", "type"),
        column_filter("lifecycle", "lifecycle"),
        OwnerFilter,
        "orphan",
        "has_errors",
    ]
    search_fields = ["name", "title", "ref"]
    list_select_related = ["location"]
    actions = ["refresh", "delete_orphans"]
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

    @admin.display(description="name", ordering="ref")
    def entity_name(self, entity: Entity) -> str:
        return format_html('<span title="{}">{}</span>', entity.title or entity.ref, entity.name)

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


@admin.register(Relation)
class RelationAdmin(CatalogAdmin):
    list_display = ["source_ref", "type", "target_ref", "originating_link"]
    list_filter = [column_filter("type", "type")]
    search_fields = ["source_ref", "target_ref"]
    list_select_related = ["originating"]
    show_full_result_count = False  # the table is large; one count per page is enough
    fields = ["source_ref", "type", "target_ref", "originating_link"]
    readonly_fields = ["originating_link"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="emitted by", ordering="originating__ref")
    def originating_link(self, relation: Relation) -> str:
        url = admin_url(Entity, "change", relation.originating_id)
        return format_html('<a href="{}">{}</a>', url, relation.originating.ref)


# --- Locations


class LocationRegisterForm(forms.ModelForm):
    """Registers through ``services.register_location``, whose refusals become form errors.

    Registration happens in ``clean()`` because the service is the validator (allowed hosts, file exists);
    the admin's add view runs in a transaction, so nothing stays registered if a later step fails. The form
    maps no model fields itself (``Meta.fields`` is empty); it adopts the registered row as its instance.
    """

    type = forms.ChoiceField(choices=Location.Type.choices, initial=Location.Type.URL)
    target = forms.CharField(
        max_length=2048,
        widget=forms.TextInput(attrs={"class": "vTextField"}),
        help_text="An http(s) URL, or a path or glob on the server.",
    )
    presence = forms.ChoiceField(
        choices=Location.Presence.choices,
        initial=Location.Presence.REQUIRED,
        help_text="Optional: a missing target is not an error.",
    )
    allowed_kinds = forms.CharField(
        required=False,
        help_text="Comma-separated kinds this location may emit, e.g. Component, API. Empty: the site default.",
    )

    class Meta:
        model = Location
        fields: list[str] = []
        # The fields declared above are checked by the service; excluding them keeps the model from
        # validating the blank instance on them when the service refuses.
        exclude = ["type", "target", "presence", "allowed_kinds"]  # noqa: DJ006 (fields is empty)

    def __init__(self, *args: Any, registered_by: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.registered_by = registered_by

    def clean_allowed_kinds(self) -> list[str]:
        kinds = [kind.strip() for kind in self.cleaned_data["allowed_kinds"].split(",") if kind.strip()]
        bad = [kind for kind in kinds if not _KIND.fullmatch(kind)]
        if bad:
            raise ValidationError(
                f"Not a kind: {', '.join(bad)} (letters and digits, starting with a letter)"
            )
        return kinds

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        try:
            location, created = services.register_location(
                data["type"],
                data["target"],
                presence=data["presence"],
                allowed_kinds=data["allowed_kinds"] or None,
                registered_by=self.registered_by,
            )
        except LocationError as exc:
            self.add_error("target", str(exc))
            return data
        if not created:
            self.add_error("target", f"{location.ref} is already registered.")
            return data
        self.instance = location
        return data


class CappedErrorFormSet(BaseInlineFormSet):
    """Only the first errors: a location with thousands of them should still open."""

    def get_queryset(self) -> QuerySet[CatalogError]:
        return super().get_queryset()[:ERRORS_SHOWN]


class CatalogErrorInline(admin.TabularInline):
    model = CatalogError
    formset = CappedErrorFormSet
    fields = ["kind", "file", "document", "entity_ref", "field", "message"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    verbose_name = "processing error"
    verbose_name_plural = f"processing errors of the last refresh (first {ERRORS_SHOWN})"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def count_of(queryset: QuerySet) -> Coalesce:
    """A correlated ``COUNT`` of ``queryset``'s rows for the outer location (no joins, no GROUP BY)."""
    counted = queryset.filter(location=OuterRef("pk")).order_by().values("location").annotate(n=Count("pk"))
    return Coalesce(Subquery(counted.values("n"), output_field=IntegerField()), Value(0))


@admin.register(Location)
class LocationAdmin(PolicyAdmin):
    read_permission = names.LOCATION_READ
    delete_permission = names.LOCATION_DELETE

    list_display = [
        "location_name",
        "status",
        "summary",
        "error_count",
        "entity_count",
        "refreshed_at",
        "next_refresh_at",
    ]
    list_filter = ["status", "type"]
    search_fields = ["target"]
    actions = ["refresh_now"]
    inlines = [CatalogErrorInline]
    change_form_template = "admin/catalog/location/change_form.html"
    fieldsets = [
        (None, {"fields": ["ref", "id", ("type", "presence"), "kinds", "registered_by", "entity_ref"]}),
        ("Last refresh", {"fields": ["status", "summary_detail", "entities_link", "errors_link"]}),
        ("Times", {"fields": [("created_at", "refresh_started_at"), ("refreshed_at", "next_refresh_at")]}),
    ]
    readonly_fields = ["ref", "kinds", "entity_ref", "summary_detail", "entities_link", "errors_link"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("catalog.add_location")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Location]:
        return (
            super()
            .get_queryset(request)
            .annotate(error_count=count_of(CatalogError.objects), entity_count=count_of(Entity.objects))
        )

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            registered_by = request.user.get_username()

            class Form(LocationRegisterForm):
                def __init__(self, *args: Any, **kw: Any) -> None:
                    super().__init__(*args, registered_by=registered_by, **kw)

            return Form
        return super().get_form(request, obj, change, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return [(None, {"fields": ["type", "target", "presence", "allowed_kinds"]})]
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.readonly_fields if obj is not None else []

    def get_inlines(self, request: HttpRequest, obj: Any) -> Any:
        return self.inlines if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Location, form: Any, change: bool) -> None:
        """The form registered the location already; process it once the registration is committed."""
        tasks.refresh_location.delay_on_commit(str(obj.pk))

    def response_add(self, request: HttpRequest, obj: Location, post_url_continue: str | None = None) -> Any:
        self.message_user(request, f"{obj.ref} is queued for its first refresh.", messages.INFO)
        return super().response_add(request, obj, post_url_continue)

    @admin.display(description="location", ordering="target")
    def ref(self, location: Location) -> str:
        return location.ref

    @admin.display(description="location", ordering="target")
    def location_name(self, location: Location) -> str:
        return format_html(
            '<span title="{}">{}:{}</span>', location.ref, location.type, tail(location.target, 60)
        )

    @admin.display(description="errors", ordering="error_count")
    def error_count(self, location: Location) -> int:
        return location.error_count  # type: ignore[attr-defined]

    @admin.display(description="entities", ordering="entity_count")
    def entity_count(self, location: Location) -> int:
        return location.entity_count  # type: ignore[attr-defined]

    @admin.display(description="last summary")
    def summary(self, location: Location) -> str:
        return short_summary_text(location.last_summary)

    @admin.display(description="allowed kinds")
    def kinds(self, location: Location) -> str:
        return ", ".join(location.allowed_kinds) if location.allowed_kinds else "site default"

    @admin.display(description="summary")
    def summary_detail(self, location: Location) -> str:
        messages_ = location.last_summary.get("error_messages", []) if location.last_summary else []
        items = format_html_lines(messages_)
        return format_html("{}{}", summary_text(location.last_summary), items)

    @admin.display(description="entities")
    def entities_link(self, location: Location) -> str:
        url = admin_url(Entity, "changelist") + "?" + urlencode({"location__id__exact": location.pk})
        count = location.entity_count  # type: ignore[attr-defined]
        return format_html('<a href="{}">{} entit{}</a>', url, count, pluralize(count, "y,ies"))

    @admin.display(description="processing errors")
    def errors_link(self, location: Location) -> str:
        url = admin_url(CatalogError, "changelist") + "?" + urlencode({"location__id__exact": location.pk})
        count = location.error_count  # type: ignore[attr-defined]
        return format_html('<a href="{}">{} error{}</a>', url, count, pluralize(count))

    # --- refreshing

    def get_urls(self) -> list[URLPattern]:
        refresh = path(
            "<path:object_id>/refresh/",
            self.admin_site.admin_view(self.refresh_view),
            name=f"{self.opts.app_label}_{self.opts.model_name}_refresh",
        )
        return [refresh, *super().get_urls()]

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Location | None = None,
    ) -> HttpResponse:
        if obj is not None and self.has_refresh_permission(request):
            context["refresh_url"] = admin_url(Location, "refresh", obj.pk)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def refresh_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The "Refresh now" button: process the location in this request and show what happened."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_refresh_permission(request):
            raise PermissionDenied
        location = self.get_object(request, unquote(object_id))
        if location is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        self._refresh_and_report(request, location.pk, location.ref)
        return HttpResponseRedirect(admin_url(Location, "change", location.pk))

    @admin.action(description="Refresh now", permissions=["refresh"])
    def refresh_now(self, request: HttpRequest, queryset: QuerySet[Location]) -> None:
        selected = list(queryset.values_list("pk", "type", "target"))
        if len(selected) > SYNC_REFRESH_LIMIT:
            for pk, _type, _target in selected:
                tasks.refresh_location.delay_on_commit(str(pk))
            self.message_user(request, f"Queued {len(selected)} locations for the workers to refresh.")
            return
        for pk, type_, target in selected:
            self._refresh_and_report(request, pk, f"{type_}:{target}")

    def _refresh_and_report(self, request: HttpRequest, pk: Any, ref: str) -> None:
        summary = services.refresh_location(pk)
        if summary is None:
            self.message_user(request, f"{ref} no longer exists.", messages.WARNING)
            return
        result = summary.as_dict()
        level = messages.WARNING if summary.errors or summary.conflicts else messages.SUCCESS
        self.message_user(request, f"Refreshed {ref}: {summary_text(result)}", level)
        for message in result["error_messages"][:5]:
            self.message_user(request, message, messages.ERROR)

    # Deletion goes through the service, which removes the location's entities at once.

    def delete_model(self, request: HttpRequest, obj: Location) -> None:
        services.delete_location(obj.pk)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Location]) -> None:
        for pk in list(queryset.values_list("pk", flat=True)):
            services.delete_location(pk)

    def get_deleted_objects(
        self, objs: Sequence[Location] | QuerySet[Location], request: HttpRequest
    ) -> tuple[list[Any], dict[str, int], set[str], list[Any]]:
        """The locations and the entities ``delete_location`` removes with them."""
        locations = list(objs)
        pks = [location.pk for location in locations]
        entity_refs: dict[Any, list[str]] = defaultdict(list)
        for location_id, ref in Entity.objects.filter(location__in=pks).values_list("location_id", "ref"):
            entity_refs[location_id].append(ref)
        listed: list[Any] = []
        for location in locations:
            refs = entity_refs[location.pk]
            children = [f"Entity: {ref}" for ref in refs[:DELETE_LISTED]]
            if len(refs) > DELETE_LISTED:
                children.append(f"… and {len(refs) - DELETE_LISTED} more entities")
            listed += [f"Location: {location}", children]
        counts = {
            "locations": len(locations),
            "entities": sum(len(refs) for refs in entity_refs.values()),
            "processing errors": CatalogError.objects.filter(location__in=pks).count(),
        }
        return listed, counts, set(), []


def format_html_lines(lines: Iterable[str]) -> str:
    items = format_html_join("", "<li>{}</li>", ((line,) for line in lines))
    return format_html('<ul class="catalog-lines">{}</ul>', items) if items else ""


@admin.register(CatalogError)
class CatalogErrorAdmin(CatalogAdmin):
    list_display = ["short_message", "kind", "entity_ref", "field", "document", "file_tail", "location_link"]
    list_filter = ["kind", "location"]
    search_fields = ["message", "entity_ref", "file"]
    list_select_related = ["location"]
    fields = ["location_link", "kind", "file", "document", "entity_ref", "field", "message", "created_at"]
    readonly_fields = ["location_link"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="message", ordering="message")
    def short_message(self, error: CatalogError) -> str:
        return Truncator(error.message).chars(120)

    @admin.display(description="file", ordering="file")
    def file_tail(self, error: CatalogError) -> str:
        return format_html('<span title="{}">{}</span>', error.file, tail(error.file, 30))

    @admin.display(description="location", ordering="location__target")
    def location_link(self, error: CatalogError) -> str:
        url = admin_url(Location, "change", error.location_id)
        return format_html(
            '<a href="{}" title="{}">{}</a>', url, error.location.ref, tail(error.location.ref, 30)
        )
