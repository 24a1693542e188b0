"""Backstage's permission names and the Django permissions (``app_label.codename``) that grant them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PermissionName:
    """One named permission: what it is called, which model it acts on, and its Django codename."""

    name: str
    model: str  # "entity" | "location"
    codename: str
    description: str

    @property
    def django_perm(self) -> str:
        return f"catalog.{self.codename}"


ENTITY_READ = "catalog.entity.read"
ENTITY_CREATE = "catalog.entity.create"
ENTITY_REFRESH = "catalog.entity.refresh"
ENTITY_DELETE = "catalog.entity.delete"
ENTITY_VALIDATE = "catalog.entity.validate"
LOCATION_READ = "catalog.location.read"
LOCATION_CREATE = "catalog.location.create"
LOCATION_DELETE = "catalog.location.delete"
LOCATION_ANALYZE = "catalog.location.analyze"

PERMISSIONS: dict[str, PermissionName] = {
    p.name: p
    for p in (
        PermissionName(ENTITY_READ, "entity", "view_entity", "Read an entity"),
        PermissionName(ENTITY_CREATE, "entity", "add_entity", "Create entities in the admin"),
        PermissionName(ENTITY_REFRESH, "entity", "refresh_entity", "Refresh an entity's location"),
        PermissionName(ENTITY_DELETE, "entity", "delete_entity", "Unregister an entity"),
        PermissionName(ENTITY_VALIDATE, "entity", "validate_entity", "Validate a descriptor"),
        PermissionName(LOCATION_READ, "location", "view_location", "Read a location"),
        PermissionName(LOCATION_CREATE, "location", "add_location", "Register a location"),
        PermissionName(LOCATION_DELETE, "location", "delete_location", "Unregister a location"),
        PermissionName(LOCATION_ANALYZE, "location", "analyze_location", "Analyze a location before import"),
    )
}


def register(name: str, model: str, codename: str, description: str) -> PermissionName:
    """Later apps (scaffolder, CI/CD, docs) name their own permissions here."""
    permission = PermissionName(name, model, codename, description)
    PERMISSIONS[name] = permission
    return permission


def get(name: str) -> PermissionName:
    try:
        return PERMISSIONS[name]
    except KeyError:
        raise ValueError(f"Unknown permission {name!r}; known: {', '.join(sorted(PERMISSIONS))}") from None


def choices() -> list[tuple[str, str]]:
    return [(name, f"{name}: {p.description}") for name, p in sorted(PERMISSIONS.items())]
