"""The permissions version: read once per request, and moved by every change of permissions."""

from __future__ import annotations

from django.core.cache import cache, caches

from permissions.cache import VERSION_KEY, bump, one_version, version


def test_a_request_reads_the_version_once_and_again_after_its_own_change():
    with one_version():
        read = version()
        cache.incr(VERSION_KEY)  # another process changes permissions while the request runs
        assert version() == read  # the request keeps answering from what it read
        bump()  # the request changes permissions itself
        assert version() == read + 2
    assert version() == read + 2


def test_outside_a_request_every_read_is_fresh():
    read = version()
    cache.incr(VERSION_KEY)
    assert version() == read + 1


def test_the_middleware_holds_one_version_per_request(client, django_user_model, monkeypatch):
    """A page reads the shared version once however many decisions it makes; the next request reads it
    again (a change made elsewhere in between is seen)."""
    client.force_login(django_user_model.objects.create_user("reader", "reader@example.com", "pw"))
    assert client.get("/catalog/").status_code == 200
    reads = []
    backend = type(caches["default"])
    shared_get = backend.get

    def counting_get(self, key, *args, **kwargs):
        reads.append(key)
        return shared_get(self, key, *args, **kwargs)

    monkeypatch.setattr(backend, "get", counting_get)
    before = version()
    cache.incr(VERSION_KEY)
    reads.clear()
    assert client.get("/catalog/").status_code == 200
    assert reads.count(VERSION_KEY) == 1
    assert version() == before + 1
