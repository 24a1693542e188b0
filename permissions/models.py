"""Policy rules, object grants, users' catalog identities and the audit log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from catalog.models import Entity, Location


class PolicyRule(models.Model):
    """Allows some permissions to some callers, optionally only on entities that meet a condition.

    Rules only ever allow; a caller may do what any rule, grant or Django permission allows.
    """

    class Subject(models.TextChoices):
        EVERYONE = "everyone", "every signed-in user and token"
        USERS = "users", "every signed-in user"
        GROUP = "group", "members of a Django group (catalog groups are mirrored as group:<ns>/<name>)"
        USER = "user", "one user (username)"
        SERVICE = "service", "one static token subject"

    class Condition(models.TextChoices):
        ANY = "any", "any entity"
        IS_OWNER = "is_owner", "the caller owns the entity"
        KIND = "kind", "the entity is of a kind"
        NAMESPACE = "namespace", "the entity is in a namespace"
        ANNOTATION = "annotation", "the entity has an annotation (key, or key=value)"

    name = models.CharField(max_length=150, unique=True)
    description = models.TextField(blank=True)
    permissions = models.JSONField(help_text='Permission names, e.g. ["catalog.entity.read"].')
    subject = models.CharField(max_length=16, choices=Subject.choices, default=Subject.USERS)
    subject_value = models.CharField(max_length=255, blank=True)
    condition = models.CharField(max_length=16, choices=Condition.choices, default=Condition.ANY)
    condition_value = models.CharField(max_length=255, blank=True)
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class EntityUserObjectPermission(UserObjectPermissionBase):
    """A guardian grant of one permission on one entity to one user (a real foreign key, so it can join)."""

    content_object = models.ForeignKey(Entity, on_delete=models.CASCADE)


class EntityGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Entity, on_delete=models.CASCADE)


class LocationUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Location, on_delete=models.CASCADE)


class LocationGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Location, on_delete=models.CASCADE)


class Identity(models.Model):
    """A Django user's place in the catalog: its User entity and the refs it owns through (itself, groups)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="identity")
    entity_ref = models.CharField(max_length=255, blank=True, db_index=True)
    ownership_refs = models.JSONField(default=list, blank=True)
    resolved_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "identities"

    def __str__(self) -> str:
        return f"{self.user} → {self.entity_ref or '(no User entity)'}"


class AuditEvent(models.Model):
    """One write to the catalog or change of permissions: who, when, what, and through which path."""

    class Path(models.TextChoices):
        API = "api", "API"
        ADMIN = "admin", "admin"
        PAGE = "page", "web page"
        TASK = "task", "task"
        COMMAND = "command", "command"
        SYSTEM = "system", "system"

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.CharField(max_length=255, help_text="user:<username>, service:<subject> or system")
    path = models.CharField(max_length=16, choices=Path.choices)
    action = models.CharField(max_length=100, db_index=True)
    target = models.CharField(max_length=2048, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.target}"
