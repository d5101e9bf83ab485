"""What the org received: every request as it arrived, the API usage it counts, and the request log.

Tests assert on what the client sent (headers, bodies, how many token requests), so requests are recorded
exactly as received, before faults or routing. The log line says what happened to each request (its status,
a JSON error's text, or that it was dropped unanswered), which is what someone trying flows by hand reads.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote_plus

from werkzeug.wrappers import Request, Response

from tools.emulators.salesforce.oauth import TOKEN_PATH
from tools.emulators.salesforce.shapes import DATA_PREFIX

logger = logging.getLogger("tools.emulators.salesforce")

#: Salesforce's default daily API request allocation in this emulator (``Sforce-Limit-Info``)
DEFAULT_API_LIMIT = 15000


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


class Recording:
    """The recording part of :class:`~tools.emulators.salesforce.server.SalesforceEmulator` (thread-safe)."""

    def __init__(self, *, api_limit: int) -> None:
        self._default_api_limit = api_limit
        self._recording_lock = threading.Lock()
        self._forget_recording()

    def _forget_recording(self) -> None:
        with self._recording_lock:
            self._requests: list[RecordedRequest] = []
            self._dropped: list[RecordedRequest] = []
            self._api_usage = 0
            self.api_limit = self._default_api_limit

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received and answered, in order (token endpoint, data API and anything else)."""
        with self._recording_lock:
            return list(self._requests)

    def data_requests(self) -> list[RecordedRequest]:
        """Requests to the REST API, without the token endpoint."""
        return [request for request in self.requests if request.path.startswith(DATA_PREFIX)]

    def token_requests(self) -> list[RecordedRequest]:
        return [request for request in self.requests if request.path == TOKEN_PATH]

    def dropped_requests(self) -> list[RecordedRequest]:
        """Requests read on a kept connection and left unanswered, the connection closed under them
        (:meth:`drop_next_request_on_kept_connection`): on the wire, but never processed."""
        with self._recording_lock:
            return list(self._dropped)

    @property
    def api_usage(self) -> int:
        """Data API requests so far (the ``n`` of ``Sforce-Limit-Info: api-usage=n/limit``)."""
        with self._recording_lock:
            return self._api_usage

    @api_usage.setter
    def api_usage(self, value: int) -> None:
        """Start near the limit to test what happens when the org runs out of API requests."""
        with self._recording_lock:
            self._api_usage = value

    def _record(self, request: Request) -> None:
        recorded = _recorded(request)
        with self._recording_lock:
            self._requests.append(recorded)
            if request.path.startswith(DATA_PREFIX):
                self._api_usage += 1

    def _limit_info(self) -> str:
        return f"api-usage={self.api_usage}/{self.api_limit}"

    @staticmethod
    def _log(request: Request, response: Response) -> None:
        detail = ""
        if response.status_code >= 400 and response.content_type and "json" in response.content_type:
            detail = " " + response.get_data(as_text=True)[:300]
        logger.info("%s %s -> %s%s", request.method, _target(request), response.status_code, detail)

    def _log_dropped(self, environ: dict[str, Any]) -> None:
        """A request the server read on a kept connection and closed unanswered (staged by the test)."""
        request = Request(environ)
        with self._recording_lock:
            self._dropped.append(_recorded(request))
        logger.info("%s %s -> dropped: connection closed unanswered", request.method, _target(request))


def _recorded(request: Request) -> RecordedRequest:
    return RecordedRequest(
        request.method, request.path, request.args.to_dict(), dict(request.headers), request.get_data(), time.time()
    )


def _target(request: Request) -> str:
    query = unquote_plus(request.query_string.decode())
    return request.path + (f"?{query}" if query else "")
