"""Lambda's Invoke API over loopback HTTP, answered by a shipped bundle running in a local container.

moto can create functions but not run them without Docker, and ``scvctl check`` must call the function
the way it calls Lambda: boto3's ``invoke`` (RequestResponse) through ``AWS_ENDPOINT_URL_LAMBDA``. This
serves ``POST /2015-03-31/functions/<name>/invocations`` for the functions it is given, with Lambda's
answer shape: the payload as the body, ``X-Amz-Function-Error: Unhandled`` and the error document when
the handler raised, ``ResourceNotFoundException`` for any other name. Used by `make try`.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import unquote

from werkzeug.wrappers import Request, Response

from tools.emulators._server import LoopbackServer
from tools.harness.container import LambdaContainer

_INVOCATIONS_PATH = "/2015-03-31/functions/"


class LambdaInvokeEmulator:
    """Invoke for the named functions; each one's container is started on its first call and kept warm
    (whoever made it stops it: e.g. the ContainerPool it came from)."""

    def __init__(self, functions: dict[str, Callable[[], LambdaContainer]], *, port: int = 0) -> None:
        self._start = functions
        self._containers: dict[str, LambdaContainer] = {}
        self._lock = threading.Lock()  # one invocation at a time per process, as one Lambda container does
        self._server = LoopbackServer(self._wsgi, port=port)

    def __enter__(self) -> LambdaInvokeEmulator:
        self._server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.stop()

    @property
    def endpoint_url(self) -> str:
        return self._server.url

    def env(self) -> dict[str, str]:
        return {"AWS_ENDPOINT_URL_LAMBDA": self.endpoint_url}

    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        return self._answer(request)(environ, start_response)

    def _answer(self, request: Request) -> Response:
        path = request.path
        if request.method != "POST" or not path.startswith(_INVOCATIONS_PATH) or not path.endswith("/invocations"):
            return _error(404, "UnknownOperationException", f"{request.method} {path} is not emulated")
        name = unquote(path.removeprefix(_INVOCATIONS_PATH).removesuffix("/invocations")).split(":")[0]
        if name not in self._start:
            return _error(404, "ResourceNotFoundException", f"Function not found: {name}")
        try:
            event = json.loads(request.get_data() or b"null")
        except ValueError:
            return _error(400, "InvalidRequestContentException", "Could not parse request body into json")
        with self._lock:
            if name not in self._containers:
                self._containers[name] = self._start[name]()
            result = self._containers[name].invoke(event)
        if result.ok:
            return Response(json.dumps(result.payload), status=200, content_type="application/json")
        return Response(
            json.dumps(result.error), status=200, content_type="application/json",
            headers={"X-Amz-Function-Error": "Unhandled"},
        )  # fmt: skip


def _error(status: int, code: str, message: str) -> Response:
    return Response(
        json.dumps({"Type": "User", "message": message}), status=status, content_type="application/json",
        headers={"X-Amzn-ErrorType": code},
    )  # fmt: skip
