"""The "grant to a group" bulk action on entities: pick a group and permissions, then grant on each one."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse

from catalog.models import Entity
from permissions.grants import entity_permission_choices, grant_entities_to_group

GRANT_LIMIT = 1000  # entities per action; more would hold one transaction for too long


class GrantToGroupForm(forms.Form):
    group = forms.ModelChoiceField(queryset=Group.objects.order_by("name"))
    permissions = forms.MultipleChoiceField(
        choices=entity_permission_choices, widget=forms.CheckboxSelectMultiple
    )


@admin.action(description="Grant permissions on selected entities to a group", permissions=["grant"])
def grant_to_group(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Entity]
) -> TemplateResponse | None:
    """First a form (group, permissions); its submission grants and returns to the list."""
    count = queryset.count()
    if count > GRANT_LIMIT:
        modeladmin.message_user(
            request,
            f"Select at most {GRANT_LIMIT} entities to grant at once ({count} selected).",
            messages.ERROR,
        )
        return None
    form = GrantToGroupForm(request.POST if "apply" in request.POST else None)
    if form.is_valid():
        group, permissions = form.cleaned_data["group"], form.cleaned_data["permissions"]
        created = grant_entities_to_group(queryset.values_list("pk", flat=True), group, permissions)
        modeladmin.message_user(
            request,
            f"Granted {', '.join(permissions)} on {count} entities to {group.name} ({created} new grants).",
            messages.SUCCESS,
        )
        return None
    context: dict[str, Any] = {
        **modeladmin.admin_site.each_context(request),
        "title": "Grant permissions to a group",
        "opts": modeladmin.model._meta,
        "form": form,
        "entities": list(queryset.values_list("ref", flat=True)[:50]),
        "count": count,
        "selected": request.POST.getlist(ACTION_CHECKBOX_NAME),
        "select_across": request.POST.get("select_across", "0"),
        "action_checkbox_name": ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/catalog/entity/grant_to_group.html", context)
