"""Admins' API: the permission explainer and the audit log."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response

from catalog.api import params
from catalog.api.base import CatalogView
from catalog.api.errors import InputError, NotAllowedError
from permissions import policy
from permissions.api import schema
from permissions.explain import ExplainError, explain
from permissions.models import AuditEvent
from permissions.principal import principal_for

AUDIT_PAGE = 100


def require_admin(request: Request) -> None:
    principal = principal_for(request)
    if not principal.is_superuser or principal.token_permissions is not None:
        raise NotAllowedError("Only administrators may read this")


class ExplainView(CatalogView):
    """GET /api/permissions/explain?permission=…&user=…|token=…[&target=…] → the decision and its reason.

    Any caller may ask about itself (no user or token given); only admins may ask about others.
    """

    @schema.explain
    def get(self, request: Request) -> Response:
        query = request.query_params
        permission = query.get("permission", "")
        target = query.get("target", "")
        user, token = query.get("user", ""), query.get("token", "")
        try:
            if not user and not token:
                obj = _target(permission, target)
                decision = policy.decide(request, permission, obj)
                return Response(
                    {
                        "caller": principal_for(request).actor,
                        "permission": permission,
                        "target": str(obj) if obj else "",
                        "result": "ALLOW" if decision.allowed else "DENY",
                        "reason": decision.reason,
                        "source": decision.source,
                    }
                )
            require_admin(request)
            return Response(explain(permission=permission, user=user, token=token, target=target).as_dict())
        except ExplainError as exc:
            raise InputError(str(exc)) from exc
        except ValueError as exc:  # an unknown permission name
            raise InputError(str(exc)) from exc


def _target(permission: str, target: str) -> Any:
    from permissions.explain import target_named

    return target_named(permission, target)


class AuditView(CatalogView):
    """GET /api/permissions/audit?limit=&offset=&action=&actor=&path= — newest first; admins only."""

    @schema.audit
    def get(self, request: Request) -> Response:
        require_admin(request)
        query = request.query_params
        limit = params.integer(request, "limit", minimum=1) or AUDIT_PAGE
        offset = params.integer(request, "offset", minimum=0) or 0
        events = AuditEvent.objects.all()
        for field in ("action", "actor", "path"):
            if query.get(field):
                events = events.filter(**{field: query[field]})
        total = events.count()
        page = events[offset : offset + min(limit, 1000)]
        return Response(
            {
                "items": [
                    {
                        "id": e.pk,
                        "createdAt": e.created_at.isoformat(),
                        "actor": e.actor,
                        "path": e.path,
                        "action": e.action,
                        "target": e.target,
                        "detail": e.detail,
                    }
                    for e in page
                ],
                "totalItems": total,
            }
        )
