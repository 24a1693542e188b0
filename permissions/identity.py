"""Linking Django users to catalog User entities, and mirroring catalog Groups as Django groups."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from catalog.models import Entity, Relation
from permissions import audit
from permissions import cache as permission_cache
from permissions.models import Identity

MIRROR_PREFIX = "group:"


def user_entity_for(user: Any) -> Entity | None:
    """The User entity a Django user is, tried by the configured resolvers (email, then name)."""
    users = Entity.objects.filter(kind__iexact="user").exclude(final__isnull=True)
    for resolver in settings.IDENTITY_RESOLVERS:
        if resolver == "email" and user.email:
            found = users.filter(search_rows__key="spec.profile.email", search_rows__value=user.email.lower())
        elif resolver == "name" and user.has_usable_password():
            # Only local accounts match by name: an SSO username is chosen by the provider, not unique.
            found = users.filter(name__iexact=user.get_username())
        else:
            continue
        entity = found.order_by("namespace").first()  # "default" sorts before most namespaces
        if entity is not None:
            return entity
    return None


def ownership_refs_for(entity_ref: str, parents: dict[str, set[str]] | None = None) -> list[str]:
    """The User entity and every group it is a member of (and their parents when the setting says so)."""
    groups = set(
        Relation.objects.filter(source_ref=entity_ref, type="memberOf").values_list("target_ref", flat=True)
    )
    if settings.IDENTITY_INCLUDE_PARENT_GROUPS:
        parents = parents if parents is not None else _parent_map()
        pending = list(groups)
        while pending:
            for parent in parents.get(pending.pop(), ()):
                if parent not in groups:
                    groups.add(parent)
                    pending.append(parent)
    return [entity_ref, *sorted(groups)]


def _parent_map() -> dict[str, set[str]]:
    parents: dict[str, set[str]] = defaultdict(set)
    for child, parent in Relation.objects.filter(type="childOf").values_list("source_ref", "target_ref"):
        parents[child].add(parent)
    return parents


def resolve_identity(user: Any) -> Identity:
    """Find and store the user's catalog identity; a user with no User entity owns nothing."""
    entity = user_entity_for(user)
    refs = ownership_refs_for(entity.ref) if entity else []
    identity, _ = Identity.objects.update_or_create(
        user=user, defaults={"entity_ref": entity.ref if entity else "", "ownership_refs": refs}
    )
    return identity


@transaction.atomic
def sync_catalog_groups() -> int:
    """Make each catalog Group a Django group named by its ref, whose members are the users it has.

    Grants made to a team in the admin then follow its membership as the catalog changes. Returns the
    number of memberships added or removed.
    """
    User = get_user_model()
    for identity in Identity.objects.select_related("user"):
        _refresh_identity(identity)
    group_refs = set(Entity.objects.filter(kind__iexact="group").values_list("ref", flat=True))
    existing = {g.name: g for g in Group.objects.filter(name__startswith=MIRROR_PREFIX)}
    Group.objects.bulk_create([Group(name=ref) for ref in sorted(group_refs - existing.keys())])
    groups = {g.name: g for g in Group.objects.filter(name__startswith=MIRROR_PREFIX)}

    members_of: dict[str, set[int]] = defaultdict(set)
    for user_id, refs in Identity.objects.values_list("user_id", "ownership_refs"):
        # Ownership refs are the User entity, then its groups (with their parents when the setting says so).
        for ref in (refs or [])[1:]:
            if ref in group_refs:
                members_of[ref].add(user_id)
    changes = 0
    through = User.groups.through
    current: dict[int, set[int]] = defaultdict(set)
    for user_id, group_id in through.objects.filter(group__name__startswith=MIRROR_PREFIX).values_list(
        "user_id", "group_id"
    ):
        current[group_id].add(user_id)
    for name, group in groups.items():
        wanted = members_of.get(name, set())
        have = current.get(group.pk, set())
        if wanted != have:
            through.objects.filter(group_id=group.pk, user_id__in=have - wanted).delete()
            through.objects.bulk_create([through(group_id=group.pk, user_id=uid) for uid in wanted - have])
            changes += len(wanted ^ have)
            permission_cache.bump()
            audit.record(
                "permissions.group.sync",
                name,
                {"added": sorted(wanted - have), "removed": sorted(have - wanted)},
            )
    return changes


def _refresh_identity(identity: Identity) -> None:
    entity = user_entity_for(identity.user)
    refs = ownership_refs_for(entity.ref) if entity else []
    ref = entity.ref if entity else ""
    if identity.entity_ref != ref or identity.ownership_refs != refs:
        identity.entity_ref, identity.ownership_refs = ref, refs
        identity.save(update_fields=["entity_ref", "ownership_refs", "resolved_at"])


def on_location_refreshed(sender: Any, **kwargs: Any) -> None:
    sync_catalog_groups()


def on_user_logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    resolve_identity(user)
