"""The catalog table: every entity the user may see, filtered, sorted and paginated in the database."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models.fields.json import KT
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import cached_property
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from catalog.models import Entity, SearchRow
from catalog.result_cache import catalog_version, remembered
from catalog.views.common import wants_partial
from catalog.views.identity import identity_of
from catalog.views.listing import PAGE_SIZES, CatalogFilters, facets, kind_counts, kind_filter
from catalog.views.peers import peers_by_ref
from catalog.visibility import visible_entities

RESULTS_TEMPLATE = "catalog/_catalog_results.html"
TEXT_COUNT_CAP = 1000
COLUMNS = (
    ("name", "Name"),
    ("kind", "Kind"),
    ("type", "Type"),
    ("owner", "Owner"),
    ("lifecycle", "Lifecycle"),
    ("updated", "Updated"),
)


class RememberedCountPaginator(Paginator):
    """Counts the filtered entities once per catalog version instead of on every page view.

    ``known_count`` is the count when the kind picker already holds it (no filter but the kind). A text
    filter cannot use an index, so its count stops at ``TEXT_COUNT_CAP`` matches (shown as "1,000+"): the
    database then reads only as many rows as it takes to find them, not every entity of the kind.
    """

    version: str | None = None
    known_count: int | None = None
    cap: int | None = None
    ids_first = False

    def page(self, number: Any) -> Page:
        """With ``ids_first``, the page's ids are read first and then their rows.

        A text filter walks the sort order until a page of matches is found, thousands of entries for a
        common word; PostgreSQL walks ``catalog_served_text`` for the ids without touching the table,
        and only the page's rows are read.
        """
        if not self.ids_first:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        return self._get_page(list(self.object_list.filter(pk__in=ids)), number, self)

    @cached_property
    def count(self) -> int:
        if self.known_count is not None:
            return self.known_count
        entities = self.object_list
        if self.cap is None:
            return remembered("index-count", entities, entities.count, version=self.version)
        return min(self.capped_count, self.cap)

    @cached_property
    def capped_count(self) -> int:
        """Matches counted up to one past the cap (only when there is a cap)."""
        assert self.cap is not None
        capped = self.object_list.order_by().values("pk")[: self.cap + 1]
        return remembered("index-count-capped", capped, capped.count, version=self.version)

    @property
    def capped(self) -> bool:
        """Whether there are more matches than the count shows."""
        return self.cap is not None and self.capped_count > self.cap


@dataclass
class Column:
    """A sortable column header: the sort value its link sets and its current ARIA state."""

    key: str
    title: str
    next_sort: str
    aria_sort: str


def columns(sort: str) -> list[Column]:
    current, descending = sort.lstrip("-"), sort.startswith("-")
    result = []
    for key, title in COLUMNS:
        if key == current:
            result.append(
                Column(
                    key, title, key if descending else f"-{key}", "descending" if descending else "ascending"
                )
            )
        else:
            result.append(Column(key, title, f"-{key}" if key == "updated" else key, "none"))
    return result


def decorate_page(request: HttpRequest, page: Page) -> None:
    """Give each row of the page its description, tags and owner (three queries, whatever the page size).

    Descriptions are read for the page's rows only: asked of the page query, the database would pull them
    out of every matching entity's JSON before sorting.
    """
    rows = list(page.object_list)
    texts = {
        pk: (description, display_name)
        for pk, description, display_name in Entity.objects.filter(pk__in=[r.pk for r in rows]).values_list(
            "pk", KT("final__metadata__description"), KT("final__spec__profile__displayName")
        )
    }
    tags: dict[Any, list[str]] = defaultdict(list)
    for entity_id, tag in (
        SearchRow.objects.filter(entity_id__in=[r.pk for r in rows], key="metadata.tags")
        .exclude(original_value=None)
        .order_by("original_value")
        .values_list("entity_id", "original_value")
    ):
        tags[entity_id].append(tag)
    owners = peers_by_ref(request, {r.owner_ref for r in rows if r.owner_ref})
    for row in rows:
        row.description, row.display_name = texts.get(row.pk, (None, None))
        row.tags = tags.get(row.pk, [])
        row.owner = owners.get(row.owner_ref)
    page.object_list = rows


def template_for(request: HttpRequest) -> str:
    """The whole page, or for htmx the part it swaps: the results alone, or filters and results."""
    if not wants_partial(request):
        return "catalog/index.html"
    if request.headers.get("HX-Target", "").endswith("#catalog-results"):
        return RESULTS_TEMPLATE
    return "catalog/_catalog_body.html"


@login_required
@require_GET
@vary_on_headers("HX-Request", "HX-Target")
def catalog_index(request: HttpRequest) -> HttpResponse:
    """The catalog table; an htmx request gets only the filters and table back."""
    filters = CatalogFilters.from_params(request.GET)
    identity = identity_of(request)
    visible = visible_entities(request)
    version = catalog_version()  # counts and facets are remembered until the catalog changes
    kinds = remembered("index-kinds", visible, lambda: kind_counts(visible), version=version)
    of_kind = kind_filter(visible, filters.kind, kinds)
    entities = (
        filters.apply(of_kind, owner_refs=identity.owner_refs)
        .only(
            "id",
            "ref",
            "kind",
            "namespace",
            "name",
            "title",
            "spec_type",
            "lifecycle",
            "owner_ref",
            "updated_at",
        )
        .order_by(*filters.ordering())
    )
    paginator = RememberedCountPaginator(entities, filters.per_page)
    paginator.version = version
    if filters.q:
        paginator.cap = TEXT_COUNT_CAP
        paginator.ids_first = True
    if not filters.is_filtered:
        paginator.known_count = sum(
            n for stored, n in kinds if not filters.kind or stored.lower() == filters.kind.lower()
        )
    page = paginator.get_page(request.GET.get("page"))
    decorate_page(request, page)
    template = template_for(request)
    context = {
        "filters": filters,
        "kinds": kinds,
        # The results alone do not show the filters, so they skip the facet queries.
        "facets": {}
        if template == RESULTS_TEMPLATE
        else remembered("index-facets", of_kind, lambda: facets(of_kind), version=version),
        "page": page,
        "columns": columns(filters.sort),
        "page_sizes": PAGE_SIZES,
        "identity": identity,
        # The results alone also carry the kind links, swapped out of band, so they keep the new filters.
        "oob": template == RESULTS_TEMPLATE,
    }
    return render(request, template, context)
