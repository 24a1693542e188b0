"""The default policy: signed-in users read, owners refresh and unregister their entities, admins do all.

Admins are superusers, who pass every check before rules are looked at.
"""

from __future__ import annotations

from permissions import names

DEFAULT_RULES: list[dict] = [
    {
        "name": "everyone-reads-the-catalog",
        "description": "Signed-in users and tokens read every entity and location.",
        "permissions": [names.ENTITY_READ, names.LOCATION_READ],
        "subject": "everyone",
        "condition": "any",
    },
    {
        "name": "owners-refresh-and-unregister",
        "description": "A user may refresh and unregister the entities it or one of its groups owns.",
        "permissions": [names.ENTITY_REFRESH, names.ENTITY_DELETE],
        "subject": "users",
        "condition": "is_owner",
    },
    {
        "name": "users-validate-and-analyze",
        "description": "Signed-in users may validate descriptors and analyze a location before importing it.",
        "permissions": [names.ENTITY_VALIDATE, names.LOCATION_ANALYZE],
        "subject": "users",
        "condition": "any",
    },
]
