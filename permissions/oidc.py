"""Single sign-on with OpenID Connect: mozilla-django-oidc's backend and views, fed by provider discovery."""

from __future__ import annotations

import functools
import logging
import re
from typing import Any

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.views.generic import View
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

logger = logging.getLogger(__name__)

# Settings that, when left empty, are read from the provider's discovery document (its key on the right).
DISCOVERED = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
    "OIDC_OP_ISSUER": "issuer",
}
CLOCK_SKEW_SECONDS = 60
_NOT_IN_USERNAME = re.compile(r"[^\w.@+-]")
USERNAME_MAX = 150


def sso_enabled() -> bool:
    """Whether single sign-on is configured (OIDC_RP_CLIENT_ID set); otherwise only local accounts sign in."""
    return bool(getattr(settings, "OIDC_RP_CLIENT_ID", ""))


@functools.lru_cache(maxsize=8)
def provider_metadata(discovery_url: str) -> dict[str, Any]:
    """The provider's ``.well-known/openid-configuration``, fetched once per process (failures are not kept)."""
    try:
        response = requests.get(discovery_url, timeout=getattr(settings, "OIDC_TIMEOUT", 10))
        response.raise_for_status()
        metadata = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise ImproperlyConfigured(f"OIDC discovery failed at {discovery_url}: {exc}") from exc
    if not isinstance(metadata, dict):
        raise ImproperlyConfigured(f"OIDC discovery at {discovery_url} is not a JSON object")
    return metadata


def oidc_setting(name: str, *default: Any) -> Any:
    """mozilla-django-oidc's ``import_from_settings``, except that an empty endpoint comes from discovery.

    Read when used, so a provider that is down stops single sign-on only, never startup or password
    sign-in, and pytest's ``settings`` fixture can point a test at a fake provider.
    """
    if name not in DISCOVERED:
        return import_from_settings(name, *default)
    value = getattr(settings, name, "")
    discovery_url = getattr(settings, "OIDC_OP_DISCOVERY_URL", "")
    if not value and discovery_url:
        value = provider_metadata(discovery_url).get(DISCOVERED[name], "")
    if value:
        return value
    if default:
        return default[0]
    raise ImproperlyConfigured(f"{name} is not set and OIDC_OP_DISCOVERY_URL does not provide it")


class _Setting:
    """An OIDC setting read on each use rather than in ``__init__``: Django builds every backend for
    every sign-in attempt, and a password sign-in must not wait for the identity provider."""

    def __init__(self, name: str, *default: Any) -> None:
        self.name, self.default = name, default

    def __get__(self, instance: object, owner: type | None = None) -> Any:
        return oidc_setting(self.name, *self.default)


class OIDCBackend(OIDCAuthenticationBackend):
    """Signs a user in from the provider's claims, creating or updating the Django user.

    An existing user is found by email (case-insensitively); a new one gets a unique username from
    ``preferred_username`` or the email's local part. Django's ``auth.login`` (called by the callback
    view) sends ``user_logged_in``, on which ``permissions.identity`` links the catalog User entity.
    """

    get_settings = staticmethod(oidc_setting)
    OIDC_OP_TOKEN_ENDPOINT = _Setting("OIDC_OP_TOKEN_ENDPOINT")
    OIDC_OP_USER_ENDPOINT = _Setting("OIDC_OP_USER_ENDPOINT")
    OIDC_OP_JWKS_ENDPOINT = _Setting("OIDC_OP_JWKS_ENDPOINT", None)
    OIDC_RP_CLIENT_ID = _Setting("OIDC_RP_CLIENT_ID")
    OIDC_RP_CLIENT_SECRET = _Setting("OIDC_RP_CLIENT_SECRET")
    OIDC_RP_SIGN_ALGO = _Setting("OIDC_RP_SIGN_ALGO", "RS256")
    OIDC_RP_IDP_SIGN_KEY = _Setting("OIDC_RP_IDP_SIGN_KEY", None)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Not the parent's __init__: it reads (and so discovers) every endpoint up front.
        self.UserModel = get_user_model()

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> Any:
        if not sso_enabled():
            return None
        return super().authenticate(request, **kwargs)

    def _verify_jws(self, payload: str, key: Any) -> dict[str, Any]:
        """Check the signature, and also what the parent leaves out: audience and issuer (expiry when present).

        Also used for signed (``application/jwt``) userinfo, which therefore needs ``aud`` and ``iss`` too.
        """
        algorithm = jwt.get_unverified_header(payload).get("alg")
        if algorithm != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation(f"ID token algorithm {algorithm!r} is not {self.OIDC_RP_SIGN_ALGO}")
        try:
            return jwt.decode(
                payload,
                key,
                algorithms=[algorithm],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=oidc_setting("OIDC_OP_ISSUER", None),
                leeway=CLOCK_SKEW_SECONDS,
            )
        except jwt.InvalidTokenError as exc:
            raise SuspiciousOperation(f"ID token refused: {exc}") from exc

    def get_userinfo(self, access_token: str, id_token: str, payload: dict[str, Any]) -> dict[str, Any]:
        claims = super().get_userinfo(access_token, id_token, payload)
        # OIDC Core 5.3.2: userinfo must describe the subject of the ID token, or it may be someone else's.
        if claims.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("userinfo sub does not match the ID token's")
        return claims

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        """An email is required; one the provider says is unverified could take over a local account."""
        if not claims.get("email"):
            return False
        allow_unverified = getattr(settings, "OIDC_ALLOW_UNVERIFIED_EMAIL", False)
        return claims.get("email_verified") is not False or allow_unverified

    def filter_users_by_claims(self, claims: dict[str, Any]) -> Any:
        return self.UserModel.objects.filter(email__iexact=claims["email"].strip())

    def create_user(self, claims: dict[str, Any]) -> Any:
        user = self.UserModel(username=self.get_username(claims))
        _apply_claims(user, claims)
        user.set_unusable_password()
        user.save()
        return user

    def update_user(self, user: Any, claims: dict[str, Any]) -> Any:
        changed = _apply_claims(user, claims)
        if changed:
            user.save(update_fields=changed)
        return user

    def get_username(self, claims: dict[str, Any]) -> str:
        return unique_username(claims)


def _apply_claims(user: Any, claims: dict[str, Any]) -> list[str]:
    """Copy email and names from the claims; returns the fields that changed."""
    values = {
        "email": claims["email"].strip(),
        "first_name": (claims.get("given_name") or user.first_name or "")[:150],
        "last_name": (claims.get("family_name") or user.last_name or "")[:150],
    }
    changed = [field for field, value in values.items() if getattr(user, field) != value]
    for field in changed:
        setattr(user, field, values[field])
    return changed


def unique_username(claims: dict[str, Any]) -> str:
    """``preferred_username``, else the email's local part, made safe for Django and unique (``-2``, ``-3``)."""
    wanted = claims.get("preferred_username") or claims["email"].partition("@")[0] or claims["sub"]
    base = _NOT_IN_USERNAME.sub("-", str(wanted).strip())[: USERNAME_MAX - 8] or "user"
    users = get_user_model().objects
    candidate, suffix = base, 1
    while users.filter(username__iexact=candidate).exists():
        suffix += 1
        candidate = f"{base}-{suffix}"
    return candidate


class AuthenticationRequestView(OIDCAuthenticationRequestView):
    """``/oidc/authenticate/``: redirects to the provider; 404 when single sign-on is not configured."""

    get_settings = staticmethod(oidc_setting)
    OIDC_OP_AUTH_ENDPOINT = _Setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
    OIDC_RP_CLIENT_ID = _Setting("OIDC_RP_CLIENT_ID")

    def __init__(self, **kwargs: Any) -> None:
        View.__init__(self, **kwargs)  # the parent's reads the endpoint, before dispatch could answer 404

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not sso_enabled():
            raise Http404("Single sign-on is not configured")
        return super().dispatch(request, *args, **kwargs)


class AuthenticationCallbackView(OIDCAuthenticationCallbackView):
    """``/oidc/callback/``: signs the user in, then goes to ``next`` or home; failures go back to sign-in.

    A wrong ``state`` or a forged ID token is refused with 400 (``SuspiciousOperation``); a provider that
    cannot be reached or refuses the code is a failed sign-in with a message.
    """

    get_settings = staticmethod(oidc_setting)

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not sso_enabled():
            raise Http404("Single sign-on is not configured")
        try:
            return super().dispatch(request, *args, **kwargs)
        except requests.RequestException:
            logger.exception("Single sign-on failed: the identity provider did not answer as expected")
            return self.login_failure()

    @property
    def success_url(self) -> str:
        # Home, like the sign-in page's next_page; Django's LOGIN_REDIRECT_URL default is /accounts/profile/.
        return self.request.session.get("oidc_login_next") or "/"

    @property
    def failure_url(self) -> str:
        return resolve_url(settings.LOGIN_URL)

    def login_failure(self) -> HttpResponse:
        messages.error(self.request, "Single sign-on did not succeed. Try again, or sign in with a password.")
        return super().login_failure()
