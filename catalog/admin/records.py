"""Rows the catalog derives: relations and processing errors, read-only lists with filters."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.text import Truncator

from catalog.admin.common import (
    CatalogAdmin,
    admin_url,
    column_filter,
    tail,
)
from catalog.models import CatalogError, Entity, Location, Relation


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
