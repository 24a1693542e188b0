"""Entities as stored and served, their relations, and the flattened search table behind filters."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower

from catalog.fields import OrderedJSONField

SERVED = Q(final__isnull=False)


class Entity(models.Model):
    """One catalog entity, unique on its canonical reference ``kind:namespace/name`` (lower-cased).

    ``descriptor`` is the document as written; ``processed`` is it after placeholders and the catalog's own
    annotations; ``final`` is what the API serves (processed + uid, etag, relations, orphan mark, status).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name="uid")
    ref = models.CharField(max_length=255, unique=True, help_text="Canonical lower-case kind:namespace/name.")
    kind = models.CharField(max_length=63)
    namespace = models.CharField(max_length=63)
    name = models.CharField(max_length=63)
    title = models.CharField(max_length=255, blank=True)
    spec_type = models.CharField("type", max_length=255, blank=True)
    lifecycle = models.CharField(max_length=255, blank=True)
    owner_ref = models.CharField("owner", max_length=255, blank=True)
    # What the catalog's free-text filter reads (see SEARCH_TEXT_LIMIT), kept beside the sort columns in
    # covering indexes so that a filtered page walks an index instead of the wide rows and their JSON.
    search_text = models.TextField(blank=True, help_text="Lower-cased name, title, tags and description.")

    descriptor = OrderedJSONField(help_text="The descriptor as written.")
    processed = OrderedJSONField(help_text="The descriptor after processing, before stitching.")
    final = OrderedJSONField(null=True, blank=True, help_text="The entity as the API serves it.")
    etag = models.CharField(max_length=40, blank=True)
    generation = models.PositiveIntegerField(default=1)
    result_hash = models.CharField(max_length=40, blank=True)
    errors = models.JSONField(default=list, blank=True, help_text="Backstage status items of the last run.")
    has_errors = models.BooleanField(default=False, db_index=True)

    location = models.ForeignKey(
        "catalog.Location",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="entities",
        db_index=False,  # catalog_entity_loc_orphan starts with it
    )
    location_key = models.CharField(
        max_length=2048, blank=True, help_text="The file this entity was read from."
    )
    parent_ref = models.CharField(max_length=255, blank=True, help_text="The emitting entity.")
    orphan = models.BooleanField(default=False, db_index=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name_plural = "entities"
        ordering = ["ref"]
        permissions = [
            ("refresh_entity", "Can refresh an entity's location (catalog.entity.refresh)"),
            ("validate_entity", "Can validate a descriptor (catalog.entity.validate)"),
        ]
        # Plain indexes, not ``db_index``: on PostgreSQL that adds a second (``LIKE``) index per column,
        # which every entity write pays for and no query uses.
        indexes = [
            models.Index(fields=["location", "orphan"], name="catalog_entity_loc_orphan"),
            # The catalog index's default order, alone and within a kind (which it also filters by), with
            # what its free-text filter reads: PostgreSQL finds a filtered page's ids in the index alone
            # (SQLite has no INCLUDE and keeps the order only).
            models.Index(
                fields=["name", "ref"],
                include=["id", "search_text"],
                condition=SERVED,
                name="catalog_served_text",
            ),
            models.Index(
                fields=["kind", "name", "ref"],
                include=["id", "search_text"],
                condition=SERVED,
                name="catalog_served_kind_text",
            ),
            # by-query pages ordered by metadata.name (the order Backstage's catalog table asks for): its
            # search value is the name lower-cased, read here without joining the search table.
            models.Index(Lower("name"), F("id"), condition=SERVED, name="catalog_served_lower_name"),
            # Filters on kind read it from the row (catalog.query.KIND_KEY); a page of one kind in uid
            # order is a walk of this index. Not partial: PostgreSQL keeps statistics on the expression
            # only for whole-table indexes, and without them it took a kind of half the catalog for 0.5%
            # of it (sorting thousands of rows for a page of 50).
            models.Index(Lower("kind"), F("id"), name="catalog_entity_lower_kind"),
            models.Index(fields=["namespace"], name="catalog_entity_namespace"),
            models.Index(fields=["spec_type"], name="catalog_entity_spec_type"),
            models.Index(fields=["lifecycle"], name="catalog_entity_lifecycle"),
            models.Index(fields=["owner_ref"], name="catalog_entity_owner_ref"),
            models.Index(fields=["parent_ref"], name="catalog_entity_parent_ref"),
            # Served entities by kind and the catalog page's filter columns: the kind picker counts from
            # these alone (never reading the wide rows with their JSON), and a kind's filter values are
            # walked in order within the kind (catalog.distinct).
            *(
                models.Index(fields=["kind", column], name=f"catalog_served_kind_{column}", condition=SERVED)
                for column in ("spec_type", "lifecycle", "owner_ref", "namespace")
            ),
        ]

    def __str__(self) -> str:
        return self.ref

    @property
    def served(self) -> dict[str, Any]:
        """The entity as served, falling back to the processed form before the first stitch."""
        return self.final or self.processed


# Derived rows: Relation and SearchRow rows are derived from their entity and have no foreign key constraint.
# Django's deferred constraint check locks the entity row once per inserted row at commit, and an entity has
# about 7 relation rows and 37 search rows: on a first ingest that was a fifth of the time. The rows are
# written and deleted only by processing and stitching, in the transaction that writes their entity, and
# Django's on_delete=CASCADE deletes them with it. Every read joins them to the entity, so a row left
# behind by a concurrent delete matches nothing.


class Relation(models.Model):
    """A directed relation row; ``originating`` is the entity whose processing emitted it.

    Each spec field emits two rows, the forward relation and its reverse on the target. The relations an
    entity serves are all rows whose source is that entity, whoever emitted them.
    """

    # Not checked by the database: see "Derived rows" above.
    originating = models.ForeignKey(
        Entity, on_delete=models.CASCADE, related_name="emitted_relations", db_constraint=False
    )
    source_ref = models.CharField(max_length=255)
    type = models.CharField(max_length=63)
    target_ref = models.CharField(max_length=255)

    class Meta:
        indexes = [
            models.Index(fields=["source_ref", "type"], name="catalog_rel_source"),
            models.Index(fields=["target_ref", "type"], name="catalog_rel_target"),
        ]

    def __str__(self) -> str:
        return f"{self.source_ref} {self.type} {self.target_ref}"


class SearchRow(models.Model):
    """One flattened leaf of a served entity (Backstage's ``search`` table), lower-cased for matching.

    ``value`` is null when the key merely exists (null leaves, values over 200 characters);
    ``original_value`` keeps the case for facets.
    """

    # No index of its own: catalog_search_entity_key starts with it. No database constraint, as for
    # Relation.originating ("Derived rows").
    entity = models.ForeignKey(
        Entity, on_delete=models.CASCADE, related_name="search_rows", db_index=False, db_constraint=False
    )
    key = models.CharField(max_length=200)
    value = models.CharField(max_length=200, null=True)  # noqa: DJ001 (null means "key exists, no value")
    original_value = models.CharField(max_length=200, null=True)  # noqa: DJ001

    class Meta:
        indexes = [
            models.Index(fields=["key", "value", "entity"], name="catalog_search_key_value"),
            models.Index(fields=["entity", "key"], name="catalog_search_entity_key"),
        ]

    def __str__(self) -> str:
        return f"{self.key}={self.value}"
