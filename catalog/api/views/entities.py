"""Reading and removing entities: ``/entities``, ``by-refs``, ``by-name`` (and ancestry), ``by-uid``."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import connection
from django.http import HttpResponseBase
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from catalog import services
from catalog.api import entity_list, params, raw, schema
from catalog.api.base import CatalogView
from catalog.api.errors import InputError, NotAllowedError, NotFoundError
from catalog.api.page_sql import Where, texts_by_ref
from catalog.api.prepared import prepared_cursor
from catalog.api.visibility import ENTITY_DELETE, ENTITY_READ, allowed, visible_entities, visible_where
from catalog.models import Entity
from catalog.query import filtered_entities, parse_filter_params, predicate_q
from catalog.refs import InvalidRef, canonical_ref, parse_entity_ref
from permissions.policy import EntityRow


def _uid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


# The hottest read of the API, written out: the ORM would compile this same statement on every request.
_ONE_ENTITY = (
    "SELECT id, ref, kind, namespace, owner_ref, CAST(final AS text) FROM catalog_entity "
    "WHERE {column} = %s AND final IS NOT NULL"
)


def _readable_text(request: Request, column: str, value: Any) -> str | None:
    """The JSON text of the served entity whose ``column`` (``ref`` or ``id``) is ``value``, if the caller
    may read it.

    The entity is judged by the policy's single-object face (the same rules and grants as the list
    filter), from the row itself (``EntityRow``) instead of compiling the caller's filter into SQL.
    """
    with prepared_cursor() as cursor:
        cursor.execute(_ONE_ENTITY.format(column=column), [value])
        row = cursor.fetchone()
    if row is None:
        return None
    uid, ref, kind, namespace, owner_ref, text = row
    entity = EntityRow(pk=uid, ref=ref, kind=kind, namespace=namespace, owner_ref=owner_ref, text=text)
    return text if allowed(request, ENTITY_READ, entity) else None


def _filter_param(request: Request) -> Any:
    return parse_filter_params(request.query_params.getlist("filter"))


class EntityListView(CatalogView):
    """GET /entities — all matching entities (streamed), or offset pages when limit/offset/after is given."""

    @schema.get_entities
    def get(self, request: Request) -> HttpResponseBase:
        return entity_list.respond(
            request,
            visible_entities(request),
            params.fields_param(request),
            visible_where=visible_where(request),
            entity_filter=_filter_param(request),
        )


class EntityByUidView(CatalogView):
    """GET / DELETE /entities/by-uid/{uid}."""

    @schema.get_entity_by_uid
    def get(self, request: Request, uid: str) -> Response:
        pk = _uid(uid)
        text = (
            _readable_text(request, "id", Entity._meta.pk.get_db_prep_value(pk, connection)) if pk else None
        )
        if text is None:
            raise NotFoundError(f"No entity with uid {uid}")
        return raw.respond(request, text)

    @schema.delete_entity_by_uid
    def delete(self, request: Request, uid: str) -> Response:
        pk = _uid(uid)
        # An unknown or unreadable uid answers 204 like Backstage; readable but not deletable is a 403.
        entity = visible_entities(request).filter(pk=pk).first() if pk else None
        if entity is not None:
            if not allowed(request, ENTITY_DELETE, entity):
                raise NotAllowedError("You are not allowed to delete this entity")
            services.delete_entity(entity.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class EntityByNameView(CatalogView):
    """GET /entities/by-name/{kind}/{namespace}/{name} (case-insensitive)."""

    @schema.get_entity_by_name
    def get(self, request: Request, kind: str, namespace: str, name: str) -> Response:
        ref = canonical_ref(kind, namespace, name)
        text = _readable_text(request, "ref", ref)
        if text is None:
            raise NotFoundError(
                f"No entity named '{name}' found, with kind '{kind}' in namespace '{namespace}'"
            )
        return raw.respond(request, text)


class EntityAncestryView(CatalogView):
    """GET /entities/by-name/{kind}/{namespace}/{name}/ancestry — the entity, then each emitter up the chain."""

    @schema.get_entity_ancestry
    def get(self, request: Request, kind: str, namespace: str, name: str) -> Response:
        ref = canonical_ref(kind, namespace, name)
        stored = (
            Entity.objects.filter(ref=ref, final__isnull=False).values_list("final", "parent_ref").first()
        )
        if stored is None:
            raise NotFoundError(f"No such entity {ref}")
        visible = visible_entities(request)
        if not visible.filter(ref=ref).exists():
            raise NotAllowedError(f"You are not allowed to read the ancestry of {ref}")
        items, seen = [], {ref}
        final, parent = stored
        while final is not None:
            parent_row = (
                visible.filter(ref=parent).values_list("final", "parent_ref").first() if parent else None
            )
            items.append({"entity": final, "parentEntityRefs": [parent] if parent_row else []})
            if parent_row is None or parent in seen:
                break
            seen.add(parent)
            final, parent = parent_row
        return Response({"rootEntityRef": ref, "items": items})


def _lookup_ref(text: str) -> str:
    """Refs are matched as canonical refs; a full ref in another case is normalised, anything else lowered.

    Only ``kind:name`` (a kind, no namespace) differs from the text lower-cased, so only it is parsed: a
    ``/`` means the text either has its namespace or is no valid ref, and no ``:`` means it has no kind.
    """
    if "/" in text or ":" not in text:
        return text.lower()
    try:
        return parse_entity_ref(text).canonical
    except InvalidRef:
        return text.lower()


class EntitiesByRefsView(CatalogView):
    """POST /entities/by-refs — ``{items}`` in the order of ``entityRefs``, ``null`` where absent."""

    @schema.get_entities_by_refs
    def post(self, request: Request) -> Response:
        body = params.optional_body(request)
        if "entityRefs" not in body:
            raise InputError("Invalid request body: entityRefs is required")
        refs = params.string_list(body["entityRefs"], "entityRefs")
        fields = _merged_fields(request, body)
        entity_filter = _filter_param(request)
        keys = [_lookup_ref(ref) for ref in refs]
        wanted = sorted(set(keys))
        visible = visible_where(request) if body.get("query") is None else None
        if visible is not None:  # the common case: no queryset is built
            found = texts_by_ref(visible.filtered(entity_filter), wanted)
        else:
            found = self._found(request, entity_filter, body.get("query"), wanted)
        texts = [raw.entity_text(found[key], fields) if key in found else None for key in keys]
        return raw.respond(request, '{"items":' + raw.json_array(texts) + "}")

    @staticmethod
    def _found(request: Request, entity_filter: Any, query: Any, wanted: list[str]) -> dict[str, str]:
        """The texts of ``wanted`` through the ORM: a ``query`` predicate, or a narrowing that joins."""
        queryset = filtered_entities(visible_entities(request), entity_filter=entity_filter)
        if query is not None:
            queryset = queryset.filter(predicate_q(query))
        where = Where.of(queryset)
        if where is not None:
            return texts_by_ref(where, wanted)
        return dict(raw.with_text(queryset.filter(ref__in=wanted)).order_by().values_list("ref", raw.TEXT))


def _merged_fields(request: Request, body: dict[str, Any]) -> list[str] | None:
    values = request.query_params.getlist("fields")
    if body.get("fields") is not None:
        values = values + params.string_list(body["fields"], "fields")
    return params.fields_list(values) if values else None
