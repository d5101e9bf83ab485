"""What every stand-in for one AWS service's API shares: a werkzeug app on a loopback server, started and
stopped with ``with``, and the ``AWS_ENDPOINT_URL_<SERVICE>`` variable that points an AWS SDK at it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar, Self

from werkzeug.wrappers import Request, Response

from tools.emulators._server import LoopbackServer


class AwsApiStandIn:
    """Subclasses name their endpoint variable and answer one request (``_answer``)."""

    endpoint_variable: ClassVar[str]

    def __init__(self, *, port: int = 0) -> None:
        self._server = LoopbackServer(self._wsgi, port=port)

    def __enter__(self) -> Self:
        self._server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.stop()

    @property
    def endpoint_url(self) -> str:
        return self._server.url

    def env(self) -> dict[str, str]:
        return {self.endpoint_variable: self.endpoint_url}

    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        return self._answer(Request(environ))(environ, start_response)

    def _answer(self, request: Request) -> Response:
        raise NotImplementedError
