"""Filters the catalog templates use to link and label entities and refs."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django import template
from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.timesince import timesince

from catalog.views.common import entity_url as _entity_url
from catalog.views.common import ref_parts
from catalog.views.common import ref_url as _ref_url

register = template.Library()


@register.filter
def entity_url(entity: Any, tab: str = "") -> str:
    """The page of an Entity (or anything with kind, namespace and name)."""
    return _entity_url(entity.kind, entity.namespace, entity.name, tab)


@register.filter
def ref_url(ref: str) -> str:
    """The page of the entity a canonical ref names."""
    return _ref_url(ref) if ref else ""


@register.filter
def ref_name(ref: str) -> str:
    """A ref as people read it: the name, with the namespace when it is not ``default``."""
    if not ref:
        return ""
    _kind, namespace, name = ref_parts(ref)
    return name if namespace == "default" else f"{namespace}/{name}"


@register.filter
def ref_kind(ref: str) -> str:
    return ref_parts(ref)[0] if ref else ""


@register.filter
def kind_class(kind: str) -> str:
    """A CSS class for the kind's colour, e.g. ``kind-component``."""
    return "kind-" + "".join(c for c in str(kind).lower() if c.isalnum())


@register.filter
def initials(name: str) -> str:
    """Up to two initials for an avatar ("Sam Taylor" -> "ST", "sam.taylor" -> "ST")."""
    parts = [p for p in str(name).replace(".", " ").replace("-", " ").replace("_", " ").split() if p]
    return "".join(p[0] for p in parts[:2]).upper() or "?"


@register.filter
def ago(value: datetime | None) -> str:
    """ "3 minutes ago", or "just now" within the first minute."""
    if value is None:
        return "never"
    if timezone.now() - value < timedelta(minutes=1):
        return "just now"
    return f"{timesince(value)} ago"


@register.simple_tag
def sso_sign_in_url() -> str:
    """Where single sign-on starts when OpenID Connect is configured (permissions/oidc.py), else ''."""
    if not getattr(settings, "OIDC_RP_CLIENT_ID", ""):
        return ""
    try:
        return reverse("oidc_authentication_init")
    except NoReverseMatch:
        return ""


@register.simple_tag
def facet_options(options: list[str], value: str, refs: bool = False) -> str:
    """The ``<option>`` list of a filter, built in one pass: facets offer up to 500 values each, which the
    template language would take tens of milliseconds to loop over."""
    label = ref_name if refs else str
    items = [(option, " selected" if option == value else "", label(option)) for option in options]
    if value and value not in options:
        items.append((value, " selected", label(value)))
    return format_html_join(
        "", '<option value="{}"{}>{}</option>', ((o, mark_safe(s), t) for o, s, t in items)
    )
