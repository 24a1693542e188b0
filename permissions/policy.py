"""The one decision: what a principal may do, as a queryset filter for lists and a verdict for one object.

Both faces are built from the same grants, in this order: superuser; a token's limit (which can only take
away); a global Django permission; a django-guardian grant on the object to the user or one of its groups;
a policy rule whose subject matches and whose condition the object meets.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property, reduce
from operator import or_
from typing import Any

from django.contrib.auth.models import Permission
from django.db.models import Exists, OuterRef, Q, QuerySet

from catalog.models import Entity, Location, SearchRow
from permissions import names
from permissions.cache import cached
from permissions.models import (
    EntityGroupObjectPermission,
    EntityUserObjectPermission,
    LocationGroupObjectPermission,
    LocationUserObjectPermission,
    PolicyRule,
)
from permissions.principal import Principal, principal_for

NOTHING = Q(pk__in=[])
EVERYTHING = Q()


@dataclass(frozen=True)
class Decision:
    """A verdict and what made it, so that "why can't I?" has an answer."""

    allowed: bool
    reason: str
    source: str  # superuser | token | global | object-user | object-group | rule | none

    def __bool__(self) -> bool:
        return self.allowed


@dataclass(eq=False)
class EntityRow:
    """One entity as the decision reads it: its row's columns and its served JSON text, not a model.

    The API's single-entity reads decide from the row they fetched. A model instance cost them more than
    the decision itself (Django initialises every field and sends two signals), and the JSON is decoded
    only when a rule on annotations asks for it.
    """

    pk: Any
    ref: str
    kind: str
    namespace: str
    owner_ref: str
    text: str = field(repr=False)

    @cached_property
    def served(self) -> dict[str, Any]:
        return json.loads(self.text)

    def __str__(self) -> str:
        return self.ref


def matching_rules(principal: Principal, permission: str) -> list[PolicyRule]:
    """The enabled rules that allow ``permission`` to this principal, whatever their condition."""
    if not principal.is_authenticated:
        return []
    return [
        rule
        for rule in enabled_rules()
        if permission in (rule.permissions or []) and _applies(rule, principal)
    ]


def enabled_rules() -> list[PolicyRule]:
    return cached("rules", lambda: list(PolicyRule.objects.filter(enabled=True)))


def _applies(rule: PolicyRule, principal: Principal) -> bool:
    subject, value = rule.subject, rule.subject_value
    if subject == PolicyRule.Subject.EVERYONE:
        return True
    if principal.kind == "user":
        return (
            subject == PolicyRule.Subject.USERS
            or (subject == PolicyRule.Subject.USER and value == principal.name)
            or (subject == PolicyRule.Subject.GROUP and value in principal.group_names)
        )
    return subject == PolicyRule.Subject.SERVICE and value == principal.name


_permission_ids: dict[str, int] = {}


def permission_id(permission: str) -> int | None:
    """The id of the Django permission row behind ``permission``; None when there is no such row yet.

    Grants are matched on it rather than by joining ``auth_permission`` on the codename: the join cost
    PostgreSQL about 0.1 ms of planning in every narrowed list. The ids are kept for the life of the
    process, like Django's content types: rows are only ever added (a missing codename reloads them), and
    ``post_migrate``, which a flush also sends, forgets them (``forget_permission_ids``).
    """
    global _permission_ids
    codename = names.get(permission).codename
    found = _permission_ids.get(codename)
    if found is None:
        _permission_ids = dict(
            Permission.objects.filter(content_type__app_label="catalog").values_list("codename", "id")
        )
        found = _permission_ids.get(codename)
    return found


def forget_permission_ids(**kwargs: Any) -> None:
    global _permission_ids
    _permission_ids = {}


def _annotation_filter(rule: PolicyRule) -> Q:
    key, has_value, value = rule.condition_value.partition("=")
    rows = SearchRow.objects.filter(entity=OuterRef("pk"), key=f"metadata.annotations.{key.strip()}".lower())
    if has_value:
        rows = rows.filter(value=value.strip().lower())
    return Q(Exists(rows))


def _condition_filter(rule: PolicyRule, principal: Principal) -> Q:
    condition, value = rule.condition, rule.condition_value.strip()
    if condition == PolicyRule.Condition.ANY:
        return EVERYTHING
    if condition == PolicyRule.Condition.IS_OWNER:
        return Q(owner_ref__in=sorted(principal.ownership_refs)) if principal.ownership_refs else NOTHING
    if condition == PolicyRule.Condition.KIND:
        return Q(kind__iexact=value)
    if condition == PolicyRule.Condition.NAMESPACE:
        return Q(namespace=value.lower())
    if condition == PolicyRule.Condition.ANNOTATION:
        return _annotation_filter(rule)
    return NOTHING


def _gate(principal: Principal, permission: str) -> Decision | None:
    """The decisions that do not depend on the object: None means "look further"."""
    if not principal.is_authenticated:
        return Decision(False, "not signed in", "none")
    if principal.token_permissions is not None and permission not in principal.token_permissions:
        limit = ", ".join(sorted(principal.token_permissions)) or "nothing"
        return Decision(False, f"the token used is limited to: {limit}", "token")
    if principal.is_superuser:
        return Decision(True, f"{principal.actor} is a superuser", "superuser")
    spec = names.get(permission)
    if spec.django_perm in principal.django_perms:
        return Decision(
            True, f"global permission {spec.django_perm} held by {principal.actor} or its groups", "global"
        )
    return None


def entity_filter(caller: Any, permission: str = names.ENTITY_READ) -> Q:
    """A ``Q`` on Entity matching exactly the entities the caller may ``permission``."""
    principal = principal_for(caller)
    gate = _gate(principal, permission)
    if gate is not None:
        return EVERYTHING if gate.allowed else NOTHING
    return _object_filter(
        principal, permission, EntityUserObjectPermission, EntityGroupObjectPermission, entity=True
    )


def location_filter(caller: Any, permission: str = names.LOCATION_READ) -> Q:
    principal = principal_for(caller)
    gate = _gate(principal, permission)
    if gate is not None:
        return EVERYTHING if gate.allowed else NOTHING
    return _object_filter(
        principal, permission, LocationUserObjectPermission, LocationGroupObjectPermission, entity=False
    )


def _object_filter(
    principal: Principal, permission: str, user_model: Any, group_model: Any, *, entity: bool
) -> Q:
    parts: list[Q] = []
    for rule in matching_rules(principal, permission):
        if not entity and rule.condition != PolicyRule.Condition.ANY:
            continue  # conditions describe entities; on locations only unconditional rules apply
        condition = _condition_filter(rule, principal)
        if condition == EVERYTHING:
            return EVERYTHING
        parts.append(condition)
    granted = permission_id(permission)
    if granted is not None and principal.user_id is not None:
        parts.append(
            Q(
                pk__in=user_model.objects.filter(user_id=principal.user_id, permission_id=granted).values(
                    "content_object_id"
                )
            )
        )
    if granted is not None and principal.group_ids:
        parts.append(
            Q(
                pk__in=group_model.objects.filter(
                    group_id__in=sorted(principal.group_ids), permission_id=granted
                ).values("content_object_id")
            )
        )
    return reduce(or_, parts) if parts else NOTHING


def visible_entities(
    caller: Any, permission: str = names.ENTITY_READ, queryset: QuerySet | None = None
) -> QuerySet:
    """Entities the caller may ``permission``: the list face of the decision, one query with the rest."""
    base = Entity.objects.all() if queryset is None else queryset
    return base.filter(entity_filter(caller, permission))


def visible_locations(
    caller: Any, permission: str = names.LOCATION_READ, queryset: QuerySet | None = None
) -> QuerySet:
    base = Location.objects.all() if queryset is None else queryset
    return base.filter(location_filter(caller, permission))


def decide(caller: Any, permission: str, obj: Entity | EntityRow | Location | None = None) -> Decision:
    """The single-object face: may the caller ``permission`` (on ``obj``), and which grant says so."""
    principal = principal_for(caller)
    gate = _gate(principal, permission)
    if gate is not None:
        return gate
    codename = names.get(permission).codename
    entity = obj if isinstance(obj, (Entity, EntityRow)) else None
    for rule in matching_rules(principal, permission):
        if rule.condition == PolicyRule.Condition.ANY:
            return Decision(True, f"rule “{rule.name}” allows {permission} to {principal.actor}", "rule")
        if entity is not None and _meets(rule, principal, entity):
            return Decision(
                True, f"rule “{rule.name}” allows {permission}: {rule.get_condition_display()}", "rule"
            )
    if obj is not None and obj.pk is not None:
        user_model, group_model = (
            (EntityUserObjectPermission, EntityGroupObjectPermission)
            if entity is not None
            else (LocationUserObjectPermission, LocationGroupObjectPermission)
        )
        granted = permission_id(permission)
        if (
            granted is not None
            and principal.user_id is not None
            and user_model.objects.filter(
                user_id=principal.user_id, permission_id=granted, content_object_id=obj.pk
            ).exists()
        ):
            return Decision(True, f"{codename} granted on {obj} to {principal.actor}", "object-user")
        group = (
            group_model.objects.filter(
                group_id__in=sorted(principal.group_ids), permission_id=granted, content_object_id=obj.pk
            )
            .select_related("group")
            .first()
            if granted is not None and principal.group_ids
            else None
        )
        if group is not None:
            return Decision(True, f"{codename} granted on {obj} to group {group.group.name}", "object-group")
    target = f" on {obj}" if obj is not None else ""
    return Decision(False, f"no grant or rule allows {permission}{target} to {principal.actor}", "none")


def _meets(rule: PolicyRule, principal: Principal, entity: Entity | EntityRow) -> bool:
    value = rule.condition_value.strip()
    if rule.condition == PolicyRule.Condition.IS_OWNER:
        return entity.owner_ref in principal.ownership_refs
    if rule.condition == PolicyRule.Condition.KIND:
        return entity.kind.lower() == value.lower()
    if rule.condition == PolicyRule.Condition.NAMESPACE:
        return entity.namespace == value.lower()
    if rule.condition == PolicyRule.Condition.ANNOTATION:
        key, has_value, expected = value.partition("=")
        annotations = {
            k.lower(): v for k, v in ((entity.served.get("metadata") or {}).get("annotations") or {}).items()
        }
        actual = annotations.get(key.strip().lower())
        return actual is not None and (not has_value or str(actual).lower() == expected.strip().lower())
    return False
