"""The catalog's management commands."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from catalog.models import Entity, Location

pytestmark = pytest.mark.django_db

COMPONENT = (
    "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: %s}\n"
    "spec: {type: service, lifecycle: production, owner: team-a}\n"
)


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_register_processes_and_prints_a_summary(write_yaml):
    path = write_yaml("c.yaml", COMPONENT % "one" + "---\n" + COMPONENT % "Bad_")
    out = run("catalog_register", str(path))
    assert f"Registered file:{path}" in out
    assert "2 added, 0 updated, 0 unchanged, 0 orphaned, 1 errors, 0 conflicts (1 files)" in out
    assert "metadata.name" in out
    assert Entity.objects.filter(ref="component:default/one").exists()
    again = run("catalog_register", str(path))
    assert "Already registered" in again and "0 added, 0 updated, 2 unchanged" in again


def test_register_no_wait_only_queues(write_yaml, monkeypatch):
    queued = []
    monkeypatch.setattr("catalog.tasks.refresh_location.delay", lambda pk: queued.append(pk))
    path = write_yaml("c.yaml", COMPONENT % "one")
    out = run("catalog_register", str(path), "--no-wait")
    location = Location.objects.get()
    assert queued == [str(location.pk)] and "Queued" in out
    assert not Entity.objects.exists()


def test_register_refuses_what_cannot_work(settings, tmp_path):
    settings.CATALOG_ALLOWED_HOSTS = ["github.com"]
    with pytest.raises(CommandError, match="allow-list"):
        run("catalog_register", "https://evil.example/catalog-info.yaml")
    with pytest.raises(CommandError, match="does not exist"):
        run("catalog_register", str(tmp_path / "missing.yaml"))
    assert not Location.objects.exists()


def test_refresh_by_location_by_entity_and_everything(write_yaml):
    first = write_yaml("a.yaml", COMPONENT % "alpha")
    second = write_yaml("b.yaml", COMPONENT % "beta")
    run("catalog_register", str(first))
    run("catalog_register", str(second))
    first.write_text(COMPONENT % "alpha" + "---\n" + COMPONENT % "gamma")
    out = run("catalog_refresh", "component:default/alpha")
    assert f"file:{first}" in out and "1 added" in out and f"file:{second}" not in out
    everything = run("catalog_refresh")
    assert everything.count("0 added") == 2
    by_ref = run("catalog_refresh", f"file:{second}")
    assert "1 unchanged" not in by_ref and "2 unchanged" in by_ref
    with pytest.raises(CommandError, match="No location or entity"):
        run("catalog_refresh", "component:default/nothing")


def test_tasks_register_and_refresh_an_entitys_location(write_yaml):
    from catalog import tasks

    path = write_yaml("t.yaml", COMPONENT % "tasked")
    summary = tasks.register_location("file", str(path))
    assert summary["added"] == 2
    assert tasks.register_location("file", str(path))["unchanged"] == 2, "idempotent"
    path.write_text(COMPONENT % "tasked" + "---\n" + COMPONENT % "second")
    assert tasks.refresh_entity_location("component:default/tasked")["added"] == 1
    assert tasks.refresh_entity_location("component:default/unknown") is None


def test_commands_act_as_a_user_under_the_policy(write_yaml):
    from django.contrib.auth import get_user_model

    from permissions.models import AuditEvent

    path = write_yaml("c.yaml", COMPONENT % "owned")
    get_user_model().objects.create_user("alice", "alice@example.com", "pw")
    with pytest.raises(CommandError, match="Not allowed: no grant or rule allows catalog.location.create"):
        run("catalog_register", str(path), "--as-user", "alice")
    assert not Location.objects.exists()
    run("catalog_register", str(path))
    with pytest.raises(CommandError, match="Not allowed"):
        run("catalog_refresh", "component:default/owned", "--as-user", "alice")
    with pytest.raises(CommandError, match="No user named"):
        run("catalog_refresh", "--as-user", "nobody")
    assert AuditEvent.objects.get(action="catalog.location.create").path == "command"
