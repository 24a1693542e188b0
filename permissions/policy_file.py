"""Policy rules as a YAML file: a list of rules, each with name, permissions, subject and condition.

- name: platform-team-manages-its-namespace
  permissions: [catalog.entity.refresh, catalog.entity.delete]
  subject: group            # everyone | users | group | user | service
  subject_value: group:default/platform
  condition: namespace      # any | is_owner | kind | namespace | annotation
  condition_value: platform
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from permissions import names
from permissions.models import PolicyRule

FIELDS = {
    "name",
    "description",
    "permissions",
    "subject",
    "subject_value",
    "condition",
    "condition_value",
    "enabled",
}


class PolicyFileError(ValueError):
    pass


def parse_rules(text: str) -> list[dict[str, Any]]:
    """Validate the file's rules; every problem is reported with the rule's position and name."""
    try:
        data = yaml.safe_load(text) or []
    except yaml.YAMLError as exc:
        raise PolicyFileError(f"Not valid YAML: {exc}") from exc
    if not isinstance(data, list):
        raise PolicyFileError("A policy file is a list of rules")
    rules, problems = [], []
    for index, rule in enumerate(data, start=1):
        where = f"rule {index}"
        if not isinstance(rule, dict) or not rule.get("name"):
            problems.append(f"{where}: needs a name")
            continue
        where = f"rule {index} ({rule['name']})"
        unknown = set(rule) - FIELDS
        if unknown:
            problems.append(f"{where}: unknown keys {sorted(unknown)}")
        permissions = rule.get("permissions")
        if not isinstance(permissions, list) or not permissions:
            problems.append(f"{where}: permissions must be a non-empty list")
            permissions = []
        problems.extend(
            f"{where}: unknown permission {p!r}" for p in permissions if p not in names.PERMISSIONS
        )
        if rule.get("subject", "users") not in PolicyRule.Subject.values:
            problems.append(f"{where}: subject must be one of {PolicyRule.Subject.values}")
        if rule.get("condition", "any") not in PolicyRule.Condition.values:
            problems.append(f"{where}: condition must be one of {PolicyRule.Condition.values}")
        rules.append({key: rule[key] for key in FIELDS if key in rule})
    if problems:
        raise PolicyFileError("\n".join(problems))
    return rules


@transaction.atomic
def load_rules(path: str | Path, *, replace: bool = False) -> tuple[int, int, int]:
    """Create or update the file's rules by name; with ``replace``, delete the others. (created, updated, deleted)"""
    rules = parse_rules(Path(path).read_text())
    created = updated = 0
    for rule in rules:
        _, was_created = PolicyRule.objects.update_or_create(name=rule["name"], defaults=rule)
        created += was_created
        updated += not was_created
    deleted = 0
    if replace:
        deleted, _ = PolicyRule.objects.exclude(name__in=[r["name"] for r in rules]).delete()
    return created, updated, deleted
