"""The Salesforce REST API client: one keep-alive pool per container, one token, clear failures.

Paths are relative to SALESFORCE_REST_API_ENDPOINT_BASE, used exactly as configured. A 401 is answered
once, by TokenProvider (newer token from the access secret, or a new one) and one repeat of the
request: Salesforce did not process a request it rejected as unauthenticated, so even a create is safe
to repeat then. A token minted for the request itself and refused is a setup problem (wrong org, missing
scope): it is reported, not minted again. An org that stops answering opens its circuit breaker
(invoker/breaker.py). Everything else that is not 2xx becomes a SalesforceApiError in the shape the
Node.js function used.
"""

from typing import Any, NamedTuple
from urllib.parse import quote, urlsplit

from scv_invoker.auth import TokenProvider
from scv_invoker.breaker import (
    ORG_UNAVAILABLE_CODE,
    PROBE_INTERVAL_SECONDS,
    PROBE_TIMEOUT_SECONDS,
    CircuitBreaker,
    Passage,
)
from scv_invoker.connections import ConnectionPool, HttpResponse
from scv_invoker.errors import BadRequestError, SalesforceApiError, salesforce_error
from scv_invoker.limits import MAX_URI_AND_HEADERS_BYTES, MAX_URI_BYTES
from scv_invoker.log import logger
from scv_invoker.settings import Settings
from scv_invoker.stats import InvocationStats
from scv_invoker.transport import Budget, HttpRequest, send

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PATCH", "PUT", "DELETE"})


class ApiResponse(NamedTuple):
    """A successful response: status and parsed body (None for 204, text when not JSON)."""

    status: int
    body: Any


class RestCall(NamedTuple):
    """One REST API request, built before it is sent: a method sends it alone, and ``composite`` sends several
    as the subrequests of one Composite request (which then costs one API call)."""

    method: str
    #: relative to the API base, its segments already quoted
    path: str
    #: already encoded
    query: str | None = None
    body: Any = None
    #: applying it twice leaves what applying it once does (see transport.HttpRequest)
    repeat_after_timeout: bool = False

    def relative_url(self) -> str:
        return self.path + (f"?{self.query}" if self.query else "")


def quote_segment(value: str) -> str:
    """A value as one URL path segment (a record id can never climb to another path)."""
    return quote(value, safe="")


def error_from_response(response: HttpResponse, operation: str) -> SalesforceApiError:
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    return salesforce_error(response.status_code, response.reason or "", body, operation)


def _check_uri_length(url: str, operation: str) -> None:
    """Refuse, before any token or request, a URI Salesforce would answer 414 (invoker/limits.py)."""
    parts = urlsplit(url)
    length = len(parts.path.encode("utf-8")) + (len(parts.query) + 1 if parts.query else 0)
    if length > MAX_URI_BYTES:
        raise BadRequestError(
            f"the {operation} request URI would be {length:,} bytes, over the {MAX_URI_BYTES:,} Salesforce accepts "
            f"with the headers ({MAX_URI_AND_HEADERS_BYTES:,} bytes in all): pass shorter values (every character "
            "that is not a letter or digit takes 3 bytes or more in a URI)",
            error_code="REQUEST_TOO_LONG",
        )


class SalesforceClient:
    """Sends REST API requests for the whole container (one pool, so connections are reused); a method gets it
    bound to its invocation, as an InvocationSalesforceClient."""

    def __init__(self, settings: Settings, connections: ConnectionPool, tokens: TokenProvider) -> None:
        self._base = settings.rest_api_endpoint_base
        self._connections = connections
        self._tokens = tokens
        self._org = settings.org
        self._breaker = CircuitBreaker()

    @property
    def base_path(self) -> str:
        """The API base's path (``/services/data/v64.0``): how a Composite subrequest names its resource."""
        return urlsplit(self._base).path.rstrip("/")

    def request(
        self,
        method: str,
        path: str,
        budget: Budget,
        stats: InvocationStats,
        *,
        query: str | None = None,
        json_body: Any = None,
        files: Any = None,
        repeat_after_timeout: bool = False,
    ) -> ApiResponse:
        """``path`` relative to the API base (segments already quoted); ``query`` already encoded."""
        method = method.upper()
        path = path.lstrip("/")
        operation = f"Salesforce {method} {path.split('/', 1)[0]}"  # a fixed word, never a value
        url = f"{self._base}/{path}" + (f"?{query}" if query else "")
        _check_uri_length(url, operation)
        self._pass_breaker(budget, stats)
        headers = {"Accept": "application/json"}
        mints_before = stats.token_mints
        token = self._tokens.current(budget, stats)
        minted_now = stats.token_mints > mints_before
        repeat = repeat_after_timeout
        response = self._send(method, url, operation, token, headers, json_body, files, budget, stats, repeat)
        # A token minted for this very request and refused is not stale: another mint would be refused too (wrong
        # org, missing scope) and only spend the user's token-request limit. Report it instead.
        if response.status_code == 401 and not minted_now:
            token = self._tokens.after_unauthorized(token, budget, stats)
            response = self._send(method, url, operation, token, headers, json_body, files, budget, stats, repeat)
        if not 200 <= response.status_code < 300:
            raise error_from_response(response, operation)
        if response.status_code == 204 or not response.content:
            return ApiResponse(response.status_code, None)
        try:
            return ApiResponse(response.status_code, response.json())
        except ValueError:
            return ApiResponse(response.status_code, response.text)

    def _send(
        self,
        method: str,
        url: str,
        operation: str,
        token: str,
        headers: dict[str, str],
        json_body: Any,
        files: Any,
        budget: Budget,
        stats: InvocationStats,
        repeat_after_timeout: bool,
    ) -> HttpResponse:
        def observe(elapsed_ms: float, response: HttpResponse | None) -> None:
            stats.salesforce_requests += 1
            stats.salesforce_latency_ms.append(elapsed_ms)
            if response is not None:
                stats.salesforce_status = response.status_code
                stats.record_limit_info(response.headers.get("Sforce-Limit-Info"))

        def on_retry() -> None:
            stats.salesforce_retries += 1

        request = HttpRequest(
            method=method,
            url=url,
            operation=operation,
            idempotent=method in IDEMPOTENT_METHODS,
            headers={**headers, "Authorization": f"Bearer {token}"},
            json=json_body,
            files=files,
            repeat_after_timeout=repeat_after_timeout,
        )
        try:
            response = send(self._connections, request, budget, observe=observe, on_retry=on_retry)
        except SalesforceApiError as error:
            if error.no_answer:
                self._breaker.no_answer()
            raise
        self._breaker.answered()
        return response

    def _pass_breaker(self, budget: Budget, stats: InvocationStats) -> None:
        """Nothing while the org answers; an OrgUnavailableError at once while its breaker is open, unless this call
        is the interval's probe and the org answers it (invoker/breaker.py)."""
        passage = self._breaker.passage()
        if passage is Passage.SEND:
            return
        if passage is Passage.PROBE:
            if self._probe(budget, stats):
                logger.info("the org answered the probe; its circuit breaker is closed")
                self._breaker.answered()
                return
            self._breaker.no_answer()
        host = urlsplit(self._base).hostname
        stats.org_unavailable = True
        raise SalesforceApiError(
            f"the Salesforce org {self._org} ({host}) is not answering: its last {self._breaker.failures} requests "
            f"from this function instance got no answer (timeouts or failed connections), so calls fail at once; "
            f"the instance asks the org again every {PROBE_INTERVAL_SECONDS:.0f} s and resumes at its first answer. "
            f"Check status.salesforce.com and the network path to the org",
            error_code=ORG_UNAVAILABLE_CODE,
            status=503,
            status_text="Service Unavailable",
        )

    def _probe(self, budget: Budget, stats: InvocationStats) -> bool:
        """Whether the org answers its API versions list (no token, no API call counted) within the probe's time."""
        request = HttpRequest(
            method="GET",
            url=self._base.rsplit("/", 1)[0] + "/",
            operation="the org's API versions (circuit breaker probe)",
            idempotent=False,  # a probe is never repeated: the next one is an interval away
            headers={"Accept": "application/json"},
            max_seconds=PROBE_TIMEOUT_SECONDS,
        )
        stats.salesforce_requests += 1
        try:
            send(self._connections, request, budget)
        except SalesforceApiError as error:
            if error.no_answer:
                return False
            raise
        return True


class InvocationSalesforceClient:
    """The container's SalesforceClient bound to one invocation's time budget and stats: what a method calls."""

    def __init__(self, client: SalesforceClient, budget: Budget, stats: InvocationStats) -> None:
        self._client = client
        self._budget = budget
        self._stats = stats

    def get(self, path: str, *, query: str | None = None) -> ApiResponse:
        return self._client.request("GET", path, self._budget, self._stats, query=query)

    def post(self, path: str, *, json_body: Any = None, files: Any = None) -> ApiResponse:
        return self._client.request("POST", path, self._budget, self._stats, json_body=json_body, files=files)

    def patch(self, path: str, *, json_body: Any = None) -> ApiResponse:
        return self._client.request("PATCH", path, self._budget, self._stats, json_body=json_body)

    def delete(self, path: str) -> ApiResponse:
        return self._client.request("DELETE", path, self._budget, self._stats)

    def send(self, call: RestCall) -> ApiResponse:
        return self._client.request(
            call.method,
            call.path,
            self._budget,
            self._stats,
            query=call.query,
            json_body=call.body,
            repeat_after_timeout=call.repeat_after_timeout,
        )

    @property
    def base_path(self) -> str:
        return self._client.base_path
