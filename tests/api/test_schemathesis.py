"""Schemathesis over /api/schema/: generated requests never make the API fail (5xx), and every answer has a
documented status, content type and body shape.

Not checked: that schema-valid requests are accepted and schema-invalid ones refused. The schema cannot say
that a cursor must be one we issued or a location type one we allow, and Backstage, like us, is lenient with
``null`` for optional body fields.
"""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis", minversion="4.0")

from django.core.signals import request_finished, request_started  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.db import close_old_connections  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tokens.models import ApiToken  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


@pytest.fixture
def api_schema():
    """The schema served in-process; like Django's test client, requests must not close the test's connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


@pytest.fixture
def bearer(catalog) -> dict[str, str]:
    _row, plain = ApiToken.issue("schemathesis")
    return {"Authorization": f"Bearer {plain}"}


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_operation_fails_on_generated_input(case, bearer):
    case.call_and_validate(headers=bearer, checks=CHECKS)
