"""The org's connected apps, users and tokens, and its token endpoint (the OAuth 2.0 JWT bearer flow).

``POST /services/oauth2/token`` with ``grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer``: the
assertion's RS256 signature is verified against the certificate uploaded with
:meth:`ConnectedApps.register_app`, because a key/certificate mismatch is the setup mistake the invoker
must report. Errors are HTTP 400 ``{"error", "error_description"}`` with Salesforce's texts (the
:class:`OAuthError` constants). ``exp`` must lie in the future and at most
:data:`MAX_ASSERTION_LIFETIME_SECONDS` ahead (Salesforce: "within 3 minutes"). A ``jti`` seen before is
rejected as ``invalid assertion`` so a replayed assertion is caught.

Longer than the package's other modules: the registry (apps, users, tokens) and the endpoint that checks an
assertion against it share one state and one lock, and splitting them would spread one contract over two files.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from werkzeug.wrappers import Request, Response

from tools.emulators.salesforce.ids import org_id, salesforce_id
from tools.emulators.salesforce.responses import json_response

TOKEN_PATH = "/services/oauth2/token"  # noqa: S105 (a path, not a password)
JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
PRODUCTION_AUDIENCE = "https://login.salesforce.com/"
SANDBOX_AUDIENCE = "https://test.salesforce.com/"
#: Salesforce documents that ``exp`` must be "the expiration time of the assertion within 3 minutes"
MAX_ASSERTION_LIFETIME_SECONDS = 180


@dataclass(frozen=True)
class OAuthError:
    """One of Salesforce's token endpoint errors (``error`` and ``error_description`` as Salesforce words them)."""

    error: str
    description: str

    def as_json(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


INVALID_CLIENT_ID = OAuthError("invalid_client_id", "client identifier invalid")
INVALID_ASSERTION = OAuthError("invalid_grant", "invalid assertion")
AUDIENCE_INVALID = OAuthError("invalid_grant", "audience is invalid")
EXPIRED_ASSERTION = OAuthError("invalid_grant", "expired authorization code")
USER_NOT_APPROVED = OAuthError("invalid_grant", "user hasn't approved this consumer")
NOT_ADMIN_APPROVED = OAuthError("invalid_app_access", "user is not admin approved to access this app")
INACTIVE_USER = OAuthError("invalid_grant", "inactive user")
RATE_LIMIT_EXCEEDED = OAuthError("rate_limit_exceeded", "rate limit exceeded")
UNSUPPORTED_GRANT_TYPE = OAuthError("unsupported_grant_type", "grant type not supported")


@dataclass
class _User:
    user_id: str
    approved: bool
    active: bool
    #: the profile's name as the org shows it (localized: 「システム管理者」 in a Japanese org)
    profile: str | None = None


@dataclass
class _Identity:
    """Everything :meth:`ConnectedApps._forget_identity` forgets."""

    #: consumer key -> its certificate's key (None: an app without "Use digital signatures")
    apps: dict[str, RSAPublicKey | None] = field(default_factory=dict)
    #: consumer key -> the users pre-authorized for that app alone (an app without an entry admits every
    #: approved user, as a profile granted to all apps would)
    app_users: dict[str, set[str]] = field(default_factory=dict)
    token_owners: dict[str, tuple[str, str]] = field(default_factory=dict)  # token -> (consumer key, username)
    users: dict[str, _User] = field(default_factory=dict)
    tokens: set[str] = field(default_factory=set)  # valid access tokens
    used_jtis: set[str] = field(default_factory=set)
    mint_count: int = 0
    assertion_claims: list[dict[str, Any]] = field(default_factory=list)
    issued_claims: list[dict[str, Any]] = field(default_factory=list)  # claims of assertions that minted a token


class ConnectedApps:
    """The org's identity part of :class:`~tools.emulators.salesforce.server.SalesforceEmulator` (thread-safe)."""

    def __init__(self) -> None:
        self.org_id = org_id()
        self._identity_lock = threading.RLock()
        self._forget_identity()

    def _forget_identity(self) -> None:
        with self._identity_lock:
            self._identity = _Identity()
            self.expected_audiences: set[str] = {PRODUCTION_AUDIENCE}

    def register_app(self, consumer_key: str, certificate_pem: str, *, users: Iterable[str] = ()) -> None:
        """Create (or replace) a connected app / External Client App with its uploaded certificate.

        ``users`` are added as active and pre-authorized for this app only (a user of another app asserting
        with this app's consumer key is refused as not approved), the usual setup of one External Client App
        per integration user; without ``users`` every approved user (:meth:`add_user`) may use the app.
        """
        public_key = _load_certificate_key(certificate_pem)
        users = list(users)
        with self._identity_lock:
            self._identity.apps[consumer_key] = public_key
            if users:
                self._identity.app_users[consumer_key] = set(users)
            else:
                self._identity.app_users.pop(consumer_key, None)
        for username in users:
            self.add_user(username)

    def set_certificate(self, consumer_key: str, certificate_pem: str) -> None:
        """Upload a new certificate to an existing app, as an admin does when a key is rotated."""
        public_key = _load_certificate_key(certificate_pem)
        with self._identity_lock:
            if consumer_key not in self._identity.apps:
                raise KeyError(f"no app with consumer key {consumer_key!r}: register_app() first")
            self._identity.apps[consumer_key] = public_key

    def add_user(
        self, username: str, *, approved: bool = True, active: bool = True, profile: str | None = None
    ) -> None:
        """A user; ``approved`` means pre-authorized for the apps through a profile or permission set.

        ``profile`` names the user's profile: what a connected app's ``profileName`` pre-authorizes, and what
        decides the user's Metadata API rights (``add_profile`` of :mod:`~tools.emulators.salesforce.metadata`).
        """
        with self._identity_lock:
            existing = self._identity.users.get(username)
            user_id = existing.user_id if existing else salesforce_id("User")
            profile = profile if profile is not None else (existing.profile if existing else None)
            self._identity.users[username] = _User(user_id, approved, active, profile)

    def issue_session(self, username: str) -> str:
        """A valid access token of ``username`` (an administrator signed in with ``sf org login``, say)."""
        token = self.issue_token()
        with self._identity_lock:
            self._identity.token_owners[token] = ("", username)
        return token

    def _session_user(self, token: str) -> tuple[str, _User] | None:
        """(username, user) of a valid token minted for a known user; None otherwise."""
        with self._identity_lock:
            if token not in self._identity.tokens:
                return None
            _, username = self._identity.token_owners.get(token, ("", ""))
            user = self._identity.users.get(username)
        return (username, user) if user is not None else None

    def _set_app_access(self, consumer_key: str, public_key: RSAPublicKey | None, users: set[str] | None) -> None:
        """What the token endpoint checks for an app: its certificate's key and the users it pre-authorizes
        (None: every approved user)."""
        with self._identity_lock:
            self._identity.apps[consumer_key] = public_key
            if users is None:
                self._identity.app_users.pop(consumer_key, None)
            else:
                self._identity.app_users[consumer_key] = set(users)

    def _usernames_with_profiles(self, profiles: Iterable[str]) -> set[str]:
        wanted = set(profiles)
        with self._identity_lock:
            return {name for name, user in self._identity.users.items() if user.profile in wanted}

    @property
    def mint_count(self) -> int:
        """How many access tokens the token endpoint issued."""
        with self._identity_lock:
            return self._identity.mint_count

    @property
    def assertion_claims(self) -> list[dict[str, Any]]:
        """The claims of every assertion posted to the token endpoint that could be decoded, accepted or not."""
        with self._identity_lock:
            return list(self._identity.assertion_claims)

    @property
    def issued_claims(self) -> list[dict[str, Any]]:
        """The claims of the assertions that minted a token, in order: what a test asserts iss/sub/aud/exp/jti on."""
        with self._identity_lock:
            return list(self._identity.issued_claims)

    @property
    def valid_tokens(self) -> frozenset[str]:
        with self._identity_lock:
            return frozenset(self._identity.tokens)

    def token_owner(self, token: str) -> tuple[str, str] | None:
        """(consumer key, username) of the assertion that minted ``token``; None for tokens it did not mint."""
        with self._identity_lock:
            return self._identity.token_owners.get(token)

    def issue_token(self) -> str:
        """A valid access token without a token request (e.g. one already cached in the access secret)."""
        token = f"{self.org_id}!{secrets.token_urlsafe(72)}"
        with self._identity_lock:
            self._identity.tokens.add(token)
        return token

    def revoke_tokens(self) -> None:
        """Invalidate every current token, as a session timeout or an admin's revocation does."""
        with self._identity_lock:
            self._identity.tokens.clear()

    def revoke_token(self, token: str) -> None:
        """Invalidate one token (the next request with it gets 401 INVALID_SESSION_ID), others stay valid."""
        with self._identity_lock:
            self._identity.tokens.discard(token)

    def _authorized(self, request: Request) -> bool:
        """A valid token as ``Bearer`` (or the older ``OAuth`` scheme Salesforce still accepts)."""
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        with self._identity_lock:
            return scheme in ("Bearer", "OAuth") and token.strip() in self._identity.tokens

    def _token(self, request: Request) -> Response:
        """The token endpoint; ``instance_url`` is the URL the request came to (the org's, http or https)."""
        if request.values.get("grant_type") != JWT_BEARER_GRANT:
            return json_response(400, UNSUPPORTED_GRANT_TYPE.as_json())
        assertion = request.values.get("assertion", "")
        outcome = self._check_assertion(assertion)
        if isinstance(outcome, OAuthError):
            return json_response(400, outcome.as_json())
        token = self.issue_token()
        claims = jwt.decode(assertion, options={"verify_signature": False})
        with self._identity_lock:
            self._identity.mint_count += 1
            self._identity.issued_claims.append(claims)
            self._identity.token_owners[token] = (str(claims.get("iss", "")), str(claims.get("sub", "")))
        instance_url = request.host_url.rstrip("/")
        return json_response(
            200,
            {
                "access_token": token,
                "scope": "api",
                "instance_url": instance_url,
                "id": f"{instance_url}/id/{self.org_id}/{outcome.user_id}",
                "token_type": "Bearer",
                "issued_at": str(int(time.time() * 1000)),
            },
        )

    def _check_assertion(self, assertion: str) -> _User | OAuthError:
        """Salesforce's checks, in the order that decides which error a bad assertion gets."""
        try:
            header = jwt.get_unverified_header(assertion)
            claims = jwt.decode(assertion, options={"verify_signature": False})
        except jwt.PyJWTError:
            return INVALID_ASSERTION
        with self._identity_lock:
            self._identity.assertion_claims.append(claims)
            known_app = claims.get("iss", "") in self._identity.apps
            public_key = self._identity.apps.get(claims.get("iss", ""))
        if not known_app:
            return INVALID_CLIENT_ID
        if header.get("alg") != "RS256" or public_key is None or not _signature_ok(assertion, public_key):
            return INVALID_ASSERTION
        claim_error = self._claims_error(claims)
        if claim_error is not None:
            return claim_error
        return self._user_for(str(claims.get("sub", "")), str(claims.get("iss", "")))

    def _claims_error(self, claims: dict[str, Any]) -> OAuthError | None:
        audiences = claims.get("aud")
        audiences = audiences if isinstance(audiences, list) else [audiences]
        accepted = {audience.rstrip("/").lower() for audience in self.expected_audiences}
        if not any(isinstance(aud, str) and aud.rstrip("/").lower() in accepted for aud in audiences):
            return AUDIENCE_INVALID
        exp = claims.get("exp")
        now = time.time()
        if not isinstance(exp, (int, float)) or isinstance(exp, bool) or exp <= now:
            return EXPIRED_ASSERTION
        if exp > now + MAX_ASSERTION_LIFETIME_SECONDS:
            return INVALID_ASSERTION
        jti = claims.get("jti")
        with self._identity_lock:
            if jti is not None and jti in self._identity.used_jtis:
                return INVALID_ASSERTION
            if jti is not None:
                self._identity.used_jtis.add(jti)
        return None

    def _user_for(self, username: str, consumer_key: str) -> _User | OAuthError:
        with self._identity_lock:
            user = self._identity.users.get(username)
            permitted = self._identity.app_users.get(consumer_key)
        if user is None:
            return USER_NOT_APPROVED
        if not user.active:
            return INACTIVE_USER
        if not user.approved or (permitted is not None and username not in permitted):
            return NOT_ADMIN_APPROVED
        return user


def _signature_ok(assertion: str, public_key: RSAPublicKey) -> bool:
    try:
        jwt.decode(
            assertion,
            public_key,
            algorithms=["RS256"],
            options={"verify_aud": False, "verify_exp": False, "verify_iat": False, "verify_nbf": False},
        )
    except jwt.PyJWTError:
        return False
    return True


def _load_certificate_key(certificate_pem: str) -> RSAPublicKey:
    public_key = x509.load_pem_x509_certificate(certificate_pem.encode()).public_key()
    if not isinstance(public_key, RSAPublicKey):
        raise ValueError("Salesforce's JWT bearer flow needs an RSA certificate")
    return public_key
