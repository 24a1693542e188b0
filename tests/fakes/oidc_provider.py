"""A small OpenID Connect provider on 127.0.0.1: discovery, authorize, token, userinfo and JWKS endpoints."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm


def new_key() -> rsa.RSAPrivateKey:
    """A fresh RSA key: the provider's own, or a rogue one to forge ID tokens with."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class FakeOIDCProvider:
    """An authorization-code provider with one registered client.

    Whoever ``sign_in_as(claims)`` names is the person at the provider's login page: ``/authorize``
    hands out a code for them at once. ``signing_key`` signs ID tokens; set it to ``new_key()`` to issue
    tokens the published JWKS does not verify (same ``kid``, other key).
    """

    def __init__(self, *, client_id: str = "greenroom", client_secret: str = "s3cret") -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.key = new_key()
        self.kid = "fake-key-1"
        self.signing_key = self.key
        self.claims: dict[str, Any] = {}
        self.codes: dict[str, dict[str, Any]] = {}
        self.access_tokens: dict[str, dict[str, Any]] = {}
        self.requests: list[str] = []
        self._server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def discovery_url(self) -> str:
        return f"{self.base_url}/.well-known/openid-configuration"

    def sign_in_as(self, claims: dict[str, Any]) -> None:
        """The user (their claims, ``sub`` included) who approves the next authorization request."""
        self.claims = dict(claims)

    def discovery(self) -> dict[str, Any]:
        base = self.base_url
        return {
            "issuer": base,
            "authorization_endpoint": f"{base}/authorize",
            "token_endpoint": f"{base}/token",
            "userinfo_endpoint": f"{base}/userinfo",
            "jwks_uri": f"{base}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
        }

    def jwks(self) -> dict[str, Any]:
        jwk = RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return {"keys": [{**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

    def authorize(self, query: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        """Approve at once: redirect to ``redirect_uri`` with a code and the caller's ``state``."""
        if query.get("client_id") != self.client_id or query.get("response_type") != "code":
            return 400, {}, {"error": "unauthorized_client"}
        if "openid" not in query.get("scope", "").split() or not query.get("redirect_uri"):
            return 400, {}, {"error": "invalid_request"}
        code = secrets.token_urlsafe(16)
        self.codes[code] = {
            "claims": dict(self.claims),
            "nonce": query.get("nonce"),
            "redirect_uri": query["redirect_uri"],
            "code_challenge": query.get("code_challenge"),
        }
        params = urlencode({"code": code, "state": query.get("state", "")})
        return 302, {"Location": f"{query['redirect_uri']}?{params}"}, None

    def token(self, form: dict[str, str], authorization: str) -> tuple[int, dict[str, str], Any]:
        """Exchange a code (once) for an access token and an RS256-signed ID token."""
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        if authorization.startswith("Basic "):
            client_id, _, client_secret = base64.b64decode(authorization[6:]).decode().partition(":")
        if client_id != self.client_id or client_secret != self.client_secret:
            return 401, {}, {"error": "invalid_client"}
        grant = self.codes.pop(form.get("code", ""), None)
        if form.get("grant_type") != "authorization_code" or grant is None:
            return 400, {}, {"error": "invalid_grant"}
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return 400, {}, {"error": "invalid_grant"}
        if not _pkce_ok(grant, form.get("code_verifier")):
            return 400, {}, {"error": "invalid_grant"}
        access_token = secrets.token_urlsafe(24)
        self.access_tokens[access_token] = grant["claims"]
        body = {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": self.id_token(grant["claims"], nonce=grant["nonce"]),
        }
        return 200, {}, body

    def id_token(self, claims: dict[str, Any], *, nonce: str | None) -> str:
        now = int(time.time())
        payload = {
            "iss": self.base_url,
            "aud": self.client_id,
            "sub": claims["sub"],
            "iat": now,
            "exp": now + 300,
            "email": claims.get("email"),
        }
        if nonce is not None:
            payload["nonce"] = nonce
        return jwt.encode(payload, self.signing_key, algorithm="RS256", headers={"kid": self.kid})

    def userinfo(self, authorization: str) -> tuple[int, dict[str, str], Any]:
        claims = self.access_tokens.get(authorization.removeprefix("Bearer "))
        if not authorization.startswith("Bearer ") or claims is None:
            return 401, {"WWW-Authenticate": 'Bearer error="invalid_token"'}, {"error": "invalid_token"}
        return 200, {}, claims

    def start(self) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()


def _pkce_ok(grant: dict[str, Any], verifier: str | None) -> bool:
    if not grant["code_challenge"]:
        return True
    if not verifier:
        return False
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode() == grant["code_challenge"]


def _handler_for(provider: FakeOIDCProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            url = urlsplit(self.path)
            provider.requests.append(f"GET {url.path}")
            query = {key: values[0] for key, values in parse_qs(url.query).items()}
            authorization = self.headers.get("Authorization", "")
            if url.path == "/.well-known/openid-configuration":
                self.reply(200, {}, provider.discovery())
            elif url.path == "/jwks":
                self.reply(200, {}, provider.jwks())
            elif url.path == "/authorize":
                self.reply(*provider.authorize(query))
            elif url.path == "/userinfo":
                self.reply(*provider.userinfo(authorization))
            else:
                self.reply(404, {}, {"error": "not_found"})

        def do_POST(self) -> None:  # noqa: N802
            url = urlsplit(self.path)
            provider.requests.append(f"POST {url.path}")
            length = int(self.headers.get("Content-Length") or 0)
            form = {key: values[0] for key, values in parse_qs(self.rfile.read(length).decode()).items()}
            if url.path == "/token":
                self.reply(*provider.token(form, self.headers.get("Authorization", "")))
            else:
                self.reply(404, {}, {"error": "not_found"})

        def reply(self, status: int, headers: dict[str, str], body: Any) -> None:
            data = b"" if body is None else json.dumps(body).encode()
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if body is not None:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@contextmanager
def serving(**kwargs: Any) -> Iterator[FakeOIDCProvider]:
    provider = FakeOIDCProvider(**kwargs)
    provider.start()
    try:
        yield provider
    finally:
        provider.stop()
