"""The audit log: every write to the catalog and every change of permissions, with who and through what.

Entry points say who is acting (``acting_as``); services call ``record``, which reads that context.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from permissions.models import AuditEvent

_actor: ContextVar[tuple[str, str] | Any] = ContextVar("greenroom_audit_actor", default=("system", "system"))


@contextmanager
def acting_as(actor: str, path: str) -> Iterator[None]:
    """Attribute what happens inside to ``actor`` (``user:jane``, ``service:port``) through ``path``."""
    token = _actor.set((actor, path))
    try:
        yield
    finally:
        _actor.reset(token)


@contextmanager
def request_context(request: Any) -> Iterator[None]:
    """Attribute writes during a request to its caller, resolved when something is recorded.

    Resolved late because DRF authenticates tokens inside the view, after middleware has run.
    """
    token = _actor.set(request)
    try:
        yield
    finally:
        _actor.reset(token)


def current_actor() -> tuple[str, str]:
    value = _actor.get()
    if isinstance(value, tuple):
        return value
    from permissions.principal import principal_for

    request = getattr(value, "_audit_drf_request", value)
    path = request.path if hasattr(request, "path") else ""
    where = "admin" if path.startswith("/admin/") else "api" if path.startswith("/api/") else "page"
    return principal_for(request).actor, where


def record(
    action: str, target: str = "", detail: dict[str, Any] | None = None, *, actor: str = "", path: str = ""
) -> AuditEvent:
    context_actor, context_path = current_actor()
    return AuditEvent.objects.create(
        actor=actor or context_actor,
        path=path or context_path,
        action=action,
        target=target[:2048],
        detail=detail or {},
    )
