"""The org on loopback HTTP: :class:`SalesforceEmulator` composes the org's parts and routes each request.

Each part (apps and tokens, records, queries, transcript uploads, faults, recording) keeps its own state and
lock in its own module; this one owns what they share: the server's lifecycle and connections, ``reset``,
and the route from a request to the part that answers it. A stopped emulator refuses connections (and cuts
kept ones); :meth:`SalesforceEmulator.start` brings it back on the same port and certificate.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from werkzeug.wrappers import Request, Response

from tools.emulators._http11 import TRICKLE_ENVIRON_KEY
from tools.emulators._server import ConnectionCounts, LoopbackServer
from tools.emulators.salesforce import composite
from tools.emulators.salesforce.faults import FaultInjection
from tools.emulators.salesforce.metadata import SOAP_PATH, ConnectedAppMetadata
from tools.emulators.salesforce.oauth import TOKEN_PATH, ConnectedApps
from tools.emulators.salesforce.queries import ScriptedQueries
from tools.emulators.salesforce.recording import DEFAULT_API_LIMIT, Recording
from tools.emulators.salesforce.records import RecordStore
from tools.emulators.salesforce.responses import (
    INVALID_SESSION,
    NOT_FOUND,
    REQUEST_LIMIT_EXCEEDED,
    compressed_when_accepted,
    json_object,
    json_response,
)
from tools.emulators.salesforce.shapes import API_VERSION, DATA_PREFIX
from tools.emulators.salesforce.uploads import TranscriptUploads

_DATA_PATH = re.compile(r"^/services/data/v(?P<version>\d+\.\d+)/(?P<rest>.*?)/?$")


class SalesforceEmulator(
    ConnectedApps, ConnectedAppMetadata, RecordStore, ScriptedQueries, TranscriptUploads, FaultInjection, Recording
):
    """One Salesforce org: connected apps and External Client Apps (with their Metadata API and credentials
    resources), users, tokens, records, and scripted query answers.

    Thread-safe: the server answers on several threads while the test reads and scripts state. With ``tls``
    it serves HTTPS with a certificate made at construction; clients trust :attr:`ca_bundle_path`.
    """

    def __init__(self, *, port: int = 0, api_limit: int = DEFAULT_API_LIMIT, tls: bool = False) -> None:
        ConnectedApps.__init__(self)
        ConnectedAppMetadata.__init__(self)
        RecordStore.__init__(self)
        ScriptedQueries.__init__(self)
        TranscriptUploads.__init__(self)
        FaultInjection.__init__(self)
        Recording.__init__(self, api_limit=api_limit)
        self._server = LoopbackServer(self._wsgi, port=port, tls=tls, on_dropped=self._log_dropped)

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
        """Forget everything (apps, users, tokens, records, scripts, faults, recordings, settings, connection
        counts); between tests. Open connections stay open: a client may keep them across tests."""
        self._forget_faults()
        self._forget_identity()
        self._forget_metadata()
        self._forget_records()
        self._forget_scripts()
        self._forget_uploads()
        self._forget_recording()
        self._server.reset_counts()

    @property
    def base_url(self) -> str:
        """The org's URL (what Salesforce returns as ``instance_url``), ``https://`` with ``tls``."""
        return self._server.url

    @property
    def auth_endpoint(self) -> str:
        return self.base_url + TOKEN_PATH

    def rest_base(self, version: str = API_VERSION) -> str:
        return f"{self.base_url}{DATA_PREFIX}v{version}"

    # -- connections -----------------------------------------------------------------------------------------

    @property
    def ca_bundle_path(self) -> Path | None:
        """The PEM that verifies the org's certificate (``SSL_CERT_FILE``, ``REQUESTS_CA_BUNDLE``); None without TLS."""
        return self._server.ca_bundle_path

    def connection_counts(self) -> ConnectionCounts:
        """TCP connections accepted and TLS handshakes completed since construction or :meth:`reset`."""
        return self._server.connection_counts()

    def close_idle_connections(self) -> None:
        """Close every kept connection no request is on, as Salesforce's load balancer does after its idle timeout."""
        self._server.close_idle_connections()

    def drop_next_request_on_kept_connection(self) -> None:
        """The next request on a reused connection is read and logged, then its connection closes unanswered."""
        self._server.drop_next_request_on_kept_connection()

    # -- HTTP ------------------------------------------------------------------------------------------------

    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        self._record(request)
        fault = self._take_fault(request.method, request.path)
        if fault is not None and fault.seconds_per_byte:
            environ[TRICKLE_ENVIRON_KEY] = fault.seconds_per_byte
        if fault is not None and fault.delay_seconds and not fault.answer_late:
            self._hold(fault.delay_seconds)
        response = fault.response() if fault is not None and fault.status is not None else self._route(request)
        if fault is not None and fault.answer_late:
            self._hold(fault.delay_seconds)
        if request.path.startswith(DATA_PREFIX):
            response.headers["Sforce-Limit-Info"] = self._limit_info()
        self._log(request, response)
        compressed_when_accepted(request, response)
        return response(environ, start_response)

    def _route(self, request: Request) -> Response:
        if request.path == TOKEN_PATH and request.method == "POST":
            return self._token(request)
        if SOAP_PATH.match(request.path) and request.method == "POST":
            return self._metadata_soap(request)  # the session is in the envelope's SessionHeader
        match = _DATA_PATH.match(request.path)
        if match is None:
            return json_response(404, NOT_FOUND)
        if not self._authorized(request):
            return json_response(401, INVALID_SESSION)
        if self.api_usage > self.api_limit:
            return json_response(403, REQUEST_LIMIT_EXCEEDED)
        return self._data(request, match.group("version"), match.group("rest"))

    def _data(self, request: Request, version: str, rest: str) -> Response:
        """The REST API's resources, by path and method."""
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
        if parts[:2] == ["metadata", "deployRequest"]:
            return self._deploy_request(request, parts)
        if parts[:2] == ["apps", "oauth"] and method == "GET":
            return self._oauth_apps(request, parts, self.rest_base(version))
        return json_response(404, NOT_FOUND)

    def _composite(self, request: Request, version: str) -> Response:
        """One API call for all subrequests; the records are held meanwhile, as one transaction."""
        body = json_object(request)
        refused = composite.refusal(body)
        if refused is not None:
            return refused
        assert body is not None  # refusal() refuses a body that is not a JSON object
        with self._transaction() as rollback:
            results = composite.run(
                body["compositeRequest"],
                all_or_none=body.get("allOrNone") is True,
                route=self._subroute,
                rollback=rollback,
                version=version,
            )
        return json_response(200, {"compositeResponse": results})

    def _subroute(self, subrequest: Request) -> Response:
        match = _DATA_PATH.match(subrequest.path)
        if match is None:
            return json_response(404, NOT_FOUND)
        return self._data(subrequest, match.group("version"), match.group("rest"))
