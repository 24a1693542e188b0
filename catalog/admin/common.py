"""What the catalog's admin pages share: links, summaries, list filters and the policy-checked base admins."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from guardian.admin import GuardedModelAdminMixin

from catalog.models import Entity
from permissions import names, policy

SYNC_REFRESH_LIMIT = 5  # "Refresh now" on more locations than this queues them for the workers instead
RELATIONS_SHOWN = 500  # per direction, on an entity's page
ERRORS_SHOWN = 200  # inline on a location's page; the rest are on the processing-error list
DELETE_LISTED = 50  # entities named on a delete confirmation page
SUMMARY_KEYS = ("added", "updated", "unchanged", "orphaned", "errors", "conflicts")


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


def format_html_lines(lines: Iterable[str]) -> str:
    items = format_html_join("", "<li>{}</li>", ((line,) for line in lines))
    return format_html('<ul class="catalog-lines">{}</ul>', items) if items else ""
