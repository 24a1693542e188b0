"""The entity page: its tabs for every kind, the about card, relations, banners and the tab registry."""

from __future__ import annotations

import pytest

from catalog.models import CatalogError, Entity
from catalog.tabs import register_tab, tabs_for, unregister_tab
from catalog.views.common import entity_url

pytestmark = pytest.mark.django_db


def page(browser, entity: Entity, tab: str = "") -> str:
    response = browser.get(entity_url(entity.kind, entity.namespace, entity.name, tab))
    assert response.status_code == 200, response.content[:500]
    return response.content.decode()


def test_every_tab_of_every_demo_entity_renders(browser, demo):
    for entity in Entity.objects.all():
        for tab in tabs_for(entity):
            page(browser, entity, tab.slug)


def test_the_overview_shows_the_about_card_and_links_each_relation(browser, demo):
    html = page(browser, Entity.objects.get(ref="component:default/payments-core"))
    assert "Authorises, captures and refunds payments" in html
    for label in ("Owned by", "Part of", "Provides API", "Consumes API", "Depends on", "Dependency of"):
        assert label in html
    assert 'href="/catalog/default/system/payments-platform/"' in html
    assert 'href="/catalog/default/group/team-payments/"' in html
    assert 'href="/catalog/default/api/payments-api/"' in html
    assert "Grafana dashboard" in html  # metadata.links
    assert ">kotlin<" in html  # a tag, linking to the filtered catalog


def test_the_about_card_offers_the_source_links_of_url_locations(browser, demo):
    entity = Entity.objects.get(ref="component:default/payments-core")
    annotations = entity.final["metadata"]["annotations"]
    annotations["backstage.io/view-url"] = "https://github.com/acme/x/blob/main/catalog-info.yaml"
    annotations["backstage.io/edit-url"] = "https://github.com/acme/x/edit/main/catalog-info.yaml"
    annotations["backstage.io/source-location"] = "url:https://github.com/acme/x/tree/main/"
    Entity.objects.filter(pk=entity.pk).update(final=entity.final)
    html = page(browser, entity)
    assert 'href="https://github.com/acme/x/blob/main/catalog-info.yaml"' in html
    assert 'href="https://github.com/acme/x/edit/main/catalog-info.yaml"' in html
    assert 'href="https://github.com/acme/x/tree/main/"' in html


def test_javascript_links_are_never_rendered(browser, demo):
    entity = Entity.objects.get(ref="component:default/payments-core")
    entity.final["metadata"]["links"] = [{"url": "javascript:alert(1)", "title": "evil"}]
    entity.final["metadata"]["annotations"]["backstage.io/view-url"] = "javascript:alert(2)"
    Entity.objects.filter(pk=entity.pk).update(final=entity.final)
    assert "javascript:" not in page(browser, entity)


def test_dangling_relations_show_without_a_link(browser, demo):
    entity = Entity.objects.get(ref="component:default/payments-core")
    entity.final["relations"].append({"type": "dependsOn", "targetRef": "component:default/ghost"})
    Entity.objects.filter(pk=entity.pk).update(final=entity.final)
    html = page(browser, entity)
    assert "component:ghost" in html
    assert "/catalog/default/component/ghost/" not in html


def test_banners_show_orphans_errors_and_conflicts(browser, demo):
    entity = Entity.objects.get(ref="component:default/payments-core")
    entity.final["status"] = {
        "items": [{"type": "x", "level": "error", "message": "InputError: spec.type: bad"}]
    }
    Entity.objects.filter(pk=entity.pk).update(final=entity.final, orphan=True, has_errors=True)
    CatalogError.objects.create(
        location=demo,
        kind="conflict",
        file="url:https://elsewhere/x.yaml",
        entity_ref=entity.ref,
        message="component:default/payments-core is already registered by location demo",
    )
    CatalogError.objects.create(
        location=demo,
        kind="validation",
        file="file:/x.yaml",
        entity_ref=entity.ref,
        field="spec.owner",
        message="must be a string",
    )
    html = page(browser, entity)
    assert "This entity is an orphan" in html
    assert "InputError: spec.type: bad" in html
    assert "spec.owner: must be a string" in html
    assert "Conflict: another location also defines this entity" in html
    assert "already registered by location demo" in html


def test_a_healthy_entity_has_no_banners(browser, demo):
    html = page(browser, Entity.objects.get(ref="component:default/payments-core"))
    assert 'class="banner' not in html


def test_the_api_tab_renders_openapi_with_swagger_ui_and_lists_providers_and_consumers(browser, demo):
    api = Entity.objects.get(ref="api:default/orders-api")
    html = page(browser, api, "api")
    assert 'id="openapi-definition"' in html and "swagger-ui-bundle.js" in html
    assert "swagger-ui.css" in html
    assert 'href="/catalog/default/component/orders-service/"' in html  # provider
    assert "Consumed by" in html and 'href="/catalog/default/component/checkout-service/"' in html


@pytest.mark.parametrize("name", ["order-events", "storefront-graphql", "fraud-scoring-grpc"])
def test_other_api_types_show_highlighted_source(browser, demo, name):
    api = (
        Entity.objects.filter(kind="API", name__startswith=name.split("-")[0])
        .exclude(spec_type="openapi")
        .first()
    )
    html = page(browser, api, "api")
    assert '<div class="hl">' in html
    assert "swagger-ui-bundle.js" not in html


def test_an_unparsable_openapi_definition_falls_back_to_source(browser, demo):
    api = Entity.objects.get(ref="api:default/orders-api")
    api.final["spec"]["definition"] = "openapi: [unclosed"
    Entity.objects.filter(pk=api.pk).update(final=api.final)
    html = page(browser, api, "api")
    assert "does not parse" in html and "swagger-ui-bundle.js" not in html


def test_the_raw_tab_shows_the_descriptor_as_yaml_and_the_served_entity_as_json(browser, demo):
    entity = Entity.objects.get(ref="component:default/payments-core")
    html = page(browser, entity, "raw")
    assert "apiVersion" in html and "payments-core" in html
    assert entity.final["metadata"]["uid"] in html  # only in the served form
    assert "&quot;relations&quot;" in html or "relations" in html


def test_the_dependencies_tab_draws_a_clickable_graph(browser, demo):
    entity = Entity.objects.get(ref="component:default/payments-core")
    html = page(browser, entity, "dependencies")
    assert "<svg" in html
    assert 'href="/catalog/default/component/psp-gateway/dependencies/"' in html
    graph = browser.get(entity_url(entity.kind, entity.namespace, entity.name, "dependencies")).context[
        "graph"
    ]
    refs = {node.ref for node in graph.nodes}
    assert {
        "component:default/payments-core",
        "component:default/psp-gateway",
        "api:default/payments-api",
    } <= refs


def test_the_graph_follows_depth_and_relation_types(browser, demo):
    url = "/catalog/default/system/payments-platform/dependencies/"
    shallow = browser.get(url + "?depth=1").context["graph"]
    deep = browser.get(url + "?depth=3").context["graph"]
    assert len(deep.nodes) > len(shallow.nodes)
    owned = browser.get(url + "?rel=ownedBy").context["graph"]
    assert {e.type for e in owned.edges} == {"owned by"}
    assert browser.get(url + "?depth=zero&rel=bogus").status_code == 200


def test_a_tab_registered_by_another_app_appears_where_its_condition_holds(browser, demo, tmp_path, settings):
    template = tmp_path / "ci_tab.html"
    template.write_text("<p>Builds of {{ entity.name }}: {{ builds }}</p>")
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [*engine["DIRS"], tmp_path]}]
    register_tab(
        "ci",
        "CI/CD",
        "ci_tab.html",
        condition=lambda e: e.kind == "Component",
        order=30,
        context=lambda request, entity: {"builds": 3},
    )
    try:
        component = Entity.objects.get(ref="component:default/payments-core")
        html = page(browser, component, "ci")
        assert "Builds of payments-core: 3" in html
        assert ">CI/CD<" in html
        assert [t.slug for t in tabs_for(component)] == ["overview", "dependencies", "ci", "raw"]
        system = Entity.objects.get(ref="system:default/payments-platform")
        assert browser.get(entity_url(system.kind, system.namespace, system.name, "ci")).status_code == 404
    finally:
        unregister_tab("ci")


def test_reserved_slugs_cannot_be_tabs():
    with pytest.raises(ValueError):
        register_tab("unregister", "Nope", "x.html")


def test_refresh_schedules_the_entitys_location(browser, demo):
    entity = Entity.objects.filter(owner_ref="group:default/team-devex", kind="Component").first()
    demo.refresh_from_db()
    before = demo.next_refresh_at
    response = browser.post(entity_url(entity.kind, entity.namespace, entity.name) + "refresh/")
    assert response.status_code == 302
    demo.refresh_from_db()
    assert demo.next_refresh_at < before


def test_only_those_allowed_see_and_use_refresh(browser, demo):
    url = "/catalog/default/component/payments-core/"
    assert b">Refresh<" not in browser.get(url).content
    assert browser.post(url + "refresh/").status_code == 403
