"""Catalog models, one module per topic."""

from .entities import Entity, Relation, SearchRow
from .locations import CatalogError, Location, LocationFile
from .state import CatalogVersion

__all__ = ["CatalogError", "CatalogVersion", "Entity", "Location", "LocationFile", "Relation", "SearchRow"]
