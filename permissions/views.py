"""Personal API tokens: a signed-in user creates, lists and revokes its own, each shown once."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from permissions import audit, names
from tokens.models import ApiToken

MAX_DAYS = 365


class PersonalTokenForm(forms.Form):
    name = forms.CharField(max_length=150, help_text="What it is for, e.g. “my laptop scripts”.")
    expires_in_days = forms.IntegerField(min_value=1, max_value=MAX_DAYS, initial=30)
    permissions = forms.MultipleChoiceField(
        choices=names.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[names.ENTITY_READ, names.LOCATION_READ],
        help_text="The token may do only these, and never more than you may.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def personal_tokens(request: HttpRequest) -> HttpResponse:
    form = PersonalTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        token, plain = ApiToken.issue(
            f"user:{request.user.get_username()}",
            expires_at=timezone.now() + timedelta(days=data["expires_in_days"]),
            user=request.user,
            permissions=sorted(data["permissions"]),
            name=data["name"],
        )
        audit.record("tokens.personal.create", str(token), {"permissions": token.permissions})
        return render(request, "permissions/token_created.html", {"token": token, "plain": plain})
    tokens = ApiToken.objects.filter(user=request.user).order_by("-created_at")
    return render(request, "permissions/tokens.html", {"form": form, "tokens": tokens, "section": "tokens"})


@login_required
@require_POST
def revoke_token(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    if not token.revoked:
        token.revoked = True
        token.save(update_fields=["revoked"])
        audit.record("tokens.personal.revoke", str(token))
        messages.success(request, f"Revoked “{token.name or token.prefix}”.")
    return redirect("permissions:tokens")
