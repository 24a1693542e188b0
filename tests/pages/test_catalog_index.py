"""The catalog table: kind picker, filters, free text, sorting, pagination, htmx partials, empty states."""

from __future__ import annotations

import pytest

from catalog.models import Entity

pytestmark = pytest.mark.django_db


def names(response) -> list[str]:
    return [e.name for e in response.context["page"].object_list]


def count(response) -> int:
    return response.context["page"].paginator.count


def test_the_catalog_lists_every_entity_page_by_page(browser, demo):
    response = browser.get("/catalog/")
    assert response.status_code == 200
    assert count(response) == Entity.objects.count() == 164
    assert len(names(response)) == 25
    assert names(response) == sorted(names(response))


def test_the_kind_picker_shows_counts_and_narrows(browser, demo):
    response = browser.get("/catalog/?kind=component")
    kinds = dict(response.context["kinds"])
    assert kinds["Component"] == Entity.objects.filter(kind="Component").count()
    assert count(response) == kinds["Component"]
    assert {e.kind for e in response.context["page"].object_list} == {"Component"}
    assert browser.get("/catalog/?kind=COMPONENT").context["page"].paginator.count == kinds["Component"]


@pytest.mark.parametrize(
    ("params", "column", "value"),
    [
        ("kind=component&type=website", "spec_type", "website"),
        ("kind=component&lifecycle=deprecated", "lifecycle", "deprecated"),
        ("owner=group:default/team-payments", "owner_ref", "group:default/team-payments"),
        ("namespace=default", "namespace", "default"),
    ],
)
def test_column_filters_narrow(browser, demo, params, column, value):
    response = browser.get(f"/catalog/?{params}")
    expected = Entity.objects.filter(**{column: value})
    if "kind=component" in params:
        expected = expected.filter(kind="Component")
    assert 0 < count(response) == expected.count()
    assert all(getattr(e, column) == value for e in response.context["page"].object_list)


def test_free_text_follows_a_description_edited_in_its_file(browser, tmp_path):
    from catalog.services import refresh_location
    from tests.pages.conftest import load

    component = """apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {{name: ledger, description: "{}"}}
spec: {{type: service, lifecycle: production, owner: team-a}}
"""
    path = tmp_path / "catalog-info.yaml"
    path.write_text(component.format("Keeps the books"))
    location = load(path)
    assert names(browser.get("/catalog/?q=books")) == ["ledger"]

    path.write_text(component.format("Settles invoices"))
    refresh_location(location.pk)
    assert names(browser.get("/catalog/?q=books")) == []
    assert names(browser.get("/catalog/?q=INVOICES")) == ["ledger"]
    assert Entity.objects.get(name="ledger").search_text == "ledger\nsettles invoices"


def test_the_tag_filter_narrows_to_tagged_entities(browser, demo):
    response = browser.get("/catalog/?tag=kotlin&per_page=100")
    assert count(response) > 0
    for entity in Entity.objects.filter(name__in=names(response)):
        assert "kotlin" in entity.final["metadata"]["tags"]


def test_free_text_matches_name_title_description_and_tags(browser, demo):
    assert "payments-core" in names(browser.get("/catalog/?q=payments-core"))
    assert "payments-core" in names(browser.get("/catalog/?q=Payments+Core"))  # the title, two terms
    assert "payments-core" in names(browser.get("/catalog/?q=captures"))  # the description
    assert "payments-core" in names(browser.get("/catalog/?q=kotlin"))  # a tag
    assert count(browser.get("/catalog/?q=no-such-words-anywhere")) == 0


def test_owned_by_me_narrows_to_the_users_and_their_groups(browser, demo):
    response = browser.get("/catalog/?mine=1&per_page=100")
    owners = {e.owner_ref for e in response.context["page"].object_list}
    assert owners and owners <= {"group:default/team-devex", "user:default/sam.taylor"}


def test_owned_by_me_is_empty_for_a_user_not_in_the_catalog(client, demo, stranger):
    client.force_login(stranger)
    response = client.get("/catalog/?mine=1")
    assert count(response) == 0
    assert b"No entities match these filters" in response.content


@pytest.mark.parametrize("sort", ["name", "-name", "kind", "type", "owner", "lifecycle", "-updated"])
def test_sorting_orders_the_whole_table(browser, demo, sort):
    field = {
        "name": "name",
        "kind": "kind",
        "type": "spec_type",
        "owner": "owner_ref",
        "lifecycle": "lifecycle",
    }
    response = browser.get(f"/catalog/?sort={sort}&per_page=100&kind=component")
    rows = response.context["page"].object_list
    key = sort.lstrip("-")
    if key in field:
        values = [getattr(e, field[key]) for e in rows]
        assert values == sorted(values, reverse=sort.startswith("-"))
    assert f'aria-sort="{"descending" if sort.startswith("-") else "ascending"}"' in response.content.decode()


def test_pages_follow_on_without_overlap(browser, demo):
    first = names(browser.get("/catalog/?per_page=50&page=1"))
    second = names(browser.get("/catalog/?per_page=50&page=2"))
    last = browser.get("/catalog/?per_page=50&page=4")
    assert len(first) == len(second) == 50 and not set(first) & set(second)
    assert len(names(last)) == 164 - 150
    everything = sorted(Entity.objects.values_list("name", flat=True))
    assert first + second == everything[:100]


@pytest.mark.parametrize(
    "query", ["page=999", "page=abc", "sort=bogus", "per_page=7", "per_page=x", "kind=nope"]
)
def test_malformed_parameters_never_fail(browser, demo, query):
    assert browser.get(f"/catalog/?{query}").status_code == 200


def test_filter_state_lives_in_the_url_of_every_link(browser, demo):
    html = browser.get("/catalog/?kind=component&lifecycle=production&per_page=25").content.decode()
    assert "/catalog/?kind=component&amp;lifecycle=production&amp;per_page=25&amp;page=2" in html
    assert 'name="lifecycle"' in html and '<option value="production" selected>' in html


def test_htmx_gets_the_results_alone_or_the_whole_body(browser, demo):
    results = browser.get("/catalog/?kind=api", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="div#catalog-results")
    body = browser.get("/catalog/?kind=api", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="div#catalog-body")
    full = browser.get("/catalog/?kind=api", HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert b"<html" not in results.content and b"catalog-filters" not in results.content.split(b"form=")[0]
    assert b"<table" in results.content
    assert b"<html" not in body.content and b'id="catalog-filters"' in body.content
    assert b"<html" in full.content
    assert "HX-Request" in results["Vary"]


def test_an_empty_catalog_invites_registration(browser):
    response = browser.get("/catalog/")
    assert response.status_code == 200
    assert b"The catalog is empty" in response.content


def test_filter_values_walked_from_the_index_equal_select_distinct(demo):
    """The loose index scan of every filter list returns exactly what SELECT DISTINCT would."""
    from django.db.models import Q

    from catalog.distinct import distinct_values
    from catalog.models import SearchRow

    served = Entity.objects.filter(final__isnull=False)
    narrowings = [
        Q(),
        Q(kind="Component"),
        Q(kind="API") | Q(owner_ref__startswith="group:default/team-"),
        Q(kind="Nope"),
    ]
    for narrowing in narrowings:
        entities = served.filter(narrowing)
        for column in ("spec_type", "owner_ref", "lifecycle", "namespace", "kind"):
            expected = list(
                entities.exclude(**{column: ""}).order_by(column).values_list(column, flat=True).distinct()
            )
            assert distinct_values(entities, column) == expected, (narrowing, column)
            assert distinct_values(entities, column, limit=2) == expected[:2]
        tags = SearchRow.objects.filter(key="metadata.tags", entity__in=entities.values("id"))
        expected_tags = list(
            tags.exclude(value=None).order_by("value").values_list("value", flat=True).distinct()
        )
        assert distinct_values(tags, "value") == expected_tags
    assert distinct_values(Entity.objects.none(), "kind") == []
    assert len(distinct_values(served, "kind")) >= 8  # the demo has every kind


def test_a_text_filter_counts_up_to_a_cap(browser, demo, monkeypatch):
    """Free text cannot use an index, so its count stops at a cap and says there are more."""
    from catalog.views import catalog_index

    matching = count(browser.get("/catalog/?q=e"))
    assert matching > 10
    monkeypatch.setattr(catalog_index, "TEXT_COUNT_CAP", 10)
    response = browser.get("/catalog/?q=e&per_page=25")
    assert count(response) == 10 and response.context["page"].paginator.capped
    assert "of 10+" in response.content.decode()
    exact = browser.get(f"/catalog/?q={names(browser.get('/catalog/?q=payments-core'))[0]}")
    assert not exact.context["page"].paginator.capped
