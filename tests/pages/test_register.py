"""Registering an existing component: the dry run shows what would come in; confirming imports it."""

from __future__ import annotations

import pytest

from catalog.models import Entity, Location

pytestmark = pytest.mark.django_db

SERVICE = """\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: billing-service
  title: Billing service
spec:
  type: service
  lifecycle: production
  owner: team-billing
  providesApis: [billing-api]
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: billing-api
spec:
  type: openapi
  lifecycle: production
  owner: team-billing
  definition: "openapi: 3.0.0"
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: broken-one
spec:
  type: service
"""


def test_the_register_page_renders(browser):
    response = browser.get("/catalog/register/")
    assert response.status_code == 200
    assert b'name="url"' in response.content


def test_the_dry_run_lists_entities_and_problems_without_storing_anything(admin_browser, file_server):
    browser = admin_browser
    file_server.files["/acme/billing/catalog-info.yaml"] = SERVICE
    url = file_server.url("/acme/billing/catalog-info.yaml")
    response = browser.post("/catalog/register/", {"url": url, "action": "preview"})
    assert response.status_code == 200
    preview = response.context["preview"]
    assert [e.ref for e in preview.entities] == [
        "component:default/billing-service",
        "api:default/billing-api",
    ]
    assert {e.status for e in preview.entities} == {"new"}
    assert any(p.ref == "component:default/broken-one" for p in preview.problems)
    html = response.content.decode()
    assert "Billing service" in html and "broken-one" in html and "Import 2 entities" in html
    assert not Location.objects.exists() and not Entity.objects.exists()


def test_confirming_registers_and_imports_at_once(admin_browser, file_server):
    browser = admin_browser
    file_server.files["/acme/billing/catalog-info.yaml"] = SERVICE
    url = file_server.url("/acme/billing/catalog-info.yaml")
    response = browser.post("/catalog/register/", {"url": url, "action": "confirm"})
    assert response.status_code == 200
    location = Location.objects.get(target=url)
    assert location.registered_by == "root"
    assert Entity.objects.filter(ref="component:default/billing-service", location=location).exists()
    assert {e.ref for e in response.context["entities"]} == {
        "component:default/billing-service",
        "api:default/billing-api",
    }
    assert b"broken-one" in response.content  # its error is reported
    assert b"2 added," in response.content  # as many as listed (the location's own entity is not)
    again = browser.post("/catalog/register/", {"url": url, "action": "preview"})
    assert again.context["preview"].existing == location
    assert {e.status for e in again.context["preview"].entities} == {"registered here"}


def test_an_entity_another_location_owns_is_flagged_as_a_conflict(browser, file_server, demo):
    file_server.files["/x.yaml"] = SERVICE.replace("billing-service", "payments-core")
    response = browser.post("/catalog/register/", {"url": file_server.url("/x.yaml"), "action": "preview"})
    statuses = {e.ref: e.status for e in response.context["preview"].entities}
    assert statuses["component:default/payments-core"] == "conflict"


def test_the_count_to_import_matches_the_rows_listed_and_skipped_copies_are_apart(
    admin_browser, file_server, demo
):
    file_server.files["/x.yaml"] = SERVICE.replace("billing-service", "payments-core")
    response = admin_browser.post(
        "/catalog/register/", {"url": file_server.url("/x.yaml"), "action": "preview"}
    )
    html = response.content.decode()
    table = html[html.index("<table") : html.index("</table>")]
    assert table.count("<tr>") - 1 == 1  # the header row, then billing-api only
    assert "api:default/billing-api" in table and "payments-core" not in table
    assert "Import 1 entity<" in html and "1 entity from 1 file" in html
    skipped = html[html.index('id="preview-skipped"') :]
    assert "component:default/payments-core" in skipped[: skipped.index("</div>")]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://not-allowed.example.com/catalog-info.yaml", "CATALOG_ALLOWED_HOSTS"),
        ("ftp://example.com/x.yaml", "must be an http or https URL"),
    ],
)
def test_urls_that_cannot_be_read_are_refused_with_a_message(admin_browser, file_server, url, message):
    browser = admin_browser
    response = browser.post("/catalog/register/", {"url": url, "action": "preview"})
    assert response.status_code == 200
    assert message in response.context["preview"].error
    response = browser.post("/catalog/register/", {"url": url, "action": "confirm"})
    assert response.status_code == 200 and message in response.context["error"]
    assert not Location.objects.exists()


def test_a_missing_file_is_a_message(browser, file_server):
    response = browser.post("/catalog/register/", {"url": file_server.url("/nope.yaml"), "action": "preview"})
    preview = response.context["preview"]
    assert preview.problems and not preview.entities
    assert b"Nothing valid to import" in response.content


def test_an_empty_url_asks_for_one(browser):
    response = browser.post("/catalog/register/", {"url": "  ", "action": "preview"})
    assert response.status_code == 200
    assert b"Enter the URL" in response.content


def test_users_who_may_not_register_can_look_but_not_import(browser, file_server):
    file_server.files["/acme/billing/catalog-info.yaml"] = SERVICE
    url = file_server.url("/acme/billing/catalog-info.yaml")
    response = browser.post("/catalog/register/", {"url": url, "action": "preview"})
    assert response.status_code == 200 and response.context["preview"].entities
    assert b"ask a catalog admin" in response.content and b'value="confirm"' not in response.content
    assert browser.post("/catalog/register/", {"url": url, "action": "confirm"}).status_code == 403
    assert not Location.objects.exists()
