"""The annotations the catalog writes itself."""

from catalog.annotations import location_annotations, sanitize_link_annotations


def test_github_files_get_view_edit_and_source_urls():
    url = "https://github.com/acme/payments/blob/main/catalog-info.yaml"
    forced, defaults = location_annotations("url", url, f"url:{url}")
    assert forced == {
        "backstage.io/managed-by-location": f"url:{url}",
        "backstage.io/managed-by-origin-location": f"url:{url}",
    }
    assert defaults == {
        "backstage.io/view-url": url,
        "backstage.io/edit-url": "https://github.com/acme/payments/edit/main/catalog-info.yaml",
        "backstage.io/source-location": "url:https://github.com/acme/payments/tree/main/",
    }


def test_a_commit_pinned_url_gets_no_edit_url():
    url = "https://github.com/acme/payments/blob/" + "a" * 40 + "/catalog-info.yaml"
    _, defaults = location_annotations("url", url, f"url:{url}")
    assert "backstage.io/edit-url" not in defaults
    assert defaults["backstage.io/view-url"] == url


def test_files_get_only_the_managed_by_pair():
    forced, defaults = location_annotations("file", "/srv/c.yaml", "file:/srv/root.yaml")
    assert forced["backstage.io/managed-by-origin-location"] == "file:/srv/root.yaml"
    assert defaults == {}


def test_javascript_links_are_neutralised():
    annotations = {"backstage.io/view-url": " JavaScript:alert(1)", "backstage.io/edit-url": "https://ok"}
    sanitize_link_annotations(annotations)
    assert annotations["backstage.io/view-url"].startswith("https://")
    assert "alert" not in annotations["backstage.io/view-url"]
    assert annotations["backstage.io/edit-url"] == "https://ok"
