"""The catalog table's filters, sorting and facets: URL parameters in, narrowed querysets out."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import QueryDict

from catalog.distinct import distinct_values
from catalog.models import Entity, SearchRow

# Sort keys as they appear in the URL, and the columns they order by (ref last, so pages are stable).
SORTS: dict[str, tuple[str, ...]] = {
    "name": ("name", "ref"),
    "kind": ("kind", "name", "ref"),
    "type": ("spec_type", "name", "ref"),
    "owner": ("owner_ref", "name", "ref"),
    "lifecycle": ("lifecycle", "name", "ref"),
    "namespace": ("namespace", "name", "ref"),
    "updated": ("updated_at", "ref"),
}
DEFAULT_SORT = "name"
PAGE_SIZES = (25, 50, 100)
MAX_QUERY_TERMS = 8
FACET_LIMIT = 500  # values offered per filter list


@dataclass
class CatalogFilters:
    """What the catalog table shows, as read from (and written back to) the URL."""

    kind: str = ""
    type: str = ""
    owner: str = ""
    lifecycle: str = ""
    tag: str = ""
    namespace: str = ""
    q: str = ""
    mine: bool = False
    sort: str = DEFAULT_SORT
    per_page: int = PAGE_SIZES[0]

    @classmethod
    def from_params(cls, params: QueryDict) -> CatalogFilters:
        """Read the filters, ignoring anything malformed rather than failing."""
        text = {f.name: params.get(f.name, "").strip()[:255] for f in fields(cls) if f.type == "str"}
        sort = params.get("sort", DEFAULT_SORT)
        if sort.lstrip("-") not in SORTS:
            sort = DEFAULT_SORT
        try:
            per_page = int(params.get("per_page", PAGE_SIZES[0]))
        except ValueError:
            per_page = PAGE_SIZES[0]
        return cls(
            **{**text, "sort": sort},
            mine=params.get("mine") in ("1", "on", "true"),
            per_page=per_page if per_page in PAGE_SIZES else PAGE_SIZES[0],
        )

    @property
    def is_filtered(self) -> bool:
        return any((self.type, self.owner, self.lifecycle, self.tag, self.namespace, self.q, self.mine))

    def ordering(self) -> list[str]:
        descending = self.sort.startswith("-")
        columns = SORTS[self.sort.lstrip("-")]
        return [("-" if descending else "") + column for column in columns]

    def apply(self, entities: QuerySet[Entity], *, owner_refs: list[str]) -> QuerySet[Entity]:
        """Narrow ``entities`` by every filter but the kind (see ``kind_filter``)."""
        exact = {"spec_type": self.type, "owner_ref": self.owner, "lifecycle": self.lifecycle}
        for column, value in exact.items():
            if value:
                entities = entities.filter(**{column: value})
        if self.namespace:
            entities = entities.filter(namespace=self.namespace.lower())
        if self.tag:
            entities = entities.filter(id__in=tagged(self.tag))
        if self.mine:
            entities = entities.filter(owner_ref__in=owner_refs)
        for term in self.q.split()[:MAX_QUERY_TERMS]:
            entities = entities.filter(text_match(term))
        return entities


def tagged(tag: str) -> QuerySet[SearchRow]:
    """Ids of entities carrying ``tag`` (search rows are lower-cased)."""
    return SearchRow.objects.filter(key="metadata.tags", value=tag.lower()).values("entity_id")


def text_match(term: str) -> Q:
    """A free-text term matches the name, title, a tag or the description (``Entity.search_text``)."""
    return Q(search_text__contains=term.lower())


def kind_counts(entities: QuerySet[Entity]) -> list[tuple[str, int]]:
    """Every kind with how many entities it has, for the kind picker."""
    # COUNT(*), not COUNT(id): the count then needs nothing beyond the (kind, …) indexes of served entities.
    rows = entities.order_by().values_list("kind").annotate(n=Count("*")).order_by("kind")
    return [(kind, n) for kind, n in rows]


def kind_filter(entities: QuerySet[Entity], kind: str, kinds: list[tuple[str, int]]) -> QuerySet[Entity]:
    """Narrow to a kind named in any case, on the indexed column with the spellings stored."""
    if not kind:
        return entities
    spellings = [stored for stored, _ in kinds if stored.lower() == kind.lower()]
    return entities.filter(kind__in=spellings) if spellings else entities.none()


def facets(entities: QuerySet[Entity]) -> dict[str, list[Any]]:
    """The values each filter offers, from the entities of the chosen kind (each list walks an index)."""
    result: dict[str, list[Any]] = {}
    for name, column in (("type", "spec_type"), ("owner", "owner_ref"), ("lifecycle", "lifecycle")):
        result[name] = distinct_values(entities, column, limit=FACET_LIMIT)
    result["namespace"] = distinct_values(entities, "namespace")
    tags = SearchRow.objects.filter(key="metadata.tags", entity__in=entities.values("id"))
    result["tag"] = distinct_values(tags, "value", limit=FACET_LIMIT)
    return result
