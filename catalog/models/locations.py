"""Registered locations and the errors their processing reports."""

from __future__ import annotations

import hashlib
import uuid

from django.db import models


class Location(models.Model):
    """A root location (a file path or glob, or a URL) whose tree of descriptors the catalog keeps in step.

    One location of type ``admin`` (``admin:greenroom``) owns the entities written in the Django admin;
    their descriptors are stored on the entities themselves, so it is never read, only re-processed.

    Like Backstage, each registered location also appears in the catalog as a synthetic ``Location`` entity
    named ``generated-<sha1 of "type:target">``, the parent of everything read from it.
    """

    class Type(models.TextChoices):
        FILE = "file", "file"
        URL = "url", "url"
        # Not read from anywhere: holds the entities written in the Django admin (Backstage's providers).
        ADMIN = "admin", "admin (entities edited in the admin)"

    class Presence(models.TextChoices):
        REQUIRED = "required", "required"
        OPTIONAL = "optional", "optional"

    class Status(models.TextChoices):
        PENDING = "pending", "pending"
        OK = "ok", "ok"
        ERROR = "error", "has errors"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    type = models.CharField(max_length=16, choices=Type.choices, default=Type.URL)
    target = models.CharField(max_length=2048)
    presence = models.CharField(max_length=16, choices=Presence.choices, default=Presence.REQUIRED)
    allowed_kinds = models.JSONField(
        null=True,
        blank=True,
        help_text="Kinds this location may emit (a list of kind names). Empty means the site default.",
    )
    registered_by = models.CharField(max_length=150, blank=True, help_text="Who or what registered it.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    next_refresh_at = models.DateTimeField(null=True, blank=True, db_index=True)
    refresh_started_at = models.DateTimeField(null=True, blank=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    last_summary = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["type", "target"], name="catalog_location_unique_target")
        ]
        ordering = ["type", "target"]
        permissions = [
            ("analyze_location", "Can analyze a location before import (catalog.location.analyze)")
        ]

    def __str__(self) -> str:
        return self.ref

    @property
    def ref(self) -> str:
        """The location reference, ``type:target``."""
        return f"{self.type}:{self.target}"

    @property
    def entity_name(self) -> str:
        return "generated-" + hashlib.sha1(self.ref.encode()).hexdigest()

    @property
    def entity_ref(self) -> str:
        return f"location:default/{self.entity_name}"


class CatalogError(models.Model):
    """One problem found while processing a location: it names the file, the document, the field and why.

    The set for a location is replaced on each refresh, so it always shows the last run's problems.
    """

    class Kind(models.TextChoices):
        READ = "read", "cannot read"
        PARSE = "parse", "cannot parse"
        VALIDATION = "validation", "invalid entity"
        RULE = "rule", "kind not allowed"
        CONFLICT = "conflict", "conflict"

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="errors")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    file = models.CharField(max_length=2048, help_text="Location reference of the file read.")
    document = models.PositiveIntegerField(null=True, blank=True, help_text="1-based YAML document index.")
    entity_ref = models.CharField(max_length=255, blank=True, db_index=True)
    field = models.CharField(max_length=512, blank=True)
    message = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["location", "file", "document", "id"]

    def __str__(self) -> str:
        where = self.file + (f" (document {self.document})" if self.document else "")
        return f"{where}: {self.message}"


class LocationFile(models.Model):
    """A file of a location that was last processed whole, and the digest it had then.

    The next refresh does not parse a file whose digest is unchanged while the entities stored from it are
    all there and clean. One small row per file rather than a column on each of its entities: when one
    entity of a file holding a hundred changed, the column made the refresh rewrite all hundred rows.
    """

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="files")
    file = models.CharField(max_length=2048, help_text="Location reference of the file read.")
    tag = models.CharField(max_length=64, help_text="The file's digest and how many entities it held.")

    def __str__(self) -> str:
        return self.file
