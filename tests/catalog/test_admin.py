"""The catalog admin: lists with filters at a fixed query cost, entity pages, actions, registering locations."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog import services
from catalog.admin import humanize_ref, short_summary_text, summary_text
from catalog.models import CatalogError, Entity, Location, Relation
from catalog.services import refresh_location, register_location

pytestmark = pytest.mark.django_db

ENTITIES = reverse("admin:catalog_entity_changelist")
LOCATIONS = reverse("admin:catalog_location_changelist")
LOCATION_ADD = reverse("admin:catalog_location_add")
MAX_CHANGELIST_QUERIES = 10  # session, user, five filters' values, two counts, the page

GROUPS = """\
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-a}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-b, namespace: payments}
spec: {type: team, children: []}
"""


def component(name: str, *, owner: str = "team-a", type_: str = "service", extra: str = "") -> str:
    return (
        "---\napiVersion: backstage.io/v1alpha1\nkind: Component\n"
        f"metadata: {{name: {name}, title: Title of {name}}}\n"
        f"spec: {{type: {type_}, lifecycle: production, owner: {owner}{extra}}}\n"
    )


def catalog_text(count: int) -> str:
    """Groups plus ``count`` components of two types and two owners."""
    return GROUPS + "".join(
        component(
            f"svc-{i}",
            owner="team-a" if i % 2 else "payments/team-b",
            type_="service" if i % 3 else "website",
        )
        for i in range(count)
    )


def register(path: Path) -> Location:
    location, _ = register_location("file", str(path))
    assert refresh_location(location.pk) is not None
    location.refresh_from_db()
    return location


def entity(ref: str) -> Entity:
    return Entity.objects.get(ref=ref)


def change_url(obj: Entity | Location) -> str:
    return reverse(f"admin:catalog_{obj._meta.model_name}_change", args=[obj.pk])


def texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def eager_celery() -> Iterator[None]:
    """Tasks run in this process when enqueued (after commit, with ``django_capture_on_commit_callbacks``)."""
    from portal.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


@pytest.fixture
def refreshes(monkeypatch) -> list[str]:
    """Location ids that ``services.refresh_location`` was called with (it still runs)."""
    calls: list[str] = []
    real = services.refresh_location

    def spy(location_id, **kwargs):
        calls.append(str(location_id))
        return real(location_id, **kwargs)

    monkeypatch.setattr(services, "refresh_location", spy)
    return calls


@pytest.fixture
def catalog(write_yaml) -> Callable[[int], Location]:
    """``catalog(n)`` writes and (re)loads a file of n components, two groups and a Location."""

    def build(count: int) -> Location:
        path = write_yaml("catalog.yaml", catalog_text(count))
        location = Location.objects.filter(target=str(path)).first()
        if location is None:
            return register(path)
        refresh_location(location.pk)
        return location

    return build


# --- the entity list


CHANGELIST_QUERIES = [
    ("", None),
    ("?kind=Component", "Component"),
    ("?namespace=payments", "payments"),
    ("?type=website", "website"),
    ("?lifecycle=production", "production"),
    ("?owner=group:payments/team-b", "svc-0"),
    ("?orphan__exact=0", None),
    ("?has_errors__exact=0", None),
    ("?q=svc-1", "svc-1"),
    ("?kind=Component&type=service&owner=group:default/team-a&q=title", None),
]


def changelist_query_counts(client: Client) -> dict[str, int]:
    counts = {}
    for query, expected in CHANGELIST_QUERIES:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(ENTITIES + query)
        assert response.status_code == 200, query
        if expected:
            assert expected in response.content.decode(), query
        counts[query] = len(captured)
    return counts


def test_changelist_filters_and_search_cost_the_same_for_5_and_50_entities(
    admin_client, catalog, django_assert_max_num_queries
):
    catalog(5)
    small = changelist_query_counts(admin_client)
    catalog(50)
    with django_assert_max_num_queries(MAX_CHANGELIST_QUERIES * len(CHANGELIST_QUERIES)):
        large = changelist_query_counts(admin_client)
    assert large == small, large
    assert max(large.values()) <= MAX_CHANGELIST_QUERIES


def test_filters_offer_the_distinct_values_and_narrow_the_list(admin_client, catalog):
    catalog(6)
    response = admin_client.get(ENTITIES)
    filters = {
        spec.title: [choice["display"] for choice in spec.choices(response.context["cl"])]
        for spec in response.context["cl"].filter_specs
    }
    assert filters["kind"] == ["All", "Component", "Group", "Location"]
    assert filters["namespace"] == ["All", "default", "payments"]
    assert filters["type"] == ["All", "file", "service", "team", "website"]  # file: the location
    assert filters["owner"] == ["All", "team-a", "payments/team-b"]  # as Backstage shows owners

    def refs(query: str) -> set[str]:
        return {e.ref for e in admin_client.get(ENTITIES + query).context["cl"].result_list}

    assert refs("?type=website") == {"component:default/svc-0", "component:default/svc-3"}
    assert refs("?owner=group:default/team-a&type=service") == {
        "component:default/svc-1",
        "component:default/svc-5",
    }
    assert refs("?namespace=payments") == {"group:payments/team-b"}
    assert refs("?q=Title of svc-4") == {"component:default/svc-4"}
    assert refs("?has_errors__exact=1") == set()


# --- the entity page


def test_entity_page_shows_the_descriptor_as_yaml_and_relations_with_links(admin_client, catalog):
    catalog(2)
    svc = entity("component:default/svc-1")
    team = entity("group:default/team-a")
    response = admin_client.get(change_url(svc))
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        '<pre class="catalog-source">apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n' in page
    )
    assert "  name: svc-1\n  title: Title of svc-1\nspec:\n  type: service" in page
    assert "&quot;etag&quot;: &quot;" + svc.etag in page, "the served JSON"
    relations = {(r["direction"], r["type"], r["peer"]): r for r in response.context["relations"]}
    assert set(relations) == {
        ("outgoing", "ownedBy", "group:default/team-a"),
        ("incoming", "ownerOf", "group:default/team-a"),
    }
    assert relations[("outgoing", "ownedBy", "group:default/team-a")]["peer_url"] == change_url(team)
    assert f'<a href="{change_url(team)}">group:default/team-a</a>' in page

    team_page = admin_client.get(change_url(team))
    peers = {(r["type"], r["peer"]): r["peer_url"] for r in team_page.context["relations"]}
    assert peers[("ownerOf", "component:default/svc-1")] == change_url(svc)


def test_a_relation_to_a_missing_entity_has_no_link_and_errors_show(admin_client, write_yaml):
    path = write_yaml("c.yaml", GROUPS + component("lonely", extra=", system: nowhere"))
    register(path)
    lonely = entity("component:default/lonely")
    Entity.objects.filter(pk=lonely.pk).update(
        errors=[{"type": "backstage.io/catalog-processing", "level": "error", "message": "InputError: boom"}]
    )
    response = admin_client.get(change_url(lonely))
    relations = {r["peer"]: r["peer_url"] for r in response.context["relations"]}
    assert relations["system:default/nowhere"] == ""
    assert "(not in the catalog)" in response.content.decode()
    assert "InputError: boom" in response.content.decode()


def test_the_entity_page_costs_the_same_whatever_the_relations(admin_client, write_yaml):
    few = write_yaml("few.yaml", GROUPS + component("hub"))
    register(few)
    hub = entity("component:default/hub")
    with CaptureQueriesContext(connection) as small:
        admin_client.get(change_url(hub))
    deps = "".join(component(f"dep-{i}", extra=", dependsOn: ['component:hub']") for i in range(30))
    register(write_yaml("many.yaml", deps))
    with CaptureQueriesContext(connection) as large:
        response = admin_client.get(change_url(hub))
    assert len(response.context["relations"]) == 2 + 30 + 30  # dependencyOf out, dependsOn in
    assert len(large) == len(small)


def test_entities_from_a_location_cannot_be_edited(admin_client, catalog):
    """Adding entities (admin-managed ones) is tested in test_admin_entities.py."""
    catalog(1)
    svc = entity("component:default/svc-0")
    response = admin_client.post(change_url(svc), {"title": "changed"})
    assert response.status_code == 403
    assert entity(svc.ref).title == "Title of svc-0"
    assert 'name="_save"' not in admin_client.get(change_url(svc)).content.decode()


# --- entity actions and deletion


def test_refresh_action_queues_each_location_once_after_commit(
    admin_client, write_yaml, eager_celery, refreshes, django_capture_on_commit_callbacks
):
    first = write_yaml("one.yaml", GROUPS + component("a1") + component("a2"))
    second = write_yaml("two.yaml", component("b1"))
    one, two = register(first), register(second)
    first.write_text(GROUPS + component("a1") + component("a2") + component("a3"))
    selected = Entity.objects.filter(
        ref__in=["component:default/a1", "component:default/a2", "component:default/b1"]
    )
    refreshes.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            ENTITIES,
            {
                "action": "refresh",
                "_selected_action": [str(pk) for pk in selected.values_list("pk", flat=True)],
            },
        )
    assert response.status_code == 302
    assert sorted(refreshes) == sorted([str(one.pk), str(two.pk)])
    assert Entity.objects.filter(ref="component:default/a3").exists()
    assert texts(response) == ["Queued a refresh of 2 location(s) for 3 selected entities."]


def test_delete_orphans_action_deletes_only_the_orphans(admin_client, write_yaml, settings):
    settings.CATALOG_ORPHAN_STRATEGY = "keep"
    path = write_yaml("c.yaml", GROUPS + component("kept") + component("gone"))
    location = register(path)
    path.write_text(GROUPS + component("kept"))
    refresh_location(location.pk)
    gone, kept = entity("component:default/gone"), entity("component:default/kept")
    assert gone.orphan and not kept.orphan
    assert "backstage.io/orphan" in admin_client.get(change_url(gone)).content.decode()

    response = admin_client.post(
        ENTITIES, {"action": "delete_orphans", "_selected_action": [str(gone.pk), str(kept.pk)]}
    )
    assert response.status_code == 302
    assert not Entity.objects.filter(pk=gone.pk).exists()
    assert Entity.objects.filter(pk=kept.pk).exists()
    assert texts(response) == ["Deleted 1 orphan(s); skipped 1 selected entities that are not orphans."]
    team = entity("group:default/team-a")
    assert {r["targetRef"] for r in team.final["relations"]} == {"component:default/kept"}, "peer restitched"


def test_deleting_an_entity_goes_through_the_service_and_restitches_its_peers(admin_client, catalog):
    catalog(2)
    svc = entity("component:default/svc-1")
    confirm = admin_client.get(reverse("admin:catalog_entity_delete", args=[svc.pk]))
    assert confirm.status_code == 200
    assert confirm.context["perms_lacking"] == set()
    assert dict(confirm.context["model_count"]) == {"entities": 1, "relations": 2}

    response = admin_client.post(reverse("admin:catalog_entity_delete", args=[svc.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Entity.objects.filter(pk=svc.pk).exists()
    assert not Relation.objects.filter(target_ref=svc.ref).exists()
    team = entity("group:default/team-a")
    assert "component:default/svc-1" not in {r["targetRef"] for r in team.final["relations"]}


def test_bulk_delete_selected_goes_through_the_service(admin_client, catalog):
    catalog(3)
    selected = list(Entity.objects.filter(kind="Component").values_list("pk", flat=True))
    response = admin_client.post(
        ENTITIES,
        {"action": "delete_selected", "post": "yes", "_selected_action": [str(pk) for pk in selected]},
    )
    assert response.status_code == 302
    assert not Entity.objects.filter(kind="Component").exists()
    team = entity("group:default/team-a")
    assert team.final["relations"] == []


# --- locations


def test_location_add_form_refuses_a_host_not_on_the_allow_list(admin_client, settings):
    settings.CATALOG_ALLOWED_HOSTS = ["example.org"]
    response = admin_client.post(
        LOCATION_ADD, {"type": "url", "target": "https://evil.test/x.yaml", "presence": "required"}
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["target"]
    assert errors["target"] == [
        "https://evil.test/x.yaml is not allowed: its host is not on the CATALOG_ALLOWED_HOSTS allow-list"
    ]
    assert not Location.objects.exists()


def test_location_add_form_checks_kinds_files_and_duplicates(admin_client, write_yaml, tmp_path):
    response = admin_client.post(
        LOCATION_ADD, {"type": "file", "target": str(tmp_path / "missing.yaml"), "presence": "required"}
    )
    assert "does not exist" in str(response.context["adminform"].form.errors)
    path = write_yaml("c.yaml", component("x"))
    response = admin_client.post(
        LOCATION_ADD,
        {"type": "file", "target": str(path), "presence": "required", "allowed_kinds": "Comp-onent"},
    )
    assert "Not a kind: Comp-onent" in str(response.context["adminform"].form.errors)
    register_location("file", str(path))
    response = admin_client.post(LOCATION_ADD, {"type": "file", "target": str(path), "presence": "required"})
    assert "is already registered" in str(response.context["adminform"].form.errors)
    assert Location.objects.count() == 1


def test_location_add_form_registers_a_file_and_processes_it_after_commit(
    admin_client, write_yaml, eager_celery, django_capture_on_commit_callbacks
):
    path = write_yaml("c.yaml", GROUPS + component("added"))
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            LOCATION_ADD,
            {
                "type": "file",
                "target": str(path),
                "presence": "optional",
                "allowed_kinds": "Component, Group",
            },
        )
    assert response.status_code == 302
    location = Location.objects.get()
    assert (location.ref, location.presence, location.allowed_kinds) == (
        f"file:{path}",
        "optional",
        ["Component", "Group"],
    )
    assert location.registered_by == "admin"
    assert Entity.objects.filter(ref="component:default/added").exists()
    assert location.status == Location.Status.OK


def test_refresh_now_button_processes_the_location_and_shows_errors(admin_client, write_yaml):
    path = write_yaml("broken.yaml", component("fine") + "---\nkind: [unclosed\n")
    location, _ = register_location("file", str(path))
    page = admin_client.get(change_url(location)).content.decode()
    refresh_url = reverse("admin:catalog_location_refresh", args=[location.pk])
    assert f'action="{refresh_url}"' in page and "csrfmiddlewaretoken" in page

    assert admin_client.get(refresh_url).status_code == 405
    response = admin_client.post(refresh_url, follow=True)
    assert response.redirect_chain == [(change_url(location), 302)]
    shown = texts(response)
    assert (
        shown[0]
        == f"Refreshed file:{path}: 1 added, 0 updated, 0 unchanged, 0 orphaned, 1 errors, 0 conflicts (1 files)"
    )
    assert shown[1].startswith(f"file:{path}: YAML error")
    location.refresh_from_db()
    assert location.status == Location.Status.ERROR
    errors = response.context["inline_admin_formsets"][0].formset.queryset
    assert [e.kind for e in errors] == ["parse"]
    assert "cannot parse" in response.content.decode()


def test_refresh_now_button_needs_a_csrf_token(admin_user, write_yaml):
    location, _ = register_location("file", str(write_yaml("c.yaml", component("x"))))
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    response = client.post(reverse("admin:catalog_location_refresh", args=[location.pk]))
    assert response.status_code == 403
    location.refresh_from_db()
    assert location.refreshed_at is None


def test_refresh_now_action_runs_up_to_five_here_and_queues_more(
    admin_client, write_yaml, refreshes, monkeypatch, django_capture_on_commit_callbacks
):
    locations = [
        register_location("file", str(write_yaml(f"{i}.yaml", component(f"c{i}"))))[0] for i in range(6)
    ]
    queued: list[str] = []
    monkeypatch.setattr("catalog.tasks.refresh_location.delay", queued.append)

    response = admin_client.post(
        LOCATIONS, {"action": "refresh_now", "_selected_action": [str(loc.pk) for loc in locations[:2]]}
    )
    assert sorted(refreshes) == sorted(str(loc.pk) for loc in locations[:2])
    assert all("Refreshed" in text for text in texts(response))
    assert Entity.objects.filter(kind="Component").count() == 2

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            LOCATIONS, {"action": "refresh_now", "_selected_action": [str(loc.pk) for loc in locations]}
        )
    assert len(refreshes) == 2 and sorted(queued) == sorted(str(loc.pk) for loc in locations)
    assert "Queued 6 locations" in texts(response)[-1]


def test_location_list_counts_errors_and_entities_at_a_fixed_cost(admin_client, write_yaml):
    def build(count: int) -> None:
        for i in range(count):
            bad = component(f"ok-{count}-{i}") + component("Bad_Name_")
            register(write_yaml(f"l{count}-{i}.yaml", bad))

    build(2)
    with CaptureQueriesContext(connection) as small:
        response = admin_client.get(LOCATIONS)
    assert [row.error_count for row in response.context["cl"].result_list] == [1, 1]
    assert [row.entity_count for row in response.context["cl"].result_list] == [2, 2]
    build(8)
    with CaptureQueriesContext(connection) as large:
        response = admin_client.get(LOCATIONS)
    assert len(response.context["cl"].result_list) == 10
    assert len(large) == len(small)
    assert response.content.decode().count("2 added, 1 errors (1 files)") == 10


def test_location_page_shows_summary_errors_and_entity_count(admin_client, write_yaml):
    location = register(write_yaml("c.yaml", GROUPS + component("good") + component("Bad_Name_")))
    response = admin_client.get(change_url(location))
    page = response.content.decode()
    assert "4 added, 0 updated, 0 unchanged, 0 orphaned, 1 errors, 0 conflicts (1 files)" in page
    assert "4 entities" in page and f"location__id__exact={location.pk}" in page
    inline = response.context["inline_admin_formsets"][0].formset
    assert [(e.kind, e.field) for e in inline.queryset] == [("validation", "metadata.name")]
    entities = admin_client.get(ENTITIES + f"?location__id__exact={location.pk}")
    assert entities.context["cl"].result_count == 4


def test_deleting_a_location_removes_its_entities_through_the_service(admin_client, catalog):
    location = catalog(3)
    delete_url = reverse("admin:catalog_location_delete", args=[location.pk])
    confirm = admin_client.get(delete_url)
    assert confirm.context["perms_lacking"] == set()
    assert dict(confirm.context["model_count"]) == {"locations": 1, "entities": 6, "processing errors": 0}
    response = admin_client.post(delete_url, {"post": "yes"})
    assert response.status_code == 302
    assert not Location.objects.exists() and not Entity.objects.exists() and not Relation.objects.exists()


# --- processing errors and relations


def test_processing_errors_list_is_read_only_with_filters_and_search(admin_client, write_yaml):
    location = register(write_yaml("c.yaml", component("good") + component("Bad_Name_") + "---\n[unclosed\n"))
    url = reverse("admin:catalog_catalogerror_changelist")
    assert admin_client.get(url).context["cl"].result_count == 1  # a parse error fails the whole file
    assert CatalogError.objects.get().kind == "parse"
    words = CatalogError.objects.get().message.split()[:3]
    for query in (
        "?kind__exact=parse",
        f"?location__id__exact={location.pk}",
        "?q=c.yaml",
        "?q=" + " ".join(words),
    ):
        response = admin_client.get(url + query)
        assert response.status_code == 200 and response.context["cl"].result_count == 1, query
    assert admin_client.get(url + "?kind__exact=rule").context["cl"].result_count == 0
    error = CatalogError.objects.get()
    assert admin_client.get(reverse("admin:catalog_catalogerror_add")).status_code == 403
    assert admin_client.get(reverse("admin:catalog_catalogerror_delete", args=[error.pk])).status_code == 403
    assert admin_client.get(reverse("admin:catalog_catalogerror_change", args=[error.pk])).status_code == 200


def test_relations_list_is_read_only_with_type_filter_and_search(admin_client, catalog):
    catalog(3)
    url = reverse("admin:catalog_relation_changelist")
    response = admin_client.get(url + "?type=ownedBy")
    assert {r.type for r in response.context["cl"].result_list} == {"ownedBy"}
    assert len(response.context["cl"].result_list) == 3
    response = admin_client.get(url + "?q=svc-2")
    assert {(r.source_ref, r.type) for r in response.context["cl"].result_list} == {
        ("component:default/svc-2", "ownedBy"),
        ("group:payments/team-b", "ownerOf"),
    }
    relation = Relation.objects.first()
    assert admin_client.get(reverse("admin:catalog_relation_change", args=[relation.pk])).status_code == 200
    assert admin_client.get(reverse("admin:catalog_relation_delete", args=[relation.pk])).status_code == 403


# --- who may do what


@pytest.fixture
def viewer(django_user_model) -> Client:
    """Staff with the view permissions only."""
    user = django_user_model.objects.create_user("viewer", password="unused", is_staff=True)
    codenames = ["view_entity", "view_location", "view_catalogerror", "view_relation"]
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="catalog", codename__in=codenames)
    )
    client = Client()
    client.force_login(user)
    return client


def test_viewers_see_pages_but_cannot_refresh_register_or_delete(viewer, catalog):
    location = catalog(1)
    response = viewer.get(ENTITIES)
    assert response.status_code == 200 and response.context["action_form"] is None
    page = viewer.get(change_url(location)).content.decode()
    assert "Refresh now" not in page and "deletelink" not in page
    assert viewer.post(reverse("admin:catalog_location_refresh", args=[location.pk])).status_code == 403
    assert viewer.get(LOCATION_ADD).status_code == 403
    svc = entity("component:default/svc-0")
    assert (
        viewer.post(reverse("admin:catalog_entity_delete", args=[svc.pk]), {"post": "yes"}).status_code == 403
    )
    assert Entity.objects.filter(pk=svc.pk).exists()


def test_refreshing_needs_the_catalog_entity_refresh_permission(viewer, catalog):
    location = catalog(1)
    user = viewer.get(ENTITIES).wsgi_request.user
    user.user_permissions.add(Permission.objects.get(codename="refresh_entity"))
    action_form = viewer.get(ENTITIES).context["action_form"]
    assert [name for name, _ in action_form.fields["action"].choices if name] == ["refresh"]
    response = viewer.post(reverse("admin:catalog_location_refresh", args=[location.pk]))
    assert response.status_code == 302


# --- helpers


@pytest.mark.parametrize(
    ("ref", "default_kind", "shown"),
    [
        ("group:default/team-a", "group", "team-a"),
        ("group:payments/team-b", "group", "payments/team-b"),
        ("user:default/jo", "group", "user:jo"),
        ("user:ops/jo", "group", "user:ops/jo"),
    ],
)
def test_humanize_ref_drops_the_default_kind_and_namespace(ref, default_kind, shown):
    assert humanize_ref(ref, default_kind) == shown


def test_summaries_read_as_the_command_prints_them():
    summary = {
        "added": 2,
        "updated": 0,
        "unchanged": 5,
        "orphaned": 0,
        "errors": 1,
        "conflicts": 0,
        "files": 3,
    }
    assert (
        summary_text(summary)
        == "2 added, 0 updated, 5 unchanged, 0 orphaned, 1 errors, 0 conflicts (3 files)"
    )
    assert short_summary_text(summary) == "2 added, 5 unchanged, 1 errors (3 files)"
    assert short_summary_text({**summary, "added": 0, "unchanged": 0, "errors": 0}) == "no changes (3 files)"
    assert summary_text({}) == short_summary_text({}) == "not refreshed yet"


# --- layout


def test_admin_pages_name_the_portal_icon_and_favicon_ico_redirects_to_it(admin_client):
    page = admin_client.get(ENTITIES).content.decode()
    assert '<link rel="icon" href="/static/greenroom/favicon.svg"' in page
    assert "/static/greenroom/admin.css" in page
    response = admin_client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"] == "/static/greenroom/favicon.svg"
