"""The raw tab: the descriptor as written (YAML) and the entity as the API serves it (JSON)."""

from __future__ import annotations

import json
from typing import Any

import yaml
from django.http import HttpRequest

from catalog.models import Entity
from catalog.views.highlight import highlight_source


def raw_context(request: HttpRequest, entity: Entity) -> dict[str, Any]:
    descriptor = yaml.safe_dump(entity.descriptor, sort_keys=False, allow_unicode=True, width=100)
    served = json.dumps(entity.served, indent=2, ensure_ascii=False, default=str)
    return {
        "descriptor_html": highlight_source(descriptor, "yaml"),
        "served_html": highlight_source(served, "json"),
    }
