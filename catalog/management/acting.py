"""Who a catalog command acts as: the operator (everything), or ``--as-user NAME`` under the policy."""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.management.base import CommandError, CommandParser

from permissions import audit, policy
from permissions.explain import ExplainError, principal_named
from permissions.principal import SYSTEM, Principal


def add_as_user_argument(parser: CommandParser) -> None:
    parser.add_argument(
        "--as-user",
        metavar="USERNAME",
        help="Act as this user: the permission policy decides, as it does for the API and the pages.",
    )


def principal_from(options: dict[str, Any]) -> Principal:
    if not options.get("as_user"):
        return SYSTEM
    try:
        return principal_named(user=options["as_user"])
    except ExplainError as exc:
        raise CommandError(str(exc)) from exc


def require(principal: Principal, permission: str, obj: Any = None) -> None:
    decision = policy.decide(principal, permission, obj)
    if not decision.allowed:
        raise CommandError(f"Not allowed: {decision.reason}")


@contextmanager
def acting(principal: Principal) -> Iterator[None]:
    actor = f"system:{getpass.getuser()}" if principal is SYSTEM else principal.actor
    with audit.acting_as(actor, "command"):
        yield
