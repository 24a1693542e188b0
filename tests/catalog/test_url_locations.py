"""URL locations, read from a local HTTP server standing in for a git host; the host allow-list."""

from __future__ import annotations

import pytest

from catalog.models import CatalogError, Entity
from catalog.readers import ReadError, fetch_url, host_allowed, raw_content_url, resolve_target
from catalog.services import refresh_location, register_location
from catalog.services.locations import LocationError

LOCATION = """\
apiVersion: backstage.io/v1alpha1
kind: Location
metadata: {name: remote}
spec:
  targets: [./services/api.yaml, /org/repo/teams.yaml]
"""
API = """\
apiVersion: backstage.io/v1alpha1
kind: API
metadata: {name: orders}
spec:
  type: openapi
  lifecycle: production
  owner: platform
  definition:
    $text: ./openapi.yaml
"""
TEAMS = """\
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: platform}
spec: {type: team, children: []}
"""


@pytest.mark.django_db
def test_a_url_tree_loads_with_relative_and_root_relative_targets(file_server):
    file_server.files.update(
        {
            "/org/repo/catalog-info.yaml": LOCATION,
            "/org/repo/services/api.yaml": API,
            "/org/repo/services/openapi.yaml": "openapi: 3.0.0\n",
            "/org/repo/teams.yaml": TEAMS,
        }
    )
    location, _ = register_location("url", file_server.url("/org/repo/catalog-info.yaml"))
    summary = refresh_location(location.pk)
    assert summary.errors == 0 and summary.added == 4
    api = Entity.objects.get(ref="api:default/orders").final
    assert api["spec"]["definition"] == "openapi: 3.0.0\n"
    annotations = api["metadata"]["annotations"]
    assert annotations["backstage.io/managed-by-location"] == "url:" + file_server.url(
        "/org/repo/services/api.yaml"
    )
    assert annotations["backstage.io/view-url"] == file_server.url("/org/repo/services/api.yaml")
    assert Entity.objects.filter(ref="group:default/platform").exists()


@pytest.mark.django_db
def test_a_host_outside_the_allow_list_is_refused_at_registration(file_server, settings):
    settings.CATALOG_ALLOWED_HOSTS = ["git.example.com"]
    with pytest.raises(LocationError, match="allow-list"):
        register_location("url", file_server.url("/catalog-info.yaml"))
    assert file_server.requests == []


@pytest.mark.django_db
def test_a_target_on_a_disallowed_host_is_reported_and_never_fetched(file_server, settings):
    file_server.files["/catalog-info.yaml"] = LOCATION.replace(
        "[./services/api.yaml, /org/repo/teams.yaml]", "[http://169.254.169.254/latest/meta-data]"
    )
    location, _ = register_location("url", file_server.url("/catalog-info.yaml"))
    refresh_location(location.pk)
    error = CatalogError.objects.get(location=location)
    assert error.kind == "read" and "allow-list" in error.message
    assert file_server.requests == ["/catalog-info.yaml"]


def test_a_redirect_to_a_disallowed_host_is_not_followed(file_server):
    file_server.redirects["/moved.yaml"] = "http://10.0.0.1/secret.yaml"
    with pytest.raises(ReadError, match="allow-list"):
        fetch_url(file_server.url("/moved.yaml"))


def test_a_redirect_on_an_allowed_host_is_followed(file_server):
    file_server.redirects["/moved.yaml"] = "/there.yaml"
    file_server.files["/there.yaml"] = "kind: x\n"
    assert fetch_url(file_server.url("/moved.yaml")) == "kind: x\n"


def test_a_missing_url_is_not_found(file_server):
    with pytest.raises(ReadError) as info:
        fetch_url(file_server.url("/nope.yaml"))
    assert info.value.not_found


@pytest.mark.parametrize(
    ("patterns", "url", "allowed"),
    [
        (["github.com"], "https://github.com/org/repo/blob/main/x.yaml", True),
        (["github.com"], "https://github.com.evil.test/x.yaml", False),
        (["*.example.com"], "https://git.example.com/x.yaml", True),
        (["*.example.com"], "https://example.com/x.yaml", True),
        (["*.example.com"], "https://badexample.com/x.yaml", False),
        (["127.0.0.1:8080"], "http://127.0.0.1:8080/x", True),
        (["127.0.0.1:8080"], "http://127.0.0.1:9090/x", False),
        (["github.com"], "file:///etc/passwd", False),
        (["github.com"], "ftp://github.com/x", False),
    ],
)
def test_host_allow_list(settings, patterns, url, allowed):
    settings.CATALOG_ALLOWED_HOSTS = patterns
    assert host_allowed(url) is allowed


@pytest.mark.parametrize(
    ("parent", "target", "expected"),
    [
        ("https://h/org/repo/blob/main/a/catalog.yaml", "./b.yaml", "https://h/org/repo/blob/main/a/b.yaml"),
        ("https://h/org/repo/blob/main/a/catalog.yaml", "../b.yaml", "https://h/org/repo/blob/main/b.yaml"),
        ("https://h/org/repo/blob/main/a/catalog.yaml", "/x/y.yaml", "https://h/x/y.yaml"),
        ("https://h/org/repo/blob/main/a/catalog.yaml", "https://o/z.yaml", "https://o/z.yaml"),
        (
            "https://gl/g/p/-/blob/main/c.yaml?ref=dev",
            "./d.yaml",
            "https://gl/g/p/-/blob/main/d.yaml?ref=dev",
        ),
    ],
)
def test_url_targets_resolve_like_backstage(parent, target, expected):
    assert resolve_target("url", parent, target) == expected


def test_file_targets_resolve_only_when_relative():
    assert resolve_target("file", "/srv/a/catalog.yaml", "./b/c.yaml") == "/srv/a/b/c.yaml"
    assert resolve_target("file", "/srv/a/catalog.yaml", "../c.yaml") == "/srv/c.yaml"
    assert resolve_target("file", "/srv/a/catalog.yaml", "/abs/c.yaml") == "/abs/c.yaml"


def test_github_blob_urls_are_read_from_the_raw_host(settings):
    settings.CATALOG_GITHUB_RAW_URLS = {"github.com": "https://raw.githubusercontent.com"}
    assert raw_content_url("https://github.com/o/r/blob/main/a/b.yaml") == (
        "https://raw.githubusercontent.com/o/r/main/a/b.yaml"
    )
    assert raw_content_url("https://github.com/o/r/tree/main/a") == "https://github.com/o/r/tree/main/a"
    assert (
        raw_content_url("https://example.com/o/r/blob/main/a.yaml")
        == "https://example.com/o/r/blob/main/a.yaml"
    )
