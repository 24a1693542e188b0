"""Catalog models, one module per topic."""

from .entities import Entity, Relation, SearchRow
from .locations import CatalogError, Location

__all__ = ["CatalogError", "Entity", "Location", "Relation", "SearchRow"]
