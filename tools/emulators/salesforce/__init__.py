"""A Salesforce org over real loopback HTTP(S): the JWT bearer token endpoint and the REST API the invoker calls.

Why an emulator and not mocks: the invoker's behaviour that matters (signing, retries, timeouts, re-minting
after a 401, what it puts in the URL, which connections it keeps) only shows on the wire. This org verifies
what a real one verifies and answers with Salesforce's status codes and JSON shapes, so a test fails here for
the same reason it would fail against Salesforce. Every response to the data API carries
``Sforce-Limit-Info: api-usage=n/limit``.

A module per job; tests, tools and benchmarks import from here only:

* :mod:`~tools.emulators.salesforce.oauth`: connected apps, users, tokens, the token endpoint
* :mod:`~tools.emulators.salesforce.records`, :mod:`~tools.emulators.salesforce.queries`,
  :mod:`~tools.emulators.salesforce.composite`, :mod:`~tools.emulators.salesforce.uploads`: the REST resources
  (with :mod:`~tools.emulators.salesforce.shapes`, :mod:`~tools.emulators.salesforce.responses` and
  :mod:`~tools.emulators.salesforce.ids` for the shapes they share)
* :mod:`~tools.emulators.salesforce.faults`: staged answers and hangs
* :mod:`~tools.emulators.salesforce.recording`: what was received, API usage, the request log
* :mod:`~tools.emulators.salesforce.server`: :class:`SalesforceEmulator`, its lifecycle, connections and routing
* ``__main__``: the command line ``make emulator`` runs
"""

from tools.emulators._server import ConnectionCounts
from tools.emulators.salesforce.ids import case_suffix
from tools.emulators.salesforce.oauth import (
    AUDIENCE_INVALID,
    EXPIRED_ASSERTION,
    INACTIVE_USER,
    INVALID_ASSERTION,
    INVALID_CLIENT_ID,
    JWT_BEARER_GRANT,
    MAX_ASSERTION_LIFETIME_SECONDS,
    NOT_ADMIN_APPROVED,
    PRODUCTION_AUDIENCE,
    RATE_LIMIT_EXCEEDED,
    SANDBOX_AUDIENCE,
    TOKEN_PATH,
    UNSUPPORTED_GRANT_TYPE,
    USER_NOT_APPROVED,
    OAuthError,
)
from tools.emulators.salesforce.recording import DEFAULT_API_LIMIT, RecordedRequest
from tools.emulators.salesforce.records import StoredRecord
from tools.emulators.salesforce.responses import INVALID_SESSION, NOT_FOUND
from tools.emulators.salesforce.server import SalesforceEmulator
from tools.emulators.salesforce.shapes import API_VERSION
from tools.emulators.salesforce.uploads import UploadedTranscript

__all__ = [
    "API_VERSION",
    "AUDIENCE_INVALID",
    "DEFAULT_API_LIMIT",
    "EXPIRED_ASSERTION",
    "INACTIVE_USER",
    "INVALID_ASSERTION",
    "INVALID_CLIENT_ID",
    "INVALID_SESSION",
    "JWT_BEARER_GRANT",
    "MAX_ASSERTION_LIFETIME_SECONDS",
    "NOT_ADMIN_APPROVED",
    "NOT_FOUND",
    "PRODUCTION_AUDIENCE",
    "RATE_LIMIT_EXCEEDED",
    "SANDBOX_AUDIENCE",
    "TOKEN_PATH",
    "UNSUPPORTED_GRANT_TYPE",
    "USER_NOT_APPROVED",
    "ConnectionCounts",
    "OAuthError",
    "RecordedRequest",
    "SalesforceEmulator",
    "StoredRecord",
    "UploadedTranscript",
    "case_suffix",
]
