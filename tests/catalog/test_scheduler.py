"""The scheduler fans out one refresh per due location, and never queues one location twice."""

from datetime import timedelta

import pytest
from django.utils import timezone

from catalog import tasks
from catalog.models import Location

pytestmark = pytest.mark.django_db


def make(target: str, due_in: float | None) -> Location:
    due = None if due_in is None else timezone.now() + timedelta(seconds=due_in)
    return Location.objects.create(type="url", target=target, next_refresh_at=due)


def test_only_due_locations_are_queued_once(monkeypatch, django_capture_on_commit_callbacks, settings):
    settings.CATALOG_REFRESH_INTERVAL_MIN = settings.CATALOG_REFRESH_INTERVAL_MAX = 120
    queued: list[str] = []
    monkeypatch.setattr(tasks.refresh_location, "delay", queued.append)
    due = make("https://h/a.yaml", -5)
    make("https://h/b.yaml", 60)
    make("https://h/c.yaml", None)

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.refresh_due_locations() == 1
    assert queued == [str(due.pk)]
    due.refresh_from_db()
    assert due.next_refresh_at > timezone.now() + timedelta(seconds=100)

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.refresh_due_locations() == 0, "claimed: not queued again"
    assert queued == [str(due.pk)]


def test_a_batch_limit_bounds_each_round(monkeypatch, django_capture_on_commit_callbacks, settings):
    settings.CATALOG_SCHEDULER_BATCH = 2
    monkeypatch.setattr(tasks.refresh_location, "delay", lambda pk: None)
    for i in range(5):
        make(f"https://h/{i}.yaml", -i - 1)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.refresh_due_locations() == 2
        assert tasks.refresh_due_locations() == 2
        assert tasks.refresh_due_locations() == 1


def test_a_deleted_location_is_skipped_quietly():
    assert tasks.refresh_location("00000000-0000-0000-0000-000000000000") is None
