"""Backstage's own example catalog loads as Backstage would load it."""

from __future__ import annotations

from collections import Counter

import pytest

from catalog.models import CatalogError, Entity, Relation
from catalog.services import refresh_location, register_location
from tests.conftest import CORPUS

# Documents per kind in the corpus, less the one invalid API, plus one synthetic Location per registration.
EXPECTED_KINDS = {
    "API": 10,
    "AiResource": 3,
    "Component": 13,
    "Domain": 3,
    "Group": 9,
    "Location": 9 + 2,
    "Resource": 1,
    "System": 3,
    "User": 17,
}

# Worked out from spec §2.1: forward relations from the YAML, reverse ones on the target, default kinds,
# the writer's namespace for short refs.
EXPECTED_RELATIONS = [
    ("component:default/artist-lookup", "ownedBy", "group:default/team-a"),
    ("group:default/team-a", "ownerOf", "component:default/artist-lookup"),
    ("component:default/artist-lookup", "partOf", "system:default/artist-engagement-portal"),
    ("system:default/artist-engagement-portal", "hasPart", "component:default/artist-lookup"),
    ("component:default/petstore", "providesApi", "api:default/petstore"),
    ("api:default/petstore", "apiProvidedBy", "component:default/petstore"),
    ("component:default/wayback-search", "consumesApi", "api:default/wayback-archive"),
    ("api:default/wayback-archive", "apiConsumedBy", "component:default/wayback-search"),
    ("component:default/wayback-archive-ingestion", "partOf", "component:default/wayback-archive"),
    ("component:default/wayback-archive", "hasPart", "component:default/wayback-archive-ingestion"),
    ("system:default/audio-playback", "partOf", "domain:default/playback"),
    ("domain:default/playback", "hasPart", "system:default/audio-playback"),
    ("domain:default/artists", "partOf", "domain:default/audio"),
    ("group:default/team-a", "childOf", "group:default/backstage"),
    ("group:default/backstage", "parentOf", "group:default/team-a"),
    ("user:default/breanna.davison", "memberOf", "group:default/team-a"),
    ("group:default/team-a", "hasMember", "user:default/breanna.davison"),
    # A user in another namespace names its group fully; its reverse lands on the default-namespace group.
    ("user:development/guest", "memberOf", "group:default/team-a"),
    ("group:default/team-a", "hasMember", "user:development/guest"),
    # "owner: guest" is a Group reference that dangles: kept, as Backstage keeps it.
    ("component:default/playback-order", "ownedBy", "group:default/guest"),
]

REMOTE_DEFINITIONS = [
    "/APIs-guru/openapi-directory/dab6854d4d599aafb0eb36e6c7ae1fe0c37509b7/APIs/spotify.com/2021.4.2/openapi.yaml",
    "/APIs-guru/openapi-directory/main/APIs/archive.org/wayback/1.0.0/openapi.yaml",
    "/APIs-guru/openapi-directory/main/APIs/archive.org/search/1.0.0/openapi.yaml",
]


@pytest.fixture
def corpus_catalog(settings, file_server):
    """The corpus registered from its two entry points; its github.com definitions come from a fake raw host."""
    for path in REMOTE_DEFINITIONS:
        file_server.files[path] = f"openapi: 3.0.0\ninfo:\n  title: {path.split('/')[-3]}\n  version: 1.0.0\n"
    settings.CATALOG_ALLOWED_HOSTS = ["github.com", file_server.host]
    settings.CATALOG_GITHUB_RAW_URLS = {"github.com": file_server.base_url}
    summaries = []
    for entry in ("all.yaml", "acme-corp.yaml"):
        location, _ = register_location("file", str(CORPUS / entry))
        summaries.append(refresh_location(location.pk))
    return summaries


@pytest.mark.django_db
def test_every_valid_entity_loads_with_counts_per_kind(corpus_catalog):
    counts = Counter(Entity.objects.values_list("kind", flat=True))
    assert dict(counts) == EXPECTED_KINDS
    assert not Entity.objects.filter(has_errors=True).exists()
    assert not Entity.objects.filter(orphan=True).exists()


@pytest.mark.django_db
def test_exactly_the_invalid_api_is_reported(corpus_catalog):
    errors = list(CatalogError.objects.all())
    assert [(e.entity_ref, e.field, e.kind) for e in errors] == [
        ("api:default/local-inference-server", "spec.definition", "validation")
    ]
    assert errors[0].file.endswith("apis/local-ai-model-server-api.yaml")
    assert errors[0].document == 1
    assert not Entity.objects.filter(ref="api:default/local-inference-server").exists()
    assert [s.errors for s in corpus_catalog] == [1, 0]


@pytest.mark.django_db
def test_relations_follow_the_spec_rules(corpus_catalog):
    stored = set(Relation.objects.values_list("source_ref", "type", "target_ref"))
    missing = [row for row in EXPECTED_RELATIONS if row not in stored]
    assert missing == []
    served = Entity.objects.get(ref="group:default/team-a").final["relations"]
    assert {"type": "hasMember", "targetRef": "user:development/guest"} in served
    assert served == sorted(served, key=lambda r: (r["type"], r["targetRef"]))


@pytest.mark.django_db
def test_placeholders_are_resolved_from_files_and_urls(corpus_catalog):
    webhook = Entity.objects.get(ref="api:default/petstore-webhook").final
    assert webhook["spec"]["definition"] == (CORPUS / "apis" / "petstore-webhook.oas.yaml").read_text()
    spotify = Entity.objects.get(ref="api:default/spotify").final
    assert spotify["spec"]["definition"].startswith("openapi: 3.0.0")
    descriptor = Entity.objects.get(ref="api:default/spotify").descriptor
    assert "$text" in descriptor["spec"]["definition"], "the descriptor is kept as written"


@pytest.mark.django_db
def test_served_entities_carry_the_envelope_clients_need(corpus_catalog):
    for final in Entity.objects.values_list("final", flat=True):
        metadata = final["metadata"]
        assert metadata["namespace"]
        assert len(metadata["etag"]) == 40
        assert metadata["uid"]
        assert isinstance(final["relations"], list)
    component = Entity.objects.get(ref="component:default/artist-lookup").final
    annotations = component["metadata"]["annotations"]
    assert annotations["backstage.io/managed-by-location"] == (
        f"file:{CORPUS / 'components' / 'artist-lookup-component.yaml'}"
    )
    assert annotations["backstage.io/managed-by-origin-location"] == f"file:{CORPUS / 'all.yaml'}"


@pytest.mark.django_db
def test_a_second_refresh_changes_nothing(corpus_catalog):
    before = dict(Entity.objects.values_list("ref", "etag"))
    location = corpus_catalog and Entity.objects.get(ref="component:default/artist-lookup").location
    summary = refresh_location(location.pk)
    assert (summary.added, summary.updated, summary.orphaned) == (0, 0, 0)
    assert summary.unchanged == corpus_catalog[0].added
    assert dict(Entity.objects.values_list("ref", "etag")) == before
