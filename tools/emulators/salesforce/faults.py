"""Faults a test stages: the next matching requests answered with a status, body, headers and/or a delay.

A delay holds the request before it is processed (a hanging Salesforce) or, with ``answer_late``, after it (an
ambiguous timeout: the change is made, the client never hears of it). Hung requests are released by the
emulator's ``reset`` and ``stop`` so one test's hang cannot leak into the next. Faults on the wire itself
(refused, idle-closed or dropped connections) are the server's (:mod:`tools.emulators.salesforce.server`).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from werkzeug.wrappers import Response

from tools.emulators.salesforce.oauth import TOKEN_PATH, OAuthError
from tools.emulators.salesforce.responses import INVALID_SESSION, json_response
from tools.emulators.salesforce.shapes import DATA_PREFIX


@dataclass
class Fault:
    """One staged fault; ``remaining`` counts down as requests match it."""

    path_contains: str
    method: str | None
    status: int | None
    body: Any
    headers: dict[str, str]
    remaining: int
    delay_seconds: float
    answer_late: bool = False
    #: the answer is sent a byte at a time, this many seconds apart (a trickling server)
    seconds_per_byte: float = 0.0

    def matches(self, method: str, path: str) -> bool:
        return self.path_contains in path and (self.method is None or self.method.upper() == method)

    def response(self) -> Response:
        """The staged answer (only for a fault with a status): dict/list as JSON, str or bytes as they are."""
        assert self.status is not None
        if isinstance(self.body, (dict, list)):
            return json_response(self.status, self.body, self.headers)
        return Response(self.body or b"", status=self.status, headers=dict(self.headers))


class FaultInjection:
    """The fault part of :class:`~tools.emulators.salesforce.server.SalesforceEmulator` (thread-safe)."""

    def __init__(self) -> None:
        self._faults_lock = threading.Lock()
        self._release_hangs = threading.Event()
        self._forget_faults()

    def _forget_faults(self) -> None:
        with self._faults_lock:
            self._faults: list[Fault] = []
        self._release_hung_requests()

    def clear_faults(self) -> None:
        """Forget every staged fault and let requests held by a delay go on (the org answers again)."""
        self._forget_faults()

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
        seconds_per_byte: float = 0.0,
    ) -> None:
        """Answer the next ``times`` requests whose path contains ``path_contains`` with this response.

        ``body``: dict/list (sent as JSON), str or bytes. ``delay_seconds`` holds the request first (a
        hanging Salesforce); with no ``status`` the request is then answered normally. With ``answer_late``
        the request is processed at once and only its answer is held (an ambiguous timeout). ``seconds_per_byte``
        sends the answer (status line, headers and body) a byte at a time, that far apart: a trickling server.
        """
        if status is None and not delay_seconds and not seconds_per_byte:
            raise ValueError("a fault needs a status, a delay, a trickle, or a combination")
        if answer_late and (status is not None or not delay_seconds):
            raise ValueError("answer_late holds a normal answer: give a delay and no status")
        fault = Fault(
            path_contains,
            method,
            status,
            body,
            dict(headers or {}),
            times,
            delay_seconds,
            answer_late,
            seconds_per_byte,
        )
        with self._faults_lock:
            self._faults.append(fault)

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
        """The token endpoint answers ``error`` (e.g. ``RATE_LIMIT_EXCEEDED``) whatever the assertion."""
        self.inject_fault(TOKEN_PATH, status=status, body=error.as_json(), times=times)

    def inject_malformed_query(self, message: str = "unexpected token: 'FORM'", *, times: int = 1) -> None:
        """HTTP 400 MALFORMED_QUERY on the next queries, as Salesforce answers SOQL it cannot parse."""
        body = [{"message": message, "errorCode": "MALFORMED_QUERY"}]
        self.inject_fault("/query", status=400, body=body, times=times)

    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self._faults_lock:
            for fault in self._faults:
                if fault.matches(method, path):
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def _hold(self, seconds: float) -> None:
        """Wait out a delay fault, or less when the hang is released."""
        self._release_hangs.wait(seconds)

    def _release_hung_requests(self) -> None:
        """Let requests held by a delay fault finish now."""
        hung, self._release_hangs = self._release_hangs, threading.Event()
        hung.set()
