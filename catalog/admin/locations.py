"""Locations in the admin: register, refresh now, delete with their entities, and their last errors."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.defaultfilters import pluralize
from django.urls import URLPattern, path
from django.utils.html import format_html
from django.utils.http import urlencode

from catalog import services, tasks
from catalog.admin.common import (
    DELETE_LISTED,
    ERRORS_SHOWN,
    SYNC_REFRESH_LIMIT,
    PolicyAdmin,
    admin_url,
    format_html_lines,
    short_summary_text,
    summary_text,
    tail,
)
from catalog.models import CatalogError, Entity, Location
from catalog.services.locations import LocationError
from permissions import names

_KIND = re.compile(r"[a-zA-Z][a-zA-Z0-9]{0,62}")
# The admin location is made by the first entity written in the admin, not registered.
REGISTERABLE_TYPES = [(Location.Type.FILE, "file"), (Location.Type.URL, "url")]


class LocationRegisterForm(forms.ModelForm):
    """Registers through ``services.register_location``, whose refusals become form errors.

    Registration happens in ``clean()`` because the service is the validator (allowed hosts, file exists);
    the admin's add view runs in a transaction, so nothing stays registered if a later step fails. The form
    maps no model fields itself (``Meta.fields`` is empty); it adopts the registered row as its instance.
    """

    type = forms.ChoiceField(choices=REGISTERABLE_TYPES, initial=Location.Type.URL)
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
