"""Every page runs a fixed number of queries, whatever the size of the catalog."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Entity, Location
from permissions.names import ENTITY_READ
from permissions.policy import permission_id

pytestmark = pytest.mark.django_db

# URL -> the most queries it may run: session, user and the permission checks included, with the caller's
# principal already cached (as it is between requests, see permissions/cache.py). The catalog index is
# pinned cold: its counts and facets computed, not yet remembered (see the test that views it twice).
PAGES = {
    "/": 7,
    "/catalog/": 15,
    # A text filter reads the page's ids first, then their rows (RememberedCountPaginator.ids_first).
    "/catalog/?kind=component&q=service&tag=generated&lifecycle=production&sort=-updated&page=2": 16,
    "/catalog/?mine=1&per_page=100": 15,
    "/catalog/default/component/svc-5/": 5,
    "/catalog/default/component/svc-5/dependencies/?depth=3": 10,
    "/catalog/default/component/svc-5/raw/": 3,
    "/catalog/default/component/svc-5/unregister/": 7,
    "/catalog/default/api/api-5/api/": 4,
    # Nobody owns a group or a user, so deciding whether to offer refresh and unregister looks for grants.
    "/catalog/default/group/team-0/": 13,
    "/catalog/default/user/user-0/": 13,
    "/catalog/default/system/sys-0/": 5,
}
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "div#catalog-results"}


def warm_up(client) -> None:
    """One request first, so that the caller's permissions are cached as they are between requests, and
    the permission rows' ids known, as in any process that has decided once (``policy.permission_id``)."""
    assert client.get("/catalog/register/").status_code == 200
    permission_id(ENTITY_READ)


def queries_per_page(client) -> dict[str, int]:
    warm_up(client)
    counts = {}
    for url in [*PAGES, "htmx"]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/catalog/?kind=api&page=2", **HTMX) if url == "htmx" else client.get(url)
        assert response.status_code == 200, url
        counts[url] = len(captured.captured_queries)
    return counts


@pytest.fixture
def member(client, db):
    """Signed in as the catalog's user-0, member of team-0."""
    client.force_login(get_user_model().objects.create_user("u0", "user-0@example.com", "pw"))
    return client


def test_the_htmx_results_skip_the_facets(member, make_catalog, django_assert_max_num_queries):
    make_catalog(50)
    warm_up(member)
    with django_assert_max_num_queries(10):
        assert member.get("/catalog/?kind=api&page=2", **HTMX).status_code == 200


def test_a_second_view_of_the_catalog_does_not_count_again(member, make_catalog):
    make_catalog(50)
    warm_up(member)
    url = "/catalog/?kind=component&lifecycle=production"
    with CaptureQueriesContext(connection) as cold:
        assert member.get(url).status_code == 200
    with CaptureQueriesContext(connection) as warm:
        assert member.get(url).status_code == 200
    grouped = [q for q in warm.captured_queries if "COUNT(" in q["sql"] or "DISTINCT" in q["sql"]]
    assert not grouped, "kind counts, facets and the page count are remembered"
    assert len(warm.captured_queries) <= len(cold.captured_queries) - 7


def test_query_counts_do_not_grow_with_the_catalog(member, make_catalog):
    make_catalog(20)
    small = queries_per_page(member)
    Entity.objects.all().delete()
    Location.objects.all().delete()
    make_catalog(300)
    assert Entity.objects.count() > 600
    large = queries_per_page(member)
    assert small == large


@pytest.mark.parametrize(("url", "most"), PAGES.items())
def test_query_counts_are_pinned(member, make_catalog, django_assert_max_num_queries, url, most):
    make_catalog(120)
    warm_up(member)
    with django_assert_max_num_queries(most):
        assert member.get(url).status_code == 200


def test_the_demo_catalog_pages_stay_within_their_pins(browser, demo, django_assert_max_num_queries):
    warm_up(browser)
    for url, most in {
        "/": 7,
        "/catalog/": 15,
        "/catalog/default/component/payments-core/": 11,  # sam does not own it: grants are looked up
        "/catalog/default/group/team-sre/": 13,
        "/catalog/default/system/payments-platform/dependencies/?depth=4": 18,
    }.items():
        with django_assert_max_num_queries(most):
            assert browser.get(url).status_code == 200
