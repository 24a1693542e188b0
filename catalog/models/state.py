"""A single counter that moves whenever the catalog's entities change, for caching what is derived from them."""

from __future__ import annotations

from django.db import models


class CatalogVersion(models.Model):
    """One row; database triggers on ``catalog_entity`` add one to ``version`` in every transaction that
    writes entities, as that transaction commits (see migration 0007), so no write path can forget it."""

    version = models.BigIntegerField(default=1)

    class Meta:
        verbose_name = "catalog version"

    def __str__(self) -> str:
        return f"catalog version {self.version}"
