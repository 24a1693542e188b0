"""The portal in a real browser (Chromium through Playwright) against the live server and the demo catalog.

Each test signs in through the login form and works the pages as a person would: htmx swaps, Swagger UI,
the SVG graph, the register-then-unregister round trip, the admin and what a reader may not see.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from catalog.models import Entity, Location

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def query(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def rows(page):
    return page.locator("#catalog-results table.data tbody tr")


def test_browse_filter_open_an_entity_and_follow_a_relation(demo, sign_in):
    page = sign_in("reader")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Catalog").click()
    page.wait_for_url(re.compile(r"/catalog/$"))
    expect(page.locator(".results-bar p")).to_contain_text("of 164")

    # The kind picker swaps the whole body through htmx and pushes the kind into the URL.
    page.locator("#kind-picker").get_by_role("link", name=re.compile(r"^Component")).click()
    expect(page).to_have_url(re.compile(r"[?&]kind=component\b"))
    expect(page.locator(".results-bar p")).to_contain_text("of 47")
    expect(page.locator("#kind-picker a[aria-current=true]")).to_contain_text("Component")

    # A facet narrows the table in place, and the URL carries it with the kind.
    page.select_option("#f-lifecycle", "deprecated")
    expect(page).to_have_url(re.compile(r"lifecycle=deprecated"))
    expect(page.locator(".results-bar p")).to_contain_text("filtered")
    deprecated = rows(page).count()
    assert 1 < deprecated < 25
    expect(rows(page).locator("td:nth-child(2)")).to_have_text(["Component"] * deprecated)

    # Free text narrows it further.
    page.fill("#f-q", "billing")
    expect(page).to_have_url(re.compile(r"q=billing"))
    expect(rows(page)).to_have_count(1)
    state = query(page)
    assert (state["kind"], state["lifecycle"], state["q"]) == (["component"], ["deprecated"], ["billing"])

    # The state survives a reload: it is the URL's.
    page.reload()
    expect(page.locator("#f-q")).to_have_value("billing")
    expect(page.locator("#f-lifecycle")).to_have_value("deprecated")
    expect(rows(page)).to_have_count(1)

    rows(page).get_by_role("link", name="Legacy Billing").click()
    page.wait_for_url(re.compile(r"/catalog/default/component/legacy-billing/$"))
    expect(page.locator("h1")).to_contain_text("Legacy Billing")
    expect(
        page.get_by_role("navigation", name="Entity sections").locator("[aria-current=page]")
    ).to_have_text("Overview")

    # Part of: its system, a link in the relations card.
    page.locator("a[href='/catalog/default/system/payments-platform/']").first.click()
    page.wait_for_url(re.compile(r"/catalog/default/system/payments-platform/$"))
    expect(page.locator("h1")).to_contain_text("Payments Platform")


def test_api_definition_and_dependency_graph(demo, sign_in):
    page = sign_in("reader")
    page.goto("/catalog/default/api/payments-api/")
    page.get_by_role("navigation", name="Entity sections").get_by_role("link", name="API").click()
    page.wait_for_url(re.compile(r"/catalog/default/api/payments-api/api/$"))
    # Swagger UI, served by the portal itself, renders the definition embedded in the page.
    expect(page.locator(".swagger-ui .info")).to_be_visible()
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Payments API")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    expect(page.locator("#providers-title")).to_contain_text("Provided by")
    expect(page.locator("section[aria-labelledby=providers-title]")).to_contain_text("Payments Core")

    page.goto("/catalog/default/component/payments-core/")
    page.get_by_role("navigation", name="Entity sections").get_by_role("link", name="Dependencies").click()
    page.wait_for_url(re.compile(r"/component/payments-core/dependencies/$"))
    graph = page.locator("svg.graph")
    expect(graph).to_be_visible()
    expect(graph.locator("g.node.root")).to_contain_text("Payments Core")
    node = graph.locator("a", has=page.locator("title", has_text="component:default/psp-gateway"))
    expect(node).to_have_count(1)
    node.locator("rect").click()
    page.wait_for_url(re.compile(r"/catalog/default/component/psp-gateway/dependencies/$"))
    expect(page.locator("h1")).to_contain_text("PSP Gateway")
    expect(page.locator("svg.graph g.node.root")).to_contain_text("PSP Gateway")


CATALOG_INFO = """\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: loyalty-service
  title: Loyalty service
  description: Points, tiers and rewards.
spec:
  type: service
  lifecycle: experimental
  owner: team-checkout
  providesApis: [loyalty-api]
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: loyalty-api
spec:
  type: openapi
  lifecycle: experimental
  owner: team-checkout
  definition: "openapi: 3.0.3\\ninfo: {title: Loyalty API, version: '1'}\\npaths: {}"
"""


def test_register_a_location_from_a_url_then_unregister_it(demo, sign_in, file_server):
    file_server.files["/loyalty/catalog-info.yaml"] = CATALOG_INFO
    url = file_server.url("/loyalty/catalog-info.yaml")
    page = sign_in("root")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Register").click()
    page.fill("#r-url", url)
    page.get_by_role("button", name="Analyze").click()

    preview = page.locator("section[aria-labelledby=preview-title]")
    expect(preview).to_contain_text("component:default/loyalty-service")
    expect(preview).to_contain_text("api:default/loyalty-api")
    expect(preview.locator("td.status-new")).to_have_count(2)
    assert not Location.objects.filter(target=url).exists(), "the preview must not register anything"

    preview.get_by_role("button", name="Import 2 entities").click()
    expect(page.locator("h1")).to_contain_text(f"Registered {url}")
    expect(page.locator("main h2")).to_have_text(re.compile(r"Now in the catalog\s+2"))
    assert Entity.objects.filter(ref="component:default/loyalty-service").exists()

    page.locator("main").get_by_role("link", name="Loyalty service").click()
    page.wait_for_url(re.compile(r"/catalog/default/component/loyalty-service/$"))
    page.get_by_role("link", name="Unregister…").click()
    page.wait_for_url(re.compile(r"/loyalty-service/unregister/$"))
    page.get_by_role("button", name=re.compile(r"^Unregister location and \d+ entities")).click()
    page.wait_for_url(re.compile(r"/catalog/$"))
    expect(page.locator(".messages")).to_contain_text(f"Unregistered {url}")

    assert not Location.objects.filter(target=url).exists()
    assert not Entity.objects.filter(
        ref__in=["component:default/loyalty-service", "api:default/loyalty-api"]
    ).exists()
    page.fill("#f-q", "loyalty")
    expect(page).to_have_url(re.compile(r"q=loyalty"))
    expect(rows(page)).to_have_count(1)  # churn-model speaks of the loyalty programme
    expect(page.locator("#catalog-results a[href*='/loyalty-']")).to_have_count(0)
    response = page.goto("/catalog/default/component/loyalty-service/")
    assert response is not None and response.status == 404


@pytest.fixture
def eager_tasks():
    """Run Celery tasks at once (in the live server's thread) instead of queueing them on a broker."""
    from portal.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


def test_admin_refreshes_locations_and_grants_an_object_permission(demo, sign_in, eager_tasks):
    # Without a grant the reader may not refresh payments-core (team-payments owns it).
    reader = sign_in("reader")
    reader.goto("/catalog/default/component/payments-core/")
    expect(reader.locator("h1")).to_contain_text("Payments Core")
    expect(reader.get_by_role("button", name="Refresh")).to_have_count(0)

    page = sign_in("root")
    page.locator(".usermenu").get_by_role("link", name="Admin").click()
    page.wait_for_url(re.compile(r"/admin/$"))
    page.get_by_role("link", name="Entities", exact=True).click()
    page.wait_for_url(re.compile(r"/admin/catalog/entity/$"))
    page.fill("#searchbar", "payments-core")
    page.locator("#changelist-search").get_by_role("button", name="Search").click()
    results = page.locator("#result_list tbody tr")
    expect(results).to_have_count(1)

    # Entities from files are read-only in the admin; "Refresh their locations" re-reads their files.
    results.first.locator("input.action-select").check()
    page.select_option("select[name=action]", "refresh")
    page.locator("button[name=index]").click()
    expect(page.locator("ul.messagelist")).to_contain_text("Queued a refresh of 1 location(s) for 1 selected")

    results.first.get_by_role("link", name="payments-core").click()
    expect(page.locator("#content h2").first).to_contain_text("component:default/payments-core")
    expect(page.locator("#catalog-relations")).to_contain_text("group:default/team-payments")

    # Guardian's page: pick the user, then move "refresh" to the chosen permissions and save.
    page.get_by_role("link", name="Object permissions").click()
    page.wait_for_url(re.compile(r"/admin/catalog/entity/[^/]+/permissions/$"))
    page.fill("input[name=user]", "reader")
    page.locator("input[name=submit_manage_user]").click()
    page.wait_for_url(re.compile(r"/permissions/user-manage/\d+/$"))
    refresh = page.locator("#id_permissions_from option", has_text="catalog.entity.refresh")
    page.select_option("#id_permissions_from", refresh.get_attribute("value"))
    page.locator("#id_permissions_add").click()
    expect(page.locator("#id_permissions_to option")).to_have_count(1)
    page.locator("#submit").click()
    expect(page.locator("ul.messagelist")).to_contain_text("Permissions saved")

    reader.reload()
    expect(reader.get_by_role("button", name="Refresh")).to_have_count(1)
    expect(reader.get_by_role("link", name="Unregister…")).to_have_count(0)


GIFT_WRAP = """\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: gift-wrap
  description: Wraps gifts
spec:
  type: service
  lifecycle: experimental
  owner: team-checkout
"""


def test_edit_an_admin_managed_entity_in_the_admin(demo, sign_in):
    page = sign_in("root")
    page.goto("/admin/catalog/entity/")
    # Every column of the list is in view beside the filters on a laptop-sized window.
    fits = page.evaluate(
        """() => {
            const box = document.querySelector('#changelist .results').getBoundingClientRect();
            const last = Array.from(document.querySelectorAll('#result_list thead th')).pop();
            return last.getBoundingClientRect().right <= box.right + 1;
        }"""
    )
    assert fits, "the last column of the entity list is cut off"

    page.locator("a.addlink").click()
    page.wait_for_url(re.compile(r"/admin/catalog/entity/add/$"))
    page.fill("#id_descriptor_text", GIFT_WRAP)
    page.locator("input[name=_continue]").click()
    page.wait_for_url(re.compile(r"/admin/catalog/entity/[^/]+/change/$"))
    expect(page.locator("ul.messagelist")).to_contain_text("was added successfully")
    expect(page.locator("#catalog-managed")).to_contain_text("managed in the admin")
    expect(page.locator("#catalog-relations")).to_contain_text("group:default/team-checkout")

    # An invalid descriptor is refused on the form, and the entity keeps its last good state.
    page.fill("#id_descriptor_text", GIFT_WRAP.replace("  owner: team-checkout\n", ""))
    page.locator("input[name=_continue]").click()
    expect(page.locator(".errorlist")).to_contain_text("spec.owner")

    page.fill("#id_descriptor_text", GIFT_WRAP.replace("Wraps gifts", "Wraps gifts with a bow"))
    page.locator("input[name=_continue]").click()
    expect(page.locator("ul.messagelist")).to_contain_text("was changed successfully")
    entity = Entity.objects.select_related("location").get(ref="component:default/gift-wrap")
    assert entity.location.ref == "admin:greenroom" and entity.generation == 2

    page.get_by_role("link", name="History").click()
    expect(page.locator("#entity-events")).to_contain_text("catalog.entity.update")
    expect(page.locator("#entity-events")).to_contain_text("user:root")

    page.goto("/catalog/default/component/gift-wrap/")
    expect(page.locator("h1")).to_contain_text("gift-wrap")
    expect(page.locator("main")).to_contain_text("Wraps gifts with a bow")
    expect(page.locator("main")).to_contain_text("admin:greenroom")
    expect(page.locator("main a[href='/catalog/default/group/team-checkout/']").first).to_be_visible()


def test_what_a_user_may_not_do_is_not_offered(demo, sign_in, file_server):
    # sam (team-devex) may refresh and unregister what its team owns, and nothing else.
    sam = sign_in("sam")
    sam.goto("/catalog/default/component/greenroom-portal/")
    expect(sam.get_by_role("button", name="Refresh")).to_have_count(1)
    expect(sam.get_by_role("link", name="Unregister…")).to_have_count(1)
    sam.goto("/catalog/default/component/payments-core/")
    expect(sam.locator("h1")).to_contain_text("Payments Core")
    expect(sam.get_by_role("button", name="Refresh")).to_have_count(0)
    expect(sam.get_by_role("link", name="Unregister…")).to_have_count(0)
    response = sam.goto("/catalog/default/component/payments-core/unregister/")
    assert response is not None and response.status == 403

    page = sign_in("reader")
    page.goto("/catalog/default/component/greenroom-portal/")
    expect(page.locator("h1")).to_contain_text("Greenroom")
    expect(page.get_by_role("button", name="Refresh")).to_have_count(0)
    expect(page.get_by_role("link", name="Unregister…")).to_have_count(0)
    expect(page.locator(".usermenu").get_by_role("link", name="Admin")).to_have_count(0)

    # Analyzing is allowed; importing (catalog.location.create) is not, so there is no Import button.
    file_server.files["/loyalty/catalog-info.yaml"] = CATALOG_INFO
    page.goto("/catalog/register/")
    page.fill("#r-url", file_server.url("/loyalty/catalog-info.yaml"))
    page.get_by_role("button", name="Analyze").click()
    preview = page.locator("section[aria-labelledby=preview-title]")
    expect(preview).to_contain_text("component:default/loyalty-service")
    expect(preview).to_contain_text("ask a catalog admin")
    expect(preview.get_by_role("button", name=re.compile("^Import"))).to_have_count(0)

    # The admin turns a non-staff user back to its login page.
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/\?next=/admin/"))
    expect(page.locator("#content")).to_contain_text("not authorized to access this page")
