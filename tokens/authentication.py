"""``Authorization: Bearer <token>`` for DRF, resolving static API tokens to a service principal."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rest_framework import authentication, exceptions
from rest_framework.request import Request

from tokens.models import ApiToken
from tokens.verified import verified_token

BEARER = re.compile(r"^Bearer[ ]+(\S+)$", re.IGNORECASE)


@dataclass(frozen=True)
class ServicePrincipal:
    """Who a static token acts as; quacks enough like a user for DRF and permission checks."""

    subject: str
    token_id: int

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None

    @property
    def username(self) -> str:
        return self.subject

    def get_username(self) -> str:
        return self.subject

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        return False

    def __str__(self) -> str:
        return f"service:{self.subject}"


def bearer_token(header: str) -> str | None:
    match = BEARER.match(header)
    return match.group(1) if match else None


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """Static tokens; a bearer token that is not valid is a 401, any other scheme is left to others."""

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        token_text = bearer_token(header)
        if token_text is None:
            if header.strip().lower().startswith("bearer"):
                raise exceptions.AuthenticationFailed("Invalid Authorization header")
            return None
        token = verified_token(token_text)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid or expired token")
        token.touch()
        if token.user is not None:
            if not token.user.is_active:
                raise exceptions.AuthenticationFailed("The token's user is inactive")
            return token.user, token
        return ServicePrincipal(token.subject, token.pk), token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'
