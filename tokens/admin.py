"""Admin for API tokens: issuing shows the token once, revoking is an action."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from tokens.models import ApiToken
from tokens.verified import forget_all


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["subject", "prefix", "created_at", "expires_at", "last_used_at", "revoked", "active"]
    list_filter = ["revoked"]
    search_fields = ["subject", "prefix"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]
    actions = ["revoke"]

    def get_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> list[str]:
        if obj is None:
            return ["subject", "expires_at"]
        return ["subject", "prefix", "created_at", "expires_at", "last_used_at", "revoked"]

    @admin.display(boolean=True, description="active")
    def active(self, obj: ApiToken) -> bool:
        return obj.is_active

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        plain = obj.set_new_secret()
        super().save_model(request, obj, form, change)
        self.message_user(
            request,
            f"The token for {obj.subject} is {plain} — copy it now, it will not be shown again.",
            messages.WARNING,
        )

    @admin.action(description="Revoke selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        count = queryset.filter(revoked=False).update(revoked=True)
        forget_all()  # update() sends no signal; verified tokens must not outlive their revocation
        self.message_user(request, f"Revoked {count} token(s).", messages.SUCCESS)
