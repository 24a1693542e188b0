"""OpenAPI descriptions of the catalog API's operations (Backstage's operation ids), for /api/schema/.

The serializers here describe bodies for the schema and Swagger UI only; the views parse requests
themselves so that errors keep Backstage's wording and shape.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers

from catalog.api.params import MAX_INTEGER

TAG_ENTITIES, TAG_LOCATIONS, TAG_ACTIONS = "Entities", "Locations", "Actions"


class ErrorSerializer(serializers.Serializer):
    error = serializers.DictField(help_text="{name, message}")
    request = serializers.DictField(help_text="{method, url}")
    response = serializers.DictField(help_text="{statusCode}")


class LocationSerializer(serializers.Serializer):
    id = serializers.CharField()
    type = serializers.CharField()
    target = serializers.CharField()
    entityRef = serializers.CharField(required=False)


class LocationInputSerializer(serializers.Serializer):
    type = serializers.CharField(min_length=1)
    target = serializers.CharField(min_length=1)
    presence = serializers.ChoiceField(["required", "optional"], required=False)


class LocationUpdateSerializer(serializers.Serializer):
    type = serializers.CharField(min_length=1)
    target = serializers.CharField(min_length=1)


class LocationListItemSerializer(serializers.Serializer):
    data = LocationSerializer()


class LocationCreatedSerializer(serializers.Serializer):
    location = LocationSerializer()
    entities = serializers.ListField(child=serializers.JSONField())
    exists = serializers.BooleanField(required=False, help_text="Dry runs only.")


class PageInfoSerializer(serializers.Serializer):
    nextCursor = serializers.CharField(required=False)
    prevCursor = serializers.CharField(required=False)


class EntitiesQueryResponseSerializer(serializers.Serializer):
    items = serializers.ListField(child=serializers.JSONField())
    totalItems = serializers.IntegerField()
    pageInfo = PageInfoSerializer()


class OrderBySerializer(serializers.Serializer):
    field = serializers.CharField()
    order = serializers.ChoiceField(["asc", "desc"])


class FullTextFilterSerializer(serializers.Serializer):
    term = serializers.CharField(required=False)
    fields = serializers.ListField(child=serializers.CharField(), required=False)


class EntitiesQueryRequestSerializer(serializers.Serializer):
    query = serializers.JSONField(
        required=False, help_text="A filter predicate ($all, $any, $not, field matchers)."
    )
    orderBy = OrderBySerializer(many=True, required=False, allow_null=True)
    fullTextFilter = FullTextFilterSerializer(required=False, allow_null=True)
    fields = serializers.ListField(child=serializers.CharField(), required=False, allow_null=True)
    limit = serializers.IntegerField(min_value=0, max_value=MAX_INTEGER, required=False, allow_null=True)
    offset = serializers.IntegerField(min_value=0, max_value=MAX_INTEGER, required=False, allow_null=True)
    totalItems = serializers.ChoiceField(["include", "exclude"], required=False, allow_null=True)
    cursor = serializers.CharField(min_length=1, required=False, allow_null=True)


class EntitiesByRefsRequestSerializer(serializers.Serializer):
    entityRefs = serializers.ListField(child=serializers.CharField())
    fields = serializers.ListField(child=serializers.CharField(), required=False, allow_null=True)
    query = serializers.JSONField(required=False)


class EntitiesByRefsResponseSerializer(serializers.Serializer):
    items = serializers.ListField(child=serializers.JSONField(allow_null=True))


class AncestryItemSerializer(serializers.Serializer):
    entity = serializers.JSONField()
    parentEntityRefs = serializers.ListField(child=serializers.CharField())


class AncestrySerializer(serializers.Serializer):
    rootEntityRef = serializers.CharField()
    items = AncestryItemSerializer(many=True)


class FacetsRequestSerializer(serializers.Serializer):
    facets = serializers.ListField(child=serializers.CharField(min_length=1), min_length=1)
    query = serializers.JSONField(required=False)


class FacetsResponseSerializer(serializers.Serializer):
    facets = serializers.DictField(help_text="facet → [{value, count}]")


class RefreshRequestSerializer(serializers.Serializer):
    entityRef = serializers.CharField(min_length=1)
    authorizationToken = serializers.CharField(required=False)


class ValidateRequestSerializer(serializers.Serializer):
    entity = serializers.JSONField()
    location = serializers.CharField()


class ValidateErrorsSerializer(serializers.Serializer):
    errors = serializers.ListField(child=serializers.DictField())


class AnalyzeRequestSerializer(serializers.Serializer):
    location = LocationUpdateSerializer()
    catalogFilename = serializers.CharField(required=False)


class AnalyzeResponseSerializer(serializers.Serializer):
    existingEntityFiles = serializers.ListField(child=serializers.DictField())
    generateEntities = serializers.ListField(child=serializers.DictField())


class LocationsQueryRequestSerializer(serializers.Serializer):
    query = serializers.JSONField(required=False)
    limit = serializers.IntegerField(min_value=1, max_value=MAX_INTEGER, required=False, allow_null=True)
    cursor = serializers.CharField(min_length=1, required=False, allow_null=True)


class LocationsQueryResponseSerializer(serializers.Serializer):
    items = LocationSerializer(many=True)
    totalItems = serializers.IntegerField()
    pageInfo = PageInfoSerializer()


def _query(
    name: str, description: str, *, many: bool = False, schema: dict | None = None
) -> OpenApiParameter:
    """A query parameter; ``many`` ones may repeat (``filter=a&filter=b``)."""
    item = schema or {"type": "string"}
    return OpenApiParameter(
        name,
        {"type": "array", "items": item} if many else item,  # type: ignore[arg-type]
        OpenApiParameter.QUERY,
        required=False,
        description=description,
        explode=True if many else None,
    )


def _integer(name: str, description: str, minimum: int) -> OpenApiParameter:
    return _query(name, description, schema={"type": "integer", "minimum": minimum, "maximum": MAX_INTEGER})


def _enum(name: str, description: str, values: list[str]) -> OpenApiParameter:
    return _query(name, description, schema={"type": "string", "enum": values})


NON_EMPTY = {"type": "string", "minLength": 1}
ENTITY_ARRAY = {"type": "array", "items": {"type": "object", "additionalProperties": True}}
FILTER = _query("filter", "key=value[,key=value…]; repeat for OR.", many=True)
FIELDS = _query("fields", "Comma-separated dot paths to keep.", many=True)
LIMIT = _integer("limit", "Page size.", 0)
OFFSET = _integer("offset", "Rows to skip.", 0)
ERRORS = {
    400: OpenApiResponse(ErrorSerializer, "InputError"),
    401: OpenApiResponse(ErrorSerializer, "AuthenticationError"),
    403: OpenApiResponse(ErrorSerializer, "NotAllowedError"),
}
NOT_FOUND = {404: OpenApiResponse(ErrorSerializer, "NotFoundError")}
CONFLICT = {409: OpenApiResponse(ErrorSerializer, "ConflictError")}
PATH_NAME = [
    OpenApiParameter("kind", str, OpenApiParameter.PATH),
    OpenApiParameter("namespace", str, OpenApiParameter.PATH),
    OpenApiParameter("name", str, OpenApiParameter.PATH),
]

get_entities = extend_schema(
    operation_id="getEntities",
    tags=[TAG_ENTITIES],
    parameters=[
        FILTER,
        FIELDS,
        _query(
            "order",
            "asc:<field> or desc:<field>.",
            many=True,
            schema={"type": "string", "pattern": "^(asc|desc):.+$"},
        ),
        _integer("limit", "Page size.", 1),
        OFFSET,
        _query("after", "The cursor of the Link: rel=next header.", schema=NON_EMPTY),
    ],
    responses={200: OpenApiResponse(ENTITY_ARRAY, "An array of entities."), **ERRORS},
)
get_entities_by_query = extend_schema(
    operation_id="getEntitiesByQuery",
    tags=[TAG_ENTITIES],
    parameters=[
        FILTER,
        FIELDS,
        LIMIT,
        OFFSET,
        _query(
            "orderField",
            "<field>[,asc|desc]",
            many=True,
            schema={"type": "string", "pattern": "^[^,]+(,(asc|desc))?$"},
        ),
        _query("fullTextFilterTerm", "Case-insensitive substring."),
        _query("fullTextFilterFields", "Fields the term is looked for in.", many=True),
        _enum("totalItems", "Whether to count the matches.", ["include", "exclude"]),
        _query("cursor", "Continue a walk; filters and ordering are then ignored.", schema=NON_EMPTY),
    ],
    responses={200: EntitiesQueryResponseSerializer, **ERRORS},
)
post_entities_by_query = extend_schema(
    operation_id="queryEntitiesByPredicate",
    tags=[TAG_ENTITIES],
    request=EntitiesQueryRequestSerializer,
    responses={200: EntitiesQueryResponseSerializer, **ERRORS},
)
get_entities_by_refs = extend_schema(
    operation_id="getEntitiesByRefs",
    tags=[TAG_ENTITIES],
    parameters=[FILTER, FIELDS],
    request=EntitiesByRefsRequestSerializer,
    responses={200: EntitiesByRefsResponseSerializer, **ERRORS},
)
get_entity_by_name = extend_schema(
    operation_id="getEntityByName",
    tags=[TAG_ENTITIES],
    parameters=PATH_NAME,
    responses={200: OpenApiTypes.OBJECT, **ERRORS, **NOT_FOUND},
)
get_entity_ancestry = extend_schema(
    operation_id="getEntityAncestryByName",
    tags=[TAG_ENTITIES],
    parameters=PATH_NAME,
    responses={200: AncestrySerializer, **ERRORS, **NOT_FOUND},
)
get_entity_by_uid = extend_schema(
    operation_id="getEntityByUid",
    tags=[TAG_ENTITIES],
    responses={200: OpenApiTypes.OBJECT, **ERRORS, **NOT_FOUND},
)
delete_entity_by_uid = extend_schema(
    operation_id="deleteEntityByUid",
    tags=[TAG_ENTITIES],
    responses={204: None, **ERRORS},
)
get_entity_facets = extend_schema(
    operation_id="getEntityFacets",
    tags=[TAG_ENTITIES],
    parameters=[
        OpenApiParameter(
            "facet",
            {"type": "array", "items": NON_EMPTY, "minItems": 1},  # type: ignore[arg-type]
            OpenApiParameter.QUERY,
            required=True,
            explode=True,
            description="Search keys to count values of.",
        ),
        FILTER,
    ],
    responses={200: FacetsResponseSerializer, **ERRORS},
)
post_entity_facets = extend_schema(
    operation_id="queryEntityFacetsByPredicate",
    tags=[TAG_ENTITIES],
    request=FacetsRequestSerializer,
    responses={200: FacetsResponseSerializer, **ERRORS},
)
refresh_entity = extend_schema(
    operation_id="refreshEntity",
    tags=[TAG_ACTIONS],
    request=RefreshRequestSerializer,
    responses={200: None, **ERRORS, **NOT_FOUND},
)
validate_entity = extend_schema(
    operation_id="validateEntity",
    tags=[TAG_ACTIONS],
    request=ValidateRequestSerializer,
    responses={200: None, 400: ValidateErrorsSerializer, 401: ERRORS[401], 403: ERRORS[403]},
)
analyze_location = extend_schema(
    operation_id="analyzeLocation",
    tags=[TAG_ACTIONS],
    request=AnalyzeRequestSerializer,
    responses={200: AnalyzeResponseSerializer, **ERRORS},
)
get_locations = extend_schema(
    operation_id="getLocations",
    tags=[TAG_LOCATIONS],
    responses={200: LocationListItemSerializer(many=True), **ERRORS},
)
create_location = extend_schema(
    operation_id="createLocation",
    tags=[TAG_LOCATIONS],
    request=LocationInputSerializer,
    parameters=[
        _enum("dryRun", "Process without storing.", ["true", "false"]),
        _enum("onConflict", "What a duplicate does.", ["reject", "refresh"]),
    ],
    responses={201: LocationCreatedSerializer, **ERRORS, **CONFLICT},
)
get_location = extend_schema(
    operation_id="getLocation",
    tags=[TAG_LOCATIONS],
    responses={200: LocationSerializer, **ERRORS, **NOT_FOUND},
)
update_location = extend_schema(
    operation_id="updateLocation",
    tags=[TAG_LOCATIONS],
    request=LocationUpdateSerializer,
    responses={200: LocationSerializer, **ERRORS, **NOT_FOUND, **CONFLICT},
)
delete_location = extend_schema(
    operation_id="deleteLocation",
    tags=[TAG_LOCATIONS],
    responses={204: None, **ERRORS, **NOT_FOUND},
)
query_locations = extend_schema(
    operation_id="getLocationsByQuery",
    tags=[TAG_LOCATIONS],
    request=LocationsQueryRequestSerializer,
    responses={200: LocationsQueryResponseSerializer, **ERRORS},
)
get_location_by_entity = extend_schema(
    operation_id="getLocationByEntity",
    tags=[TAG_LOCATIONS],
    parameters=PATH_NAME,
    responses={200: LocationSerializer, **ERRORS, **NOT_FOUND},
)
