"""Admin for policy rules, identities, the audit log, and the permission explainer."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path

from permissions import names
from permissions.explain import ExplainError, explain
from permissions.identity import resolve_identity, sync_catalog_groups
from permissions.models import AuditEvent, Identity, PolicyRule


class PolicyRuleForm(forms.ModelForm):
    permissions = forms.MultipleChoiceField(choices=names.choices, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = PolicyRule
        fields = [
            "name",
            "description",
            "enabled",
            "permissions",
            "subject",
            "subject_value",
            "condition",
            "condition_value",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        subject, condition = data.get("subject"), data.get("condition")
        if subject in ("group", "user", "service") and not data.get("subject_value"):
            self.add_error("subject_value", f"Name the {subject} this rule is for.")
        if condition in ("kind", "namespace", "annotation") and not data.get("condition_value"):
            self.add_error("condition_value", f"Give the {condition} the entity must have.")
        return data


@admin.register(PolicyRule)
class PolicyRuleAdmin(admin.ModelAdmin):
    form = PolicyRuleForm
    list_display = [
        "name",
        "enabled",
        "permission_list",
        "subject_display",
        "condition_display",
        "updated_at",
    ]
    list_filter = ["enabled", "subject", "condition"]
    search_fields = ["name", "description", "subject_value", "condition_value"]

    @admin.display(description="permissions")
    def permission_list(self, rule: PolicyRule) -> str:
        return ", ".join(rule.permissions or [])

    @admin.display(description="who")
    def subject_display(self, rule: PolicyRule) -> str:
        return f"{rule.get_subject_display()} {rule.subject_value}".strip()

    @admin.display(description="on")
    def condition_display(self, rule: PolicyRule) -> str:
        return f"{rule.get_condition_display()} {rule.condition_value}".strip()


@admin.register(Identity)
class IdentityAdmin(admin.ModelAdmin):
    list_display = ["user", "entity_ref", "ownership", "resolved_at"]
    search_fields = ["user__username", "user__email", "entity_ref"]
    readonly_fields = ["user", "entity_ref", "ownership_refs", "resolved_at"]
    list_select_related = ["user"]
    actions = ["resolve_again"]

    @admin.display(description="owns through")
    def ownership(self, identity: Identity) -> str:
        return ", ".join(identity.ownership_refs or []) or "—"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Resolve the selected identities again and mirror catalog groups")
    def resolve_again(self, request: HttpRequest, queryset: Any) -> None:
        for identity in queryset.select_related("user"):
            resolve_identity(identity.user)
        changes = sync_catalog_groups()
        self.message_user(
            request, f"Resolved {queryset.count()} identities; {changes} group memberships changed."
        )


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "path", "action", "target"]
    list_filter = ["path", "action"]
    search_fields = ["actor", "action", "target"]
    date_hierarchy = "created_at"
    readonly_fields = ["created_at", "actor", "path", "action", "target", "detail"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list:
        explain_url = path(
            "explain/", self.admin_site.admin_view(self.explain_view), name="permissions_explain"
        )
        return [explain_url, *super().get_urls()]

    def explain_view(self, request: HttpRequest) -> HttpResponse:
        form = ExplainForm(request.GET or None)
        result = None
        if form.is_valid():
            try:
                result = explain(**form.cleaned_data).as_dict()
            except ExplainError as exc:
                messages.error(request, str(exc))
        context = {
            **self.admin_site.each_context(request),
            "title": "Why can (or can't) they?",
            "form": form,
            "result": result,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/permissions/explain.html", context)


class ExplainForm(forms.Form):
    user = forms.CharField(required=False, help_text="A username …")
    token = forms.CharField(required=False, help_text="… or a token (its grn_<prefix> is enough)")
    permission = forms.ChoiceField(choices=names.choices)
    target = forms.CharField(
        required=False, help_text="An entity ref (component:default/x) or a location (id or type:target)"
    )
