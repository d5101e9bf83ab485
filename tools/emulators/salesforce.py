"""A Salesforce org over real loopback HTTP: the JWT bearer token endpoint and the REST API the invoker calls.

Why an emulator and not mocks: the invoker's behaviour that matters (signing, retries, timeouts,
re-minting after a 401, what it puts in the URL) only shows on the wire. This org verifies what a
real one verifies and answers with Salesforce's status codes and JSON shapes, so a test fails here
for the same reason it would fail against Salesforce.

Token endpoint (``POST /services/oauth2/token``, ``grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer``)
    The assertion's RS256 signature is verified against the certificate uploaded with
    :meth:`SalesforceEmulator.register_app`. Errors are HTTP 400 ``{"error", "error_description"}``
    with Salesforce's texts (the ``OAuthError`` constants below). ``exp`` must lie in the future and
    at most :data:`MAX_ASSERTION_LIFETIME_SECONDS` ahead (Salesforce: "within 3 minutes"). A ``jti``
    seen before is rejected as ``invalid assertion`` so a replayed assertion is caught.

REST API (``/services/data/vNN.N/...``, any version)
    ``query``, ``search`` (scripted with :meth:`set_query_result` / :meth:`set_search_result`),
    ``sobjects/<Object>[/<id>]`` (create, read, update, delete in memory), upsert by external id
    (``PATCH sobjects/<Object>/<field>/<value>``: 201 ``created: true`` for a new record, 200 ``created: false``
    for the one record holding that value, 300 with the records' URLs when several do), ``composite``
    (subrequests in order, ``@{ref.path}`` references resolved from earlier results, ``allOrNone`` rolling every
    change back; see :meth:`SalesforceEmulator._composite`), required fields (:meth:`require_fields`:
    ``REQUIRED_FIELD_MISSING`` as Salesforce answers it), platform events such as
    ``RealtimeAlertEvent`` (``OPERATION_ENQUEUED``), and Service Cloud Voice's
    ``connect/conversations/upload``, and Service Cloud Voice's voicemail greetings (``add_routing_map``,
    ``add_voicemail_greeting``: the VoiceMailGreeting2Rep query is evaluated, not scripted). Every response
    carries ``Sforce-Limit-Info: api-usage=n/limit``.
    The upload response shapes (``{"uploads": [...]}``, ``{"statuses": [...]}``) are this emulator's
    plausible reading of the Connect API docs, not copied from a real org.

Faults: :meth:`inject_fault` answers the next matching requests with a given status, body, headers
and/or delay (a hang), the delay before the request is processed or, with ``answer_late``, after it (an
ambiguous timeout: the change is made, the client never hears of it). An org that refuses connections is
simulated by :meth:`stop` (which also cuts keep-alive connections); :meth:`start` brings it back on the
same port.

Standalone, to try contact-flow parameters by hand (``make emulator ARGS=...`` runs this)::

    python -m tools.emulators.salesforce --port 8765 --consumer-key KEY --certificate server.crt \\
        --username user@example.com [--audience https://test.salesforce.com/] [--records records.json]

It prints the endpoints to put in ``SALESFORCE_AUTH_ENDPOINT`` / ``SALESFORCE_REST_API_ENDPOINT_BASE``
and logs each request with its outcome. ``records.json`` scripts answers by SOQL/SOSL substring::

    {"queries": {"FROM Contact": [{"Id": "003...", "Name": "Ada"}]},
     "searches": {"FIND {+8190": [{"attributes": {"type": "Contact"}, "Id": "003..."}]}}
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import secrets
import string
import sys
import threading
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote_plus

import jwt
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request, Response

from tools.emulators._server import LoopbackServer

logger = logging.getLogger(__name__)

API_VERSION = "68.0"
TOKEN_PATH = "/services/oauth2/token"
DATA_PREFIX = "/services/data/"
JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
PRODUCTION_AUDIENCE = "https://login.salesforce.com/"
SANDBOX_AUDIENCE = "https://test.salesforce.com/"
#: Salesforce documents that ``exp`` must be "the expiration time of the assertion within 3 minutes"
MAX_ASSERTION_LIFETIME_SECONDS = 180
#: Salesforce's default daily API request allocation in this emulator (``Sforce-Limit-Info``)
DEFAULT_API_LIMIT = 15000

_JSON = "application/json;charset=UTF-8"
_DATA_PATH = re.compile(r"^/services/data/v(?P<version>\d+\.\d+)/(?P<rest>.*?)/?$")
_PLATFORM_EVENTS = {"RealtimeAlertEvent"}
_USER_RELATIONSHIPS = {"RelatedRecord", "Owner", "CreatedBy", "LastModifiedBy"}
_KEY_PREFIXES = {
    "Account": "001",
    "Contact": "003",
    "User": "005",
    "Opportunity": "006",
    "Lead": "00Q",
    "Task": "00T",
    "Event": "00U",
    "Case": "500",
    "VoiceCall": "0LQ",
    "RealtimeAlertEvent": "e00",
}
_ID_CHARS = string.digits + string.ascii_letters
_ID_SUFFIX_CHARS = string.ascii_uppercase + "012345"


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

INVALID_SESSION = [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
NOT_FOUND = [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}]
REQUEST_LIMIT_EXCEEDED = [{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}]
_NOT_A_JSON_OBJECT = [{"message": "The request body is not a JSON object", "errorCode": "JSON_PARSER_ERROR"}]
PROCESSING_HALTED = "PROCESSING_HALTED"
#: what every other subrequest of a failed allOrNone Composite request answers (Salesforce's wording)
ROLLED_BACK = [
    {
        "errorCode": PROCESSING_HALTED,
        "message": "The transaction was rolled back since another operation in the same transaction failed.",
    }
]
#: Salesforce's limits for one Composite request
COMPOSITE_MAX_SUBREQUESTS = 25
COMPOSITE_MAX_QUERIES = 5
_COMPOSITE_REFERENCE = re.compile(r"@\{([^{}]*)\}")
_REFERENCE_ELEMENT = re.compile(r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:\[(?P<index>[0-9]+)\])?")


@dataclass(frozen=True)
class RecordedRequest:
    """One request exactly as the emulator received it, for assertions on what the client sent."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    time: float

    def header(self, name: str) -> str | None:
        """A header by case-insensitive name."""
        return next((value for key, value in self.headers.items() if key.lower() == name.lower()), None)

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> dict[str, str]:
        """The url-encoded form body (the token request's grant_type and assertion)."""
        return dict(parse_qsl(self.body.decode()))


@dataclass(frozen=True)
class StoredRecord:
    """A record created through the API (or seeded with :meth:`SalesforceEmulator.add_record`)."""

    sobject: str
    id: str
    fields: dict[str, Any]


@dataclass(frozen=True)
class UploadedTranscript:
    """One part of a ``connect/conversations/upload`` request: the field name is the contact id."""

    contact_id: str
    filename: str
    content: bytes
    upload_id: str


@dataclass(frozen=True)
class VoicemailGreeting:
    """A VoiceMailGreeting2 record linked to one rep (user) by a VoiceMailGreeting2Rep record."""

    rep_id: str
    url: str
    type: str = "DROP"
    is_default: bool = True


@dataclass
class _User:
    user_id: str
    approved: bool
    active: bool


@dataclass
class _Fault:
    path_contains: str
    method: str | None
    status: int | None
    body: Any
    headers: dict[str, str]
    remaining: int
    delay_seconds: float
    answer_late: bool = False

    def matches(self, method: str, path: str) -> bool:
        return self.path_contains in path and (self.method is None or self.method.upper() == method)


@dataclass
class _ScriptedResult:
    match: str
    records: list[dict[str, Any]]
    total_size: int | None
    sobject: str | None


@dataclass
class _OrgState:
    """Everything :meth:`SalesforceEmulator.reset` forgets."""

    apps: dict[str, RSAPublicKey] = field(default_factory=dict)  # consumer key -> its certificate's key
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
    requests: list[RecordedRequest] = field(default_factory=list)
    faults: list[_Fault] = field(default_factory=list)
    queries: list[_ScriptedResult] = field(default_factory=list)
    searches: list[_ScriptedResult] = field(default_factory=list)
    records: dict[str, StoredRecord] = field(default_factory=dict)  # 15-character id -> record
    events: list[StoredRecord] = field(default_factory=list)
    uploads: list[UploadedTranscript] = field(default_factory=list)
    routing_maps: list[tuple[str, str]] = field(default_factory=list)  # (ExternalId, ReferenceRecordId)
    greetings: list[VoicemailGreeting] = field(default_factory=list)
    api_usage: int = 0
    required_fields: dict[str, tuple[str, ...]] = field(default_factory=dict)  # lower-case object -> fields


def salesforce_id(sobject: str) -> str:
    """A new 18-character id with the object's key prefix and a correct case-safe suffix."""
    base = _KEY_PREFIXES.get(sobject, "a00") + "5g0" + "".join(secrets.choice(_ID_CHARS) for _ in range(9))
    return base + _case_suffix(base)


def _case_suffix(id15: str) -> str:
    """Salesforce's 3-character suffix: one character per 5-character chunk, encoding which are upper case."""
    chunks = (id15[0:5], id15[5:10], id15[10:15])
    return "".join(_ID_SUFFIX_CHARS[sum(1 << i for i, ch in enumerate(chunk) if "A" <= ch <= "Z")] for chunk in chunks)


def _json_response(status: int, body: Any, headers: Mapping[str, str] | None = None) -> Response:
    return Response(json.dumps(body), status=status, headers=dict(headers or {}), content_type=_JSON)


def _fault_response(status: int, body: Any, headers: Mapping[str, str]) -> Response:
    if isinstance(body, (dict, list)):
        return _json_response(status, body, headers)
    return Response(body or b"", status=status, headers=dict(headers))


def _main_object(statement: str, keyword: str) -> str | None:
    """The object after FROM (SOQL) or RETURNING (SOSL), ignoring parenthesized subqueries and field lists."""
    previous = None
    while previous != statement:
        previous, statement = statement, re.sub(r"\([^()]*\)", " ", statement)
    match = re.search(rf"\b{keyword}\s+(\w+)", statement, re.IGNORECASE)
    return match.group(1) if match else None


def _load_certificate_key(certificate_pem: str) -> RSAPublicKey:
    public_key = x509.load_pem_x509_certificate(certificate_pem.encode()).public_key()
    if not isinstance(public_key, RSAPublicKey):
        raise ValueError("Salesforce's JWT bearer flow needs an RSA certificate")
    return public_key


class SalesforceEmulator:
    """One Salesforce org: connected apps, users, tokens, records, and scripted query answers.

    Thread-safe: the server answers on several threads while the test reads and scripts state.
    """

    def __init__(self, *, port: int = 0, api_limit: int = DEFAULT_API_LIMIT) -> None:
        self._default_api_limit = api_limit
        self.api_limit = api_limit
        self.expected_audiences: set[str] = {PRODUCTION_AUDIENCE}
        self.org_id = "00D5g0000" + "".join(secrets.choice(string.ascii_uppercase) for _ in range(6))
        self.org_id += _case_suffix(self.org_id)
        self._lock = threading.RLock()
        self._state = _OrgState()
        self._release_hangs = threading.Event()
        self._server = LoopbackServer(self._wsgi, port=port)

    # -- lifecycle -------------------------------------------------------------------------------------------

    def start(self) -> SalesforceEmulator:
        self._server.start()
        return self

    def stop(self) -> None:
        """Stop answering: new connections are refused and open ones are cut (Salesforce unreachable)."""
        self._release_hung_requests()
        self._server.stop()

    def __enter__(self) -> SalesforceEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def reset(self) -> None:
        """Forget everything (apps, users, tokens, records, scripts, faults, recordings, settings); between tests."""
        self._release_hung_requests()
        with self._lock:
            self._state = _OrgState()
            self.expected_audiences = {PRODUCTION_AUDIENCE}
            self.api_limit = self._default_api_limit

    @property
    def base_url(self) -> str:
        """The org's URL (what Salesforce returns as ``instance_url``)."""
        return self._server.url

    @property
    def auth_endpoint(self) -> str:
        return self.base_url + TOKEN_PATH

    def rest_base(self, version: str = API_VERSION) -> str:
        return f"{self.base_url}{DATA_PREFIX}v{version}"

    # -- connected app and users -----------------------------------------------------------------------------

    def register_app(self, consumer_key: str, certificate_pem: str, *, users: Iterable[str] = ()) -> None:
        """Create (or replace) a connected app / External Client App with its uploaded certificate.

        ``users`` are added as active and pre-authorized for this app only (a user of another app asserting
        with this app's consumer key is refused as not approved), the usual setup of one External Client App
        per integration user; without ``users`` every approved user (:meth:`add_user`) may use the app.
        """
        public_key = _load_certificate_key(certificate_pem)
        users = list(users)
        with self._lock:
            self._state.apps[consumer_key] = public_key
            if users:
                self._state.app_users[consumer_key] = set(users)
            else:
                self._state.app_users.pop(consumer_key, None)
        for username in users:
            self.add_user(username)

    def set_certificate(self, consumer_key: str, certificate_pem: str) -> None:
        """Upload a new certificate to an existing app, as an admin does when a key is rotated."""
        public_key = _load_certificate_key(certificate_pem)
        with self._lock:
            if consumer_key not in self._state.apps:
                raise KeyError(f"no app with consumer key {consumer_key!r}: register_app() first")
            self._state.apps[consumer_key] = public_key

    def add_user(self, username: str, *, approved: bool = True, active: bool = True) -> None:
        """A user; ``approved`` means pre-authorized for the apps through a profile or permission set."""
        with self._lock:
            existing = self._state.users.get(username)
            user_id = existing.user_id if existing else salesforce_id("User")
            self._state.users[username] = _User(user_id, approved, active)

    # -- tokens ----------------------------------------------------------------------------------------------

    @property
    def mint_count(self) -> int:
        """How many access tokens the token endpoint issued."""
        with self._lock:
            return self._state.mint_count

    @property
    def assertion_claims(self) -> list[dict[str, Any]]:
        """The claims of every assertion posted to the token endpoint that could be decoded, accepted or not."""
        with self._lock:
            return list(self._state.assertion_claims)

    @property
    def issued_claims(self) -> list[dict[str, Any]]:
        """The claims of the assertions that minted a token, in order: what a test asserts iss/sub/aud/exp/jti on."""
        with self._lock:
            return list(self._state.issued_claims)

    @property
    def valid_tokens(self) -> frozenset[str]:
        with self._lock:
            return frozenset(self._state.tokens)

    def token_owner(self, token: str) -> tuple[str, str] | None:
        """(consumer key, username) of the assertion that minted ``token``; None for tokens it did not mint."""
        with self._lock:
            return self._state.token_owners.get(token)

    def issue_token(self) -> str:
        """A valid access token without a token request (e.g. one already cached in the access secret)."""
        token = f"{self.org_id}!{secrets.token_urlsafe(72)}"
        with self._lock:
            self._state.tokens.add(token)
        return token

    def revoke_tokens(self) -> None:
        """Invalidate every current token, as a session timeout or an admin's revocation does."""
        with self._lock:
            self._state.tokens.clear()

    def revoke_token(self, token: str) -> None:
        """Invalidate one token (the next request with it gets 401 INVALID_SESSION_ID), others stay valid."""
        with self._lock:
            self._state.tokens.discard(token)

    # -- data ------------------------------------------------------------------------------------------------

    def set_query_result(
        self, match: str, records: list[dict[str, Any]], total_size: int | None = None, *, sobject: str | None = None
    ) -> None:
        """Answer queries whose SOQL contains ``match`` (case-insensitive; the last one registered wins).

        Records get ``attributes`` like Salesforce's, nested relationship records too; the type is
        ``sobject``, else the object after FROM, unless a record carries its own ``attributes``.
        """
        with self._lock:
            self._state.queries.append(_ScriptedResult(match.lower(), records, total_size, sobject))

    def set_search_result(self, match: str, records: list[dict[str, Any]], *, sobject: str | None = None) -> None:
        """Answer SOSL searches containing ``match``; the type defaults to the first object after RETURNING."""
        with self._lock:
            self._state.searches.append(_ScriptedResult(match.lower(), records, None, sobject))

    def add_routing_map(self, external_id: str, user_id: str | None = None) -> str:
        """A CallCenterRoutingMap from an agent's ARN (ExternalId) to a user (ReferenceRecordId) (the user id)."""
        user_id = user_id or salesforce_id("User")
        with self._lock:
            self._state.routing_maps.append((external_id, user_id))
        return user_id

    def add_voicemail_greeting(self, rep_id: str, url: str, *, type: str = "DROP", default: bool = True) -> None:
        """A VoiceMailGreeting2 for a rep: what ``SELECT VoiceMailGreeting2.GreetingUrl FROM VoiceMailGreeting2Rep``
        finds (the emulator evaluates that query's ExternalId, Type and IsDefault conditions itself)."""
        with self._lock:
            self._state.greetings.append(VoicemailGreeting(rep_id, url, type, default))

    def add_record(self, sobject: str, fields: Mapping[str, Any], record_id: str | None = None) -> str:
        """Seed a record the API can read, update and delete; returns its 18-character id."""
        record_id = record_id or salesforce_id(sobject)
        with self._lock:
            self._state.records[record_id[:15]] = StoredRecord(sobject, record_id, dict(fields))
        return record_id

    def require_fields(self, sobject: str, *fields: str) -> None:
        """Creating ``sobject`` without one of ``fields`` fails with REQUIRED_FIELD_MISSING, as a required field
        does in Salesforce (e.g. Contact's LastName)."""
        with self._lock:
            self._state.required_fields[sobject.lower()] = fields

    def record(self, record_id: str) -> StoredRecord | None:
        """A stored record by 15- or 18-character id (None once deleted)."""
        with self._lock:
            return self._state.records.get(record_id[:15])

    def records(self, sobject: str) -> list[StoredRecord]:
        with self._lock:
            return [record for record in self._state.records.values() if record.sobject == sobject]

    @property
    def published_events(self) -> list[StoredRecord]:
        """Platform events (e.g. RealtimeAlertEvent) published through sobjects, in order."""
        with self._lock:
            return list(self._state.events)

    @property
    def uploads(self) -> list[UploadedTranscript]:
        """Transcript parts received by ``connect/conversations/upload``, in order."""
        with self._lock:
            return list(self._state.uploads)

    @property
    def api_usage(self) -> int:
        """Data API requests so far (the ``n`` of ``Sforce-Limit-Info: api-usage=n/limit``)."""
        with self._lock:
            return self._state.api_usage

    @api_usage.setter
    def api_usage(self, value: int) -> None:
        """Start near the limit to test what happens when the org runs out of API requests."""
        with self._lock:
            self._state.api_usage = value

    # -- faults ----------------------------------------------------------------------------------------------

    def inject_fault(
        self,
        path_contains: str,
        *,
        status: int | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        times: int = 1,
        delay_seconds: float = 0.0,
        method: str | None = None,
        answer_late: bool = False,
    ) -> None:
        """Answer the next ``times`` requests whose path contains ``path_contains`` with this response.

        ``body``: dict/list (sent as JSON), str or bytes. ``delay_seconds`` holds the request first (a
        hanging Salesforce); with no ``status`` the request is then answered normally. With ``answer_late``
        the request is processed at once and only its answer is held (an ambiguous timeout). Hung requests
        are released by :meth:`reset` and :meth:`stop`.
        """
        if status is None and not delay_seconds:
            raise ValueError("a fault needs a status, a delay, or both")
        if answer_late and (status is not None or not delay_seconds):
            raise ValueError("answer_late holds a normal answer: give a delay and no status")
        fault = _Fault(path_contains, method, status, body, dict(headers or {}), times, delay_seconds, answer_late)
        with self._lock:
            self._state.faults.append(fault)

    def inject_rate_limit(self, *, times: int = 1, retry_after_seconds: int = 1) -> None:
        """HTTP 429 with Retry-After on the next data API requests."""
        body = [{"message": "Too many requests", "errorCode": "REQUEST_LIMIT_EXCEEDED"}]
        headers = {"Retry-After": str(retry_after_seconds)}
        self.inject_fault(DATA_PREFIX, status=429, body=body, headers=headers, times=times)

    def inject_unavailable(self, *, times: int = 1, path_contains: str = "/services/") -> None:
        """HTTP 503 (maintenance or an overloaded instance) on the token endpoint and the data API."""
        body = [{"message": "Service Unavailable", "errorCode": "SERVER_UNAVAILABLE"}]
        self.inject_fault(path_contains, status=503, body=body, times=times)

    def inject_session_expired(self, *, times: int = 1) -> None:
        """HTTP 401 INVALID_SESSION_ID on the next data API requests whatever token they carry."""
        self.inject_fault(DATA_PREFIX, status=401, body=INVALID_SESSION, times=times)

    def inject_token_error(self, error: OAuthError, *, status: int = 400, times: int = 1) -> None:
        """The token endpoint answers ``error`` (e.g. :data:`RATE_LIMIT_EXCEEDED`) whatever the assertion."""
        self.inject_fault(TOKEN_PATH, status=status, body=error.as_json(), times=times)

    def inject_malformed_query(self, message: str = "unexpected token: 'FORM'", *, times: int = 1) -> None:
        """HTTP 400 MALFORMED_QUERY on the next queries, as Salesforce answers SOQL it cannot parse."""
        body = [{"message": message, "errorCode": "MALFORMED_QUERY"}]
        self.inject_fault("/query", status=400, body=body, times=times)

    # -- recordings ------------------------------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received, in order (token endpoint, data API and anything else)."""
        with self._lock:
            return list(self._state.requests)

    def data_requests(self) -> list[RecordedRequest]:
        """Requests to the REST API, without the token endpoint."""
        return [request for request in self.requests if request.path.startswith(DATA_PREFIX)]

    def token_requests(self) -> list[RecordedRequest]:
        return [request for request in self.requests if request.path == TOKEN_PATH]

    # -- HTTP ------------------------------------------------------------------------------------------------

    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        body = request.get_data()
        is_data = request.path.startswith(DATA_PREFIX)
        with self._lock:
            self._state.requests.append(
                RecordedRequest(
                    request.method, request.path, request.args.to_dict(), dict(request.headers), body, time.time()
                )
            )
            fault = self._take_fault(request.method, request.path)
            if is_data:
                self._state.api_usage += 1
        if fault is not None and fault.delay_seconds and not fault.answer_late:
            self._release_hangs.wait(fault.delay_seconds)
        if fault is not None and fault.status is not None:
            response = _fault_response(fault.status, fault.body, fault.headers)
        else:
            response = self._route(request)
        if fault is not None and fault.answer_late:
            self._release_hangs.wait(fault.delay_seconds)
        if is_data:
            response.headers["Sforce-Limit-Info"] = f"api-usage={self.api_usage}/{self.api_limit}"
        self._log(request, response)
        return response(environ, start_response)

    def _take_fault(self, method: str, path: str) -> _Fault | None:
        for fault in self._state.faults:
            if fault.matches(method, path):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._state.faults.remove(fault)
                return fault
        return None

    def _release_hung_requests(self) -> None:
        """Let requests held by a delay fault finish now, so a test's hang cannot leak into the next test."""
        hung, self._release_hangs = self._release_hangs, threading.Event()
        hung.set()

    def _route(self, request: Request) -> Response:
        if request.path == TOKEN_PATH and request.method == "POST":
            return self._token(request)
        match = _DATA_PATH.match(request.path)
        if match is None:
            return _json_response(404, NOT_FOUND)
        if not self._authorized(request):
            return _json_response(401, INVALID_SESSION)
        if self.api_usage > self.api_limit:
            return _json_response(403, REQUEST_LIMIT_EXCEEDED)
        return self._data(request, match.group("version"), match.group("rest"))

    def _authorized(self, request: Request) -> bool:
        """A valid token as ``Bearer`` (or the older ``OAuth`` scheme Salesforce still accepts)."""
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        with self._lock:
            return scheme in ("Bearer", "OAuth") and token.strip() in self._state.tokens

    def _log(self, request: Request, response: Response) -> None:
        query = unquote_plus(request.query_string.decode())
        target = request.path + (f"?{query}" if query else "")
        detail = ""
        if response.status_code >= 400 and response.content_type and "json" in response.content_type:
            detail = " " + response.get_data(as_text=True)[:300]
        logger.info("%s %s -> %s%s", request.method, target, response.status_code, detail)

    # -- token endpoint --------------------------------------------------------------------------------------

    def _token(self, request: Request) -> Response:
        if request.values.get("grant_type") != JWT_BEARER_GRANT:
            return _json_response(400, UNSUPPORTED_GRANT_TYPE.as_json())
        assertion = request.values.get("assertion", "")
        outcome = self._check_assertion(assertion)
        if isinstance(outcome, OAuthError):
            return _json_response(400, outcome.as_json())
        token = self.issue_token()
        claims = jwt.decode(assertion, options={"verify_signature": False})
        with self._lock:
            self._state.mint_count += 1
            self._state.issued_claims.append(claims)
            self._state.token_owners[token] = (str(claims.get("iss", "")), str(claims.get("sub", "")))
        return _json_response(
            200,
            {
                "access_token": token,
                "scope": "api",
                "instance_url": self.base_url,
                "id": f"{self.base_url}/id/{self.org_id}/{outcome.user_id}",
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
        with self._lock:
            self._state.assertion_claims.append(claims)
            public_key = self._state.apps.get(claims.get("iss", ""))
        if public_key is None:
            return INVALID_CLIENT_ID
        if header.get("alg") != "RS256" or not self._signature_ok(assertion, public_key):
            return INVALID_ASSERTION
        claim_error = self._claims_error(claims)
        if claim_error is not None:
            return claim_error
        return self._user_for(str(claims.get("sub", "")), str(claims.get("iss", "")))

    @staticmethod
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
        with self._lock:
            if jti is not None and jti in self._state.used_jtis:
                return INVALID_ASSERTION
            if jti is not None:
                self._state.used_jtis.add(jti)
        return None

    def _user_for(self, username: str, consumer_key: str) -> _User | OAuthError:
        with self._lock:
            user = self._state.users.get(username)
            permitted = self._state.app_users.get(consumer_key)
        if user is None:
            return USER_NOT_APPROVED
        if not user.active:
            return INACTIVE_USER
        if not user.approved or (permitted is not None and username not in permitted):
            return NOT_ADMIN_APPROVED
        return user

    # -- REST API --------------------------------------------------------------------------------------------

    def _data(self, request: Request, version: str, rest: str) -> Response:
        parts = rest.split("/")
        method = request.method
        if parts == ["query"] and method == "GET":
            return self._query(request, version)
        if parts == ["search"] and method == "GET":
            return self._search(request, version)
        if parts == ["connect", "conversations", "upload"] and method in ("GET", "POST"):
            return self._upload(request) if method == "POST" else self._upload_statuses(request)
        if len(parts) == 2 and parts[0] == "sobjects" and method == "POST":
            return self._create(request, parts[1])
        if len(parts) == 3 and parts[0] == "sobjects" and method in ("GET", "PATCH", "DELETE"):
            return self._record_operation(request, version, parts[1], parts[2])
        if len(parts) == 4 and parts[0] == "sobjects" and method == "PATCH":
            return self._upsert(request, version, parts[1], parts[2], parts[3])
        if parts == ["composite"] and method == "POST":
            return self._composite(request, version)
        return _json_response(404, NOT_FOUND)

    def _query(self, request: Request, version: str) -> Response:
        soql = request.args.get("q", "")
        if not soql.strip():
            return _json_response(400, [{"message": "q parameter is required", "errorCode": "MALFORMED_QUERY"}])
        scripted = self._scripted(self._state.queries, soql)
        if scripted is None and (_main_object(soql, "FROM") or "").lower() == "voicemailgreeting2rep":
            scripted = self._greeting_query(soql)
        if scripted is None:
            return _json_response(200, {"totalSize": 0, "done": True, "records": []})
        sobject = scripted.sobject or _main_object(soql, "FROM") or "SObject"
        records = [self._with_attributes(record, sobject, version) for record in scripted.records]
        total = len(records) if scripted.total_size is None else scripted.total_size
        return _json_response(200, {"totalSize": total, "done": True, "records": records})

    def _search(self, request: Request, version: str) -> Response:
        sosl = request.args.get("q", "")
        if not sosl.strip():
            return _json_response(400, [{"message": "q parameter is required", "errorCode": "MALFORMED_SEARCH"}])
        scripted = self._scripted(self._state.searches, sosl)
        if scripted is None:
            return _json_response(200, {"searchRecords": []})
        sobject = scripted.sobject or _main_object(sosl, "RETURNING") or "SObject"
        return _json_response(
            200, {"searchRecords": [self._with_attributes(record, sobject, version) for record in scripted.records]}
        )

    def _greeting_query(self, soql: str) -> _ScriptedResult | None:
        """VoiceMailGreeting2Rep rows of the reps whose routing map's ExternalId is the quoted literal, honouring
        ``VoiceMailGreeting2.Type='<type>'`` and ``IsDefault = true`` when the query has them; a relationship
        field comes back nested, as Salesforce returns it."""
        external_id = re.search(r"ExternalId\s*=\s*'((?:\\.|[^'\\])*)'", soql, re.IGNORECASE)
        if external_id is None:
            return None
        arn = re.sub(r"\\(.)", r"\1", external_id.group(1))
        wanted_type = re.search(r"VoiceMailGreeting2\.Type\s*=\s*'([^']*)'", soql, re.IGNORECASE)
        default_only = re.search(r"\bIsDefault\s*=\s*true\b", soql, re.IGNORECASE) is not None
        with self._lock:
            reps = {user_id for external, user_id in self._state.routing_maps if external == arn}
            greetings = [
                greeting
                for greeting in self._state.greetings
                if greeting.rep_id in reps
                and (wanted_type is None or greeting.type == wanted_type.group(1))
                and (greeting.is_default or not default_only)
            ]
        records = [{"VoiceMailGreeting2": {"GreetingUrl": greeting.url}} for greeting in greetings[:1]]
        return _ScriptedResult("", records, None, "VoiceMailGreeting2Rep")

    def _scripted(self, results: list[_ScriptedResult], statement: str) -> _ScriptedResult | None:
        with self._lock:
            return next((result for result in reversed(results) if result.match in statement.lower()), None)

    def _with_attributes(self, record: Mapping[str, Any], sobject: str, version: str) -> dict[str, Any]:
        """A record as Salesforce returns it: ``attributes`` first, nested relationship records likewise."""
        fields = dict(record)
        given = fields.pop("attributes", None) or {}
        sobject = given.get("type", sobject)
        record_id = fields.get("Id") or salesforce_id(sobject)
        url = given.get("url") or f"{DATA_PREFIX}v{version}/sobjects/{sobject}/{record_id}"
        shaped: dict[str, Any] = {"attributes": {"type": sobject, "url": url}}
        for name, value in fields.items():
            if isinstance(value, Mapping):
                value = self._with_attributes(value, _relationship_type(name), version)
            shaped[name] = value
        return shaped

    def _create(self, request: Request, sobject: str) -> Response:
        fields = _json_object(request)
        if fields is None:
            return _json_response(400, _NOT_A_JSON_OBJECT)
        missing = self._missing_required(sobject, fields)
        if missing is not None:
            return missing
        record = StoredRecord(sobject, salesforce_id(sobject), fields)
        with self._lock:
            if sobject in _PLATFORM_EVENTS or sobject.endswith("__e"):
                self._state.events.append(record)
                enqueued = {"statusCode": "OPERATION_ENQUEUED", "message": str(uuid.uuid4()), "fields": []}
                return _json_response(201, {"id": record.id, "success": True, "errors": [enqueued]})
            self._state.records[record.id[:15]] = record
        return _json_response(201, {"id": record.id, "success": True, "errors": []})

    def _record_operation(self, request: Request, version: str, sobject: str, record_id: str) -> Response:
        with self._lock:
            stored = self._state.records.get(record_id[:15])
            if stored is None or stored.sobject.lower() != sobject.lower():
                return _json_response(404, NOT_FOUND)
            if request.method == "DELETE":
                del self._state.records[record_id[:15]]
                return Response(status=204)
        if request.method == "GET":
            shaped = self._with_attributes({"Id": stored.id, **stored.fields}, stored.sobject, version)
            return _json_response(200, shaped)
        fields = _json_object(request)
        if fields is None:
            return _json_response(400, _NOT_A_JSON_OBJECT)
        with self._lock:
            self._state.records[record_id[:15]] = StoredRecord(stored.sobject, stored.id, {**stored.fields, **fields})
        return Response(status=204)

    def _missing_required(self, sobject: str, fields: Mapping[str, Any]) -> Response | None:
        with self._lock:
            required = self._state.required_fields.get(sobject.lower(), ())
        missing = [name for name in required if fields.get(name) in (None, "")]
        if not missing:
            return None
        message = f"Required fields are missing: [{', '.join(missing)}]"
        return _json_response(400, [{"message": message, "errorCode": "REQUIRED_FIELD_MISSING", "fields": missing}])

    def _upsert(self, request: Request, version: str, sobject: str, id_field: str, value: str) -> Response:
        """Upsert by external id: create when no record holds ``value`` in ``id_field``, update the one that does."""
        fields = _json_object(request)
        if fields is None:
            return _json_response(400, _NOT_A_JSON_OBJECT)
        with self._lock:
            if id_field.lower() == "id":
                stored = self._state.records.get(value[:15])
                matches = [stored] if stored is not None and stored.sobject.lower() == sobject.lower() else []
                if not matches:
                    return _json_response(404, NOT_FOUND)
            else:
                matches = [
                    record
                    for record in self._state.records.values()
                    if record.sobject.lower() == sobject.lower() and str(record.fields.get(id_field)) == value
                ]
            if len(matches) > 1:
                urls = [f"{DATA_PREFIX}v{version}/sobjects/{record.sobject}/{record.id}" for record in matches]
                return _json_response(300, urls)
            if matches:
                (stored,) = matches
                self._state.records[stored.id[:15]] = StoredRecord(
                    stored.sobject, stored.id, {**stored.fields, **fields}
                )
                return _json_response(200, {"id": stored.id, "success": True, "errors": [], "created": False})
            fields = {**fields, id_field: value}
            missing = self._missing_required(sobject, fields)
            if missing is not None:
                return missing
            record = StoredRecord(sobject, salesforce_id(sobject), fields)
            self._state.records[record.id[:15]] = record
        return _json_response(201, {"id": record.id, "success": True, "errors": [], "created": True})

    def _composite(self, request: Request, version: str) -> Response:
        """Subrequests in order, each routed like a request of its own (one API call for all of them).

        ``@{ref.path}`` in a subrequest's URL or body string values is replaced by that value of an earlier
        result (``ref.id``, ``ref.records[0].Id``); a reference to a failed or unknown step, or to a value the
        result lacks, fails that subrequest. With ``allOrNone`` the first failure rolls every change back,
        the failed subrequest keeps its error and every other answers :data:`ROLLED_BACK`; without it the
        others run. The failed-reference error's wording is this emulator's reading of the REST API guide.
        """
        body = _json_object(request)
        subrequests = body.get("compositeRequest") if body is not None else None
        if not isinstance(subrequests, list) or not subrequests:
            message = "compositeRequest must be a non-empty list of subrequests"
            return _json_response(400, [{"message": message, "errorCode": "INVALID_API_INPUT"}])
        queries = sum("/query" in str(sub.get("url", "")) for sub in subrequests if isinstance(sub, dict))
        if len(subrequests) > COMPOSITE_MAX_SUBREQUESTS or queries > COMPOSITE_MAX_QUERIES:
            message = (
                f"A composite request can have at most {COMPOSITE_MAX_SUBREQUESTS} subrequests and "
                f"{COMPOSITE_MAX_QUERIES} queries; this one has {len(subrequests)} and {queries}"
            )
            return _json_response(400, [{"message": message, "errorCode": "LIMIT_EXCEEDED"}])
        all_or_none = body.get("allOrNone") is True
        with self._lock:  # one transaction: nothing else changes the org meanwhile
            saved = (dict(self._state.records), list(self._state.events))
            results: list[dict[str, Any]] = []
            outcomes: dict[str, tuple[int, Any]] = {}
            failed_at: int | None = None
            for index, sub in enumerate(subrequests):
                reference_id = str(sub.get("referenceId", ""))
                if failed_at is not None and all_or_none:
                    results.append(_subresult(400, ROLLED_BACK, reference_id))
                    continue
                status, answer, headers = self._subrequest(sub, outcomes, version)
                outcomes[reference_id] = (status, answer)
                results.append(_subresult(status, answer, reference_id, headers))
                if status >= 400 and failed_at is None:
                    failed_at = index
            if failed_at is not None and all_or_none:
                self._state.records, self._state.events = saved
                results = [
                    result if index == failed_at else _subresult(400, ROLLED_BACK, result["referenceId"])
                    for index, result in enumerate(results)
                ]
        return _json_response(200, {"compositeResponse": results})

    def _subrequest(
        self, sub: Any, outcomes: Mapping[str, tuple[int, Any]], version: str
    ) -> tuple[int, Any, dict[str, str]]:
        if not isinstance(sub, dict) or not isinstance(sub.get("url"), str) or not isinstance(sub.get("method"), str):
            message = "A subrequest needs a method and a url"
            return 400, [{"message": message, "errorCode": "INVALID_API_INPUT"}], {}
        try:
            url = _resolve_references(sub["url"], outcomes)
            body = _resolve_references(sub.get("body"), outcomes)
        except LookupError as error:
            return 400, [{"message": str(error), "errorCode": PROCESSING_HALTED}], {}
        data = json.dumps(body) if body is not None else None
        builder = EnvironBuilder(path=url, method=sub["method"].upper(), data=data, content_type="application/json")
        subrequest = Request(builder.get_environ())
        match = _DATA_PATH.match(subrequest.path)
        response = self._data(subrequest, match.group("version"), match.group("rest")) if match else None
        if response is None:
            return 404, NOT_FOUND, {}
        answer = json.loads(response.get_data()) if response.get_data() else None
        headers = {}
        if response.status_code == 201 and isinstance(answer, dict) and "id" in answer:
            headers["Location"] = f"{DATA_PREFIX}v{version}/{match.group('rest')}/{answer['id']}"
        return response.status_code, answer, headers

    def _upload(self, request: Request) -> Response:
        parts = [
            UploadedTranscript(name, part.filename or "", part.read(), uuid.uuid4().hex)
            for name, part in request.files.items(multi=True)
        ]
        if not parts:
            return _json_response(400, [{"message": "No conversation was uploaded", "errorCode": "INVALID_API_INPUT"}])
        with self._lock:
            self._state.uploads.extend(parts)
        uploads = [{"conversationIdentifier": part.contact_id, "uploadId": part.upload_id} for part in parts]
        return _json_response(200, {"uploads": uploads})

    def _upload_statuses(self, request: Request) -> Response:
        upload_ids = [upload_id for upload_id in request.args.get("uploadIds", "").split(",") if upload_id]
        if not upload_ids:
            return _json_response(400, [{"message": "uploadIds is required", "errorCode": "INVALID_API_INPUT"}])
        known = {upload.upload_id: upload for upload in self.uploads}
        statuses = [
            {
                "uploadId": upload_id,
                "conversationIdentifier": known[upload_id].contact_id if upload_id in known else None,
                "status": "Completed" if upload_id in known else "NotFound",
            }
            for upload_id in upload_ids
        ]
        return _json_response(200, {"statuses": statuses})


def _subresult(status: int, body: Any, reference_id: str, headers: Mapping[str, str] | None = None) -> dict[str, Any]:
    """One entry of ``compositeResponse``, in Salesforce's shape."""
    return {"body": body, "httpHeaders": dict(headers or {}), "httpStatusCode": status, "referenceId": reference_id}


def _resolve_references(value: Any, outcomes: Mapping[str, tuple[int, Any]]) -> Any:
    """``value`` with every ``@{ref.path}`` in its strings replaced by that value of an earlier subrequest's result."""
    if isinstance(value, dict):
        return {key: _resolve_references(item, outcomes) for key, item in value.items()}
    if isinstance(value, list):
        return [_resolve_references(item, outcomes) for item in value]
    if not isinstance(value, str):
        return value
    return _COMPOSITE_REFERENCE.sub(lambda match: str(_reference_value(match.group(1), outcomes)), value)


def _reference_value(reference: str, outcomes: Mapping[str, tuple[int, Any]]) -> Any:
    name, _, path = reference.partition(".")
    status, current = outcomes.get(name, (0, None))
    invalid = (
        f"Invalid reference specified. No value for {reference} found in {name}. Provided referenceId ('{name}') "
        "must be a valid reference to an earlier subrequest that succeeded"
    )
    if not 200 <= status < 300 or not path:
        raise LookupError(invalid)
    for element in path.split("."):
        match = _REFERENCE_ELEMENT.fullmatch(element)
        if match is None or not isinstance(current, dict) or match.group("name") not in current:
            raise LookupError(invalid)
        current = current[match.group("name")]
        if match.group("index") is not None:
            index = int(match.group("index"))
            if not isinstance(current, list) or index >= len(current):
                raise LookupError(invalid)
            current = current[index]
    if current is None or isinstance(current, (dict, list)):
        raise LookupError(invalid)
    return current


def _relationship_type(name: str) -> str:
    """The object type of a lookup relationship by its name (custom ``__r`` -> ``__c``; user lookups -> User)."""
    if name in _USER_RELATIONSHIPS:
        return "User"
    return name[:-3] + "__c" if name.endswith("__r") else name


def _json_object(request: Request) -> dict[str, Any] | None:
    try:
        body = json.loads(request.get_data() or b"null")
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


# -- command line ----------------------------------------------------------------------------------------------


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tools.emulators.salesforce",
        description="Run the Salesforce org emulator on its own, to try contact-flow parameters against it.",
    )
    parser.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (0: any free port)")
    parser.add_argument("--consumer-key", required=True, help="consumer key of the emulated connected app")
    parser.add_argument("--certificate", type=Path, required=True, help="PEM certificate uploaded to the app")
    parser.add_argument("--username", action="append", required=True, help="pre-authorized user (repeatable)")
    parser.add_argument(
        "--audience", action="append", help=f"accepted JWT audience (repeatable; default {PRODUCTION_AUDIENCE})"
    )
    parser.add_argument("--records", type=Path, help='JSON {"queries": {substring: [records]}, "searches": {...}}')
    return parser.parse_args(argv)


def _apply_script(emulator: SalesforceEmulator, script: Mapping[str, Mapping[str, list[dict[str, Any]]]]) -> None:
    for match, records in script.get("queries", {}).items():
        emulator.set_query_result(match, records)
    for match, records in script.get("searches", {}).items():
        emulator.set_search_result(match, records)


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    emulator = SalesforceEmulator(port=args.port)
    emulator.register_app(args.consumer_key, args.certificate.read_text(), users=args.username)
    if args.audience:
        emulator.expected_audiences = set(args.audience)
    if args.records:
        _apply_script(emulator, json.loads(args.records.read_text()))
    with emulator:
        print(f"Salesforce emulator on {emulator.base_url} (Ctrl-C to stop)")
        print(f"  SALESFORCE_AUTH_ENDPOINT={emulator.auth_endpoint}")
        print(f"  SALESFORCE_REST_API_ENDPOINT_BASE={emulator.rest_base()}")
        print(f"  consumer key {args.consumer_key}; users {', '.join(args.username)}")
        print(f"  JWT audience(s): {', '.join(sorted(emulator.expected_audiences))}", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
