"""Entities written in the admin: processed, stitched and served like a location's, owned by the admin location."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse

from catalog import services
from catalog.models import CatalogError, Entity, Location, Relation, SearchRow
from catalog.services import refresh_location, register_location
from permissions.models import AuditEvent, EntityGroupObjectPermission
from tests.http import body

pytestmark = pytest.mark.django_db

ADD = reverse("admin:catalog_entity_add")
ENTITIES = reverse("admin:catalog_entity_changelist")
ADMIN_LOCATION = "admin:greenroom"

GROUP = """\
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-a}
spec: {type: team, children: []}
"""


def component(name: str = "billing", description: str = "Bills", owner: str = "team-a") -> str:
    return (
        "apiVersion: backstage.io/v1alpha1\nkind: Component\n"
        f"metadata:\n  name: {name}\n  description: {description}\n"
        f"spec:\n  type: service\n  lifecycle: production\n  owner: {owner}\n"
    )


def change_url(entity: Entity) -> str:
    return reverse("admin:catalog_entity_change", args=[entity.pk])


def add(client: Client, text: str):
    return client.post(ADD, {"descriptor_text": text})


def form_errors(response) -> list[str]:
    return list(response.context["adminform"].form.errors.get("descriptor_text", []))


def register_file(write_yaml, name: str, text: str) -> Location:
    location, _ = register_location("file", str(write_yaml(name, text)))
    refresh_location(location.pk)
    return location


@pytest.fixture
def team(write_yaml) -> Location:
    """A file location holding group:default/team-a, so admin entities have an owner to relate to."""
    return register_file(write_yaml, "groups.yaml", GROUP)


# --- creating


def test_an_entity_created_in_the_admin_is_processed_stitched_and_owned_by_the_admin_location(
    admin_client, team
):
    response = add(admin_client, component())
    assert response.status_code == 302, form_errors(response)

    billing = Entity.objects.select_related("location").get(ref="component:default/billing")
    assert (billing.location.type, billing.location.ref) == ("admin", ADMIN_LOCATION)
    annotations = billing.final["metadata"]["annotations"]
    assert annotations["backstage.io/managed-by-location"] == ADMIN_LOCATION
    assert annotations["backstage.io/managed-by-origin-location"] == ADMIN_LOCATION
    assert billing.etag and billing.final["metadata"]["etag"] == billing.etag
    assert billing.generation == 1 and billing.owner_ref == "group:default/team-a"
    assert billing.parent_ref == billing.location.entity_ref
    # Relations both ways, the group restitched to serve its side, search rows for filters.
    assert {"type": "ownedBy", "targetRef": "group:default/team-a"} in billing.final["relations"]
    group = Entity.objects.get(ref="group:default/team-a")
    assert {"type": "ownerOf", "targetRef": "component:default/billing"} in group.final["relations"]
    assert SearchRow.objects.filter(entity=billing, key="metadata.description", value="bills").exists()
    # The admin location is in the catalog as its own Location entity, like every location.
    assert Entity.objects.filter(ref=billing.location.entity_ref, location=billing.location).exists()

    event = AuditEvent.objects.get(action="catalog.entity.create", target=billing.ref)
    assert (event.actor, event.path) == ("user:admin", "admin")


def test_an_admin_entity_is_served_by_the_api_and_its_page(admin_client, team):
    add(admin_client, component(description="Sends the invoices"))
    api = admin_client.get("/api/catalog/entities/by-name/component/default/billing")
    assert api.status_code == 200
    assert api.json()["metadata"]["description"] == "Sends the invoices"
    listed = admin_client.get("/api/catalog/entities", {"filter": "metadata.description=sends the invoices"})
    served = json.loads(body(listed))
    assert [e["metadata"]["name"] for e in served] == ["billing"]
    page = admin_client.get("/catalog/default/component/billing/")
    assert page.status_code == 200 and "Sends the invoices" in page.content.decode()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("kind: [unclosed", "YAML error"),
        ("# nothing here\n", "exactly one entity descriptor"),
        (component("one") + "---\n" + component("two"), "found 2 documents"),
        (component(name="Not A Name!"), "metadata.name"),
        (component().replace("  owner: team-a\n", ""), '"spec.owner" is required'),
        (component(owner="'group:'"), "spec.owner"),
        (GROUP.replace("Group", "Location").replace("team-a", "elsewhere"), "register a location instead"),
        (component().replace("backstage.io/v1alpha1", "example.com/v9"), "No processor recognized"),
    ],
)
def test_an_invalid_descriptor_shows_the_errors_on_the_form_and_saves_nothing(admin_client, text, expected):
    entities_before = Entity.objects.count()
    response = add(admin_client, text)
    assert response.status_code == 200
    errors = form_errors(response)
    assert any(expected in error for error in errors), errors
    assert Entity.objects.count() == entities_before
    assert not Location.objects.filter(type="admin").exists()
    assert not AuditEvent.objects.filter(action__startswith="catalog.entity").exists()


def test_a_kind_the_site_does_not_allow_is_refused(admin_client, settings):
    settings.CATALOG_ALLOWED_KINDS = ["Group"]
    errors = form_errors(add(admin_client, component()))
    assert errors == ["kind: Entity of kind Component is not allowed from this location"]


def test_an_entity_from_a_file_cannot_be_taken_over_in_the_admin(admin_client, team):
    response = add(admin_client, GROUP.replace("children: []", "children: [], profile: {displayName: X}"))
    assert response.status_code == 200
    [error] = form_errors(response)
    assert "group:default/team-a is already registered by location file:" in error
    assert "cannot be taken over in the admin" in error
    group = Entity.objects.get(ref="group:default/team-a")
    assert group.location_id == team.pk and "profile" not in group.processed["spec"]


def test_creating_the_same_ref_twice_says_to_edit_it(admin_client, team):
    add(admin_client, component())
    [error] = form_errors(add(admin_client, component(description="again")))
    assert "already exists in the admin: edit it instead" in error


def test_a_file_location_cannot_take_over_an_admin_entity(admin_client, team, write_yaml):
    add(admin_client, component(description="From the admin"))
    other = register_file(write_yaml, "billing.yaml", component(description="From a file"))
    billing = Entity.objects.get(ref="component:default/billing")
    assert billing.location.ref == ADMIN_LOCATION
    assert billing.final["metadata"]["description"] == "From the admin"
    assert CatalogError.objects.filter(location=other, kind="conflict", entity_ref=billing.ref).exists()


# --- editing


def test_editing_reprocesses_restitches_and_bumps_the_generation(admin_client, team):
    add(admin_client, component())
    billing = Entity.objects.get(ref="component:default/billing")
    page = admin_client.get(change_url(billing)).content.decode()
    assert 'name="descriptor_text"' in page and "description: Bills" in page

    response = admin_client.post(
        change_url(billing), {"descriptor_text": component(description="Sends invoices")}
    )
    assert response.status_code == 302, form_errors(response)
    edited = Entity.objects.get(pk=billing.pk)
    assert edited.final["metadata"]["description"] == "Sends invoices"
    assert (edited.generation, edited.etag != billing.etag) == (2, True)
    assert SearchRow.objects.filter(
        entity=edited, key="metadata.description", value="sends invoices"
    ).exists()
    assert not SearchRow.objects.filter(entity=edited, value="bills").exists()
    assert AuditEvent.objects.filter(action="catalog.entity.update", target=billing.ref).count() == 1

    # Saving the same descriptor again changes nothing and records nothing.
    admin_client.post(change_url(billing), {"descriptor_text": component(description="Sends invoices")})
    again = Entity.objects.get(pk=billing.pk)
    assert (again.generation, again.etag) == (2, edited.etag)
    assert AuditEvent.objects.filter(action="catalog.entity.update").count() == 1


def test_a_new_owner_moves_the_relations(admin_client, team, write_yaml):
    register_file(write_yaml, "more.yaml", GROUP.replace("team-a", "team-b"))
    add(admin_client, component())
    billing = Entity.objects.get(ref="component:default/billing")
    admin_client.post(change_url(billing), {"descriptor_text": component(owner="team-b")})
    team_a, team_b = (Entity.objects.get(ref=f"group:default/{name}") for name in ("team-a", "team-b"))
    assert not any(r["type"] == "ownerOf" for r in team_a.final["relations"])
    assert {"type": "ownerOf", "targetRef": billing.ref} in team_b.final["relations"]
    assert Relation.objects.filter(originating=billing).count() == 2


def test_an_invalid_edit_keeps_the_last_good_entity(admin_client, team):
    add(admin_client, component())
    billing = Entity.objects.get(ref="component:default/billing")
    response = admin_client.post(change_url(billing), {"descriptor_text": component().replace("service", "")})
    assert response.status_code == 200 and any("spec.type" in e for e in form_errors(response))
    kept = Entity.objects.get(pk=billing.pk)
    assert (kept.etag, kept.generation, kept.descriptor) == (billing.etag, 1, billing.descriptor)


def test_the_name_of_an_admin_entity_cannot_change(admin_client, team):
    add(admin_client, component())
    billing = Entity.objects.get(ref="component:default/billing")
    [error] = form_errors(admin_client.post(change_url(billing), {"descriptor_text": component("invoices")}))
    assert "cannot change" in error and "component:default/invoices" in error
    assert list(Entity.objects.filter(kind="Component").values_list("ref", flat=True)) == [billing.ref]


def test_entities_from_files_stay_read_only_with_their_descriptor_shown(admin_client, team):
    group = Entity.objects.get(ref="group:default/team-a")
    page = admin_client.get(change_url(group)).content.decode()
    assert 'name="descriptor_text"' not in page and 'name="_save"' not in page
    assert "it is read-only here" in page and "Descriptor (as written)" in page
    assert admin_client.post(change_url(group), {"descriptor_text": GROUP}).status_code == 403


# --- deleting and refreshing


def test_deleting_an_admin_entity_unregisters_it_and_restitches_its_owner(admin_client, team):
    add(admin_client, component())
    billing = Entity.objects.get(ref="component:default/billing")
    response = admin_client.post(reverse("admin:catalog_entity_delete", args=[billing.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Entity.objects.filter(pk=billing.pk).exists()
    group = Entity.objects.get(ref="group:default/team-a")
    assert not any(r["type"] == "ownerOf" for r in group.final["relations"])
    assert AuditEvent.objects.filter(action="catalog.entity.delete", target=billing.ref).exists()
    # Deleting makes the location due; refreshing the admin location must not bring the entity back.
    admin = Location.objects.get(type="admin")
    summary = services.refresh_location(admin.pk)
    assert summary is not None and not Entity.objects.filter(ref=billing.ref).exists()
    admin.refresh_from_db()
    assert admin.next_refresh_at is None


def test_refreshing_the_admin_location_reprocesses_what_it_stores(admin_client, team, settings):
    """GIVEN an admin entity WHEN its kind is no longer allowed and its location refreshes
    THEN it keeps its last good state, shows why, and the error is listed with the location's."""
    add(admin_client, component())
    admin = Location.objects.get(type="admin")
    summary = services.refresh_location(admin.pk)
    assert (summary.unchanged, summary.errors) == (1, 0)

    settings.CATALOG_ALLOWED_KINDS = ["Group"]
    summary = services.refresh_location(admin.pk)
    assert summary.errors == 1
    billing = Entity.objects.get(ref="component:default/billing")
    assert billing.has_errors and billing.final["status"]["items"][0]["level"] == "error"
    assert billing.final["metadata"]["description"] == "Bills"
    error = CatalogError.objects.get(location=admin)
    assert (error.entity_ref, error.field) == (billing.ref, "kind")
    admin.refresh_from_db()
    assert admin.status == "error" and admin.last_summary["errors"] == 1


def test_the_refresh_action_on_an_admin_entity_refreshes_the_admin_location(
    admin_client, team, django_capture_on_commit_callbacks, monkeypatch
):
    add(admin_client, component())
    billing = Entity.objects.get(ref="component:default/billing")
    queued: list[str] = []
    monkeypatch.setattr("catalog.tasks.refresh_location.delay", queued.append)
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(ENTITIES, {"action": "refresh", "_selected_action": [billing.pk]})
    assert queued == [str(billing.location_id)]


def test_the_admin_location_cannot_be_registered_from_the_location_form(admin_client):
    response = admin_client.post(
        reverse("admin:catalog_location_add"),
        {"type": "admin", "target": "greenroom", "presence": "required"},
    )
    assert response.status_code == 200 and "type" in response.context["adminform"].form.errors
    assert not Location.objects.exists()


# --- permissions, grants and history


@pytest.fixture
def staff(django_user_model) -> Client:
    """Staff who may read entities and nothing more, until a test grants it."""
    user = django_user_model.objects.create_user("curator", password="unused", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=["view_entity", "view_location"]))
    client = Client()
    client.force_login(user)
    return client


def test_creating_and_editing_need_catalog_entity_create(admin_client, staff, team):
    add(admin_client, component())
    billing = Entity.objects.get(ref="component:default/billing")
    assert staff.get(ADD).status_code == 403
    page = staff.get(change_url(billing)).content.decode()
    assert 'name="descriptor_text"' not in page and "you may read it but not change it" in page
    assert staff.post(change_url(billing), {"descriptor_text": component(description="x")}).status_code == 403

    user = staff.get(ENTITIES).wsgi_request.user
    user.user_permissions.add(Permission.objects.get(codename="add_entity"))
    response = staff.post(change_url(billing), {"descriptor_text": component(description="By the curator")})
    assert response.status_code == 302
    assert Entity.objects.get(pk=billing.pk).final["metadata"]["description"] == "By the curator"
    event = AuditEvent.objects.get(action="catalog.entity.update")
    assert event.actor == "user:curator"


def test_grant_to_group_asks_then_grants_each_entity_and_audits(admin_client, staff, team):
    add(admin_client, component())
    entities = list(Entity.objects.filter(kind__in=["Component", "Group"]).order_by("ref"))
    devs = Group.objects.create(name="developers")
    selected = {"action": "grant_to_group", "_selected_action": [e.pk for e in entities]}

    page = admin_client.post(ENTITIES, selected)
    assert page.status_code == 200 and "Grant on 2 entities" in page.content.decode()
    response = admin_client.post(
        ENTITIES,
        {**selected, "apply": "1", "group": devs.pk, "permissions": ["catalog.entity.refresh"]},
    )
    assert response.status_code == 302
    grants = EntityGroupObjectPermission.objects.filter(group=devs, permission__codename="refresh_entity")
    assert {g.content_object_id for g in grants} == {e.pk for e in entities}
    assert AuditEvent.objects.filter(action="permissions.grant.create").count() == 2

    # Staff who may not grant do not get the action.
    choices = staff.get(ENTITIES).context["action_form"]
    assert choices is None or "grant_to_group" not in dict(choices.fields["action"].choices)


def test_history_lists_the_audit_events_of_the_entity(admin_client, team):
    add(admin_client, component())
    billing = Entity.objects.get(ref="component:default/billing")
    admin_client.post(change_url(billing), {"descriptor_text": component(description="Edited")})
    EntityGroupObjectPermission.objects.create(
        group=Group.objects.create(name="ops"),
        permission=Permission.objects.get(codename="delete_entity"),
        content_object=billing,
    )
    response = admin_client.get(reverse("admin:catalog_entity_history", args=[billing.pk]))
    assert response.status_code == 200
    actions = [event.action for event in response.context["events"]]
    assert actions == ["permissions.grant.create", "catalog.entity.update", "catalog.entity.create"]
    assert "user:admin" in response.content.decode()


def test_admin_entities_can_be_filtered_by_source(admin_client, team):
    add(admin_client, component())
    response = admin_client.get(ENTITIES, {"source": "admin"})
    refs = [e.ref for e in response.context["cl"].result_list]
    assert refs == ["component:default/billing", Location.objects.get(type="admin").entity_ref]


def test_the_admin_location_is_created_once(admin_client, team):
    add(admin_client, component("one"))
    add(admin_client, component("two"))
    assert Location.objects.filter(type="admin").count() == 1
    assert AuditEvent.objects.filter(action="catalog.location.create", target=ADMIN_LOCATION).count() == 1


def test_an_error_names_its_field_once(admin_client):
    errors = form_errors(add(admin_client, component().replace("  owner: team-a\n", "")))
    assert errors == ['"spec.owner" is required for kind Component but is missing']
