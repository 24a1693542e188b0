"""The demo organisation that `make run` loads is complete and consistent."""

from collections import Counter

import pytest
from django.core.management import call_command

from catalog.models import CatalogError, Entity, Relation

pytestmark = pytest.mark.django_db


def test_the_demo_organisation_loads_without_errors(capsys):
    call_command("load_demo", "--no-admin")
    assert "0 errors, 0 conflicts" in capsys.readouterr().out
    assert not CatalogError.objects.exists()
    kinds = Counter(Entity.objects.values_list("kind", flat=True))
    assert kinds["Domain"] >= 3 and kinds["System"] >= 6 and kinds["Component"] >= 30
    assert kinds["Group"] >= 3 and kinds["User"] >= 10 and kinds["API"] >= 4
    assert kinds["Resource"] >= 1 and kinds["Template"] >= 2
    assert Counter(Entity.objects.filter(kind="Component").values_list("spec_type", flat=True)).keys() >= {
        "service",
        "website",
        "library",
    }
    assert set(Entity.objects.filter(kind="Component").values_list("lifecycle", flat=True)) >= {
        "production",
        "experimental",
        "deprecated",
    }


def test_every_demo_reference_points_at_an_entity_that_exists():
    call_command("load_demo", "--no-admin")
    existing = set(Entity.objects.values_list("ref", flat=True))
    dangling = set(Relation.objects.exclude(target_ref__in=existing).values_list("target_ref", flat=True))
    assert dangling == set()


def test_demo_apis_carry_their_definitions():
    call_command("load_demo", "--no-admin")
    for final in Entity.objects.filter(kind="API").values_list("final", flat=True):
        definition = final["spec"]["definition"]
        assert isinstance(definition, str) and len(definition) > 50, final["metadata"]["name"]
