"""API tokens, stored as a lookup prefix and a SHA-256 hash of the secret; the plain token is never kept."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

TOKEN_KIND = "grn"
PREFIX_BYTES = 4  # 8 hex characters
SECRET_BYTES = 32
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def split_token(token: str) -> tuple[str, str] | None:
    """``grn_<prefix>_<secret>`` → ``(prefix, secret)``; ``None`` for anything else."""
    kind, _, rest = token.partition("_")
    prefix, _, secret = rest.partition("_")
    if kind != TOKEN_KIND or not prefix or not secret:
        return None
    return prefix, secret


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> ApiTokenQuerySet:
        now = timezone.now()
        return self.filter(revoked=False).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )

    def for_token(self, token: str) -> ApiToken | None:
        """The active token matching ``token``, found by its prefix and compared in constant time."""
        parts = split_token(token)
        if parts is None:
            return None
        prefix, secret = parts
        candidate = self.active().filter(prefix=prefix).select_related("user").first()
        if candidate is None or not hmac.compare_digest(candidate.secret_hash, hash_secret(secret)):
            return None
        return candidate


class ApiToken(models.Model):
    """A static bearer token acting as a service principal named ``subject`` (Backstage's static tokens).

    The token ``grn_<prefix>_<secret>`` is shown once when issued; only ``prefix`` (to find the row) and
    the SHA-256 of the secret are stored.
    """

    subject = models.CharField(max_length=150, help_text="The service principal the token acts as.")
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Empty: never expires.")
    revoked = models.BooleanField(default=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        help_text="A personal token acts as this user; empty: a service principal named by the subject.",
    )
    permissions = models.JSONField(
        null=True,
        blank=True,
        help_text='Limit the token to these permissions, e.g. ["catalog.entity.read"]; empty: no limit.',
    )
    name = models.CharField(max_length=150, blank=True, help_text="What the token is for.")

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.subject} ({TOKEN_KIND}_{self.prefix}_…)"

    @classmethod
    def issue(
        cls,
        subject: str,
        *,
        expires_at: datetime | None = None,
        user: Any = None,
        permissions: list[str] | None = None,
        name: str = "",
    ) -> tuple[ApiToken, str]:
        """Create a token for ``subject``; returns the row and the plain token (shown once, never stored)."""
        token = cls(subject=subject, expires_at=expires_at, user=user, permissions=permissions, name=name)
        plain = token.set_new_secret()
        token.save()
        return token, plain

    def set_new_secret(self) -> str:
        """Give this (unsaved) token a fresh prefix and secret; returns the plain token."""
        self.prefix = secrets.token_hex(PREFIX_BYTES)
        secret = secrets.token_urlsafe(SECRET_BYTES)
        self.secret_hash = hash_secret(secret)
        return f"{TOKEN_KIND}_{self.prefix}_{secret}"

    def permission_limit(self) -> frozenset[str] | None:
        """The permissions this token is limited to, or ``None`` when it may do all its subject may."""
        return None if self.permissions is None else frozenset(self.permissions)

    @property
    def is_active(self) -> bool:
        return not self.revoked and (self.expires_at is None or self.expires_at > timezone.now())

    def touch(self) -> None:
        """Record use, at most once a minute so that reads do not turn into a write each."""
        now = timezone.now()
        if self.last_used_at is None or now - self.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=self.pk).update(last_used_at=now)
            self.last_used_at = now
