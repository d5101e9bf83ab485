"""Secrets Manager over real loopback HTTP: moto's server with call counting, and the Lambda secrets extension.

Why a server and not ``mock_aws``: the invoker and seeder run in their own processes (the harness
starts bundles as Lambda containers), so the only way to see and count their Secrets Manager calls
is on the wire. :class:`MotoSecretsServer` serves moto's backend app and records the ``X-Amz-Target``
of every call; :class:`FakeSecretsExtension` plays the AWS Parameters and Secrets Lambda Extension
in front of it, so its cache misses show up in the same counts.

Caveats:

* moto keeps its state per process: :meth:`MotoSecretsServer.reset_backend` resets every moto
  backend in this process, and ``mock_aws`` in the same process would intercept these clients' calls.
* botocore retries ``ThrottlingException``; a test of :meth:`MotoSecretsServer.fail_next` that wants
  to see each failure should use a client with ``retries={"total_max_attempts": 1}``.
* Unreachable Secrets Manager: :meth:`MotoSecretsServer.stop` (``start`` brings it back on the same port).
* moto answers GetSecretValue without a stage from the version that was current before an
  UpdateSecretVersionStage moved AWSCURRENT (Secrets Manager answers from the new one, as a rotation's
  finishSecret needs): :func:`_current_follows_its_label` corrects that in this process's moto.
"""

from __future__ import annotations

import base64
import io
import json
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3
import requests
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from moto.server import DomainDispatcherApplication, create_backend_app
from werkzeug.wrappers import Request, Response
from werkzeug.wsgi import get_input_stream

from tools.emulators._server import LoopbackServer

REGION = "us-east-1"
#: moto accepts any credentials; fixed fake ones keep boto3 from looking for real ones
FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
TOKEN_HEADER = "X-Aws-Parameters-Secrets-Token"
#: stands in for the function's AWS_SESSION_TOKEN, which the extension checks requests against
FAKE_SESSION_TOKEN = "fake-lambda-session-token"
#: the real extension's default SECRETS_MANAGER_TTL
DEFAULT_EXTENSION_TTL_SECONDS = 300.0
_AWS_JSON = "application/x-amz-json-1.1"


@dataclass(frozen=True)
class SecretsCall:
    """One Secrets Manager API call as the server received it."""

    action: str  # "GetSecretValue", without the "secretsmanager." prefix
    secret_ids: tuple[str, ...]  # SecretId, SecretIdList or Name from the request
    status: int
    injected: bool  # answered by fail_next, not by moto
    time: float


@dataclass
class _AwsFault:
    action: str
    remaining: int
    status: int
    code: str
    message: str


def _action(target_or_action: str) -> str:
    """``secretsmanager.GetSecretValue`` and ``GetSecretValue`` both name the action GetSecretValue."""
    return target_or_action.rsplit(".", 1)[-1]


def _secret_ids(body: bytes) -> tuple[str, ...]:
    try:
        document = json.loads(body or b"{}")
    except ValueError:
        return ()
    if not isinstance(document, dict):
        return ()
    if isinstance(document.get("SecretIdList"), list):
        return tuple(str(secret_id) for secret_id in document["SecretIdList"])
    secret_id = document.get("SecretId", document.get("Name"))
    return (str(secret_id),) if secret_id is not None else ()


def _current_follows_its_label() -> None:
    """After moto moves AWSCURRENT, make the version it moved to the one a stage-less read returns."""
    from moto.secretsmanager.models import SecretsManagerBackend

    move_stage = SecretsManagerBackend.update_secret_version_stage
    if getattr(move_stage, "current_follows_its_label", False):
        return

    def update_secret_version_stage(self: Any, secret_id: str, version_stage: str, *args: Any, **kwargs: Any) -> Any:
        answer = move_stage(self, secret_id, version_stage, *args, **kwargs)
        if version_stage == "AWSCURRENT":
            secret = self.secrets[secret_id]
            current = next(
                version for version, value in secret.versions.items() if "AWSCURRENT" in value["version_stages"]
            )
            getattr(secret, "source", secret).default_version_id = current
        return answer

    update_secret_version_stage.current_follows_its_label = True  # type: ignore[attr-defined]
    SecretsManagerBackend.update_secret_version_stage = update_secret_version_stage  # type: ignore[method-assign]


_current_follows_its_label()


class MotoSecretsServer:
    """moto's Secrets Manager on 127.0.0.1, counting calls from every process that uses it."""

    def __init__(self, *, port: int = 0, region: str = REGION) -> None:
        """``region``: where the clients of :meth:`client` and :meth:`env` keep secrets (moto keeps them per region)."""
        self.region = region
        self._moto = DomainDispatcherApplication(create_backend_app)
        self._lock = threading.Lock()
        self._calls: list[SecretsCall] = []
        self._faults: list[_AwsFault] = []
        self._server = LoopbackServer(self._wsgi, port=port)

    def start(self) -> MotoSecretsServer:
        self._server.start()
        return self

    def stop(self) -> None:
        """Stop answering (Secrets Manager unreachable); moto's data stays for a later start()."""
        self._server.stop()

    def __enter__(self) -> MotoSecretsServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def endpoint_url(self) -> str:
        return self._server.url

    def env(self) -> dict[str, str]:
        """Environment for a process (a Lambda container, the CLI) whose boto3 must talk to this server."""
        return {
            "AWS_ENDPOINT_URL_SECRETS_MANAGER": self.endpoint_url,
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_REGION": self.region,
            **FAKE_CREDENTIALS,
        }

    def client(self, service: str = "secretsmanager", **config: Any) -> Any:
        """A boto3 client of ``service`` (moto serves them all) for this server; ``config`` goes to botocore's
        Config."""
        return boto3.client(
            service,
            endpoint_url=self.endpoint_url,
            region_name=self.region,
            aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
            config=Config(**config) if config else None,
        )

    def reset_backend(self) -> None:
        """Delete every secret (moto's reset endpoint; resets all moto backends of this process)."""
        requests.post(f"{self.endpoint_url}/moto-api/reset", timeout=10).raise_for_status()

    def calls(self) -> list[SecretsCall]:
        with self._lock:
            return list(self._calls)

    def count(self, action: str | None = None, *, secret_id: str | None = None) -> int:
        """Calls of one action (``GetSecretValue`` or ``secretsmanager.GetSecretValue``; None: all),
        optionally only those naming ``secret_id``."""
        return sum(
            1
            for call in self.calls()
            if (action is None or call.action == _action(action))
            and (secret_id is None or secret_id in call.secret_ids)
        )

    def reset_counts(self) -> None:
        """Forget recorded calls and pending injected failures."""
        with self._lock:
            self._calls.clear()
            self._faults.clear()

    def fail_next(
        self,
        action: str,
        times: int = 1,
        *,
        status: int = 400,
        code: str = "ThrottlingException",
        message: str = "Rate exceeded",
    ) -> None:
        """Answer the next ``times`` calls of ``action`` with an AWS JSON error instead of moto's answer."""
        with self._lock:
            self._faults.append(_AwsFault(_action(action), times, status, code, message))

    def _take_fault(self, action: str) -> _AwsFault | None:
        with self._lock:
            for fault in self._faults:
                if fault.action == action:
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        target = environ.get("HTTP_X_AMZ_TARGET")
        if not target:  # moto's own API (reset) and anything that is not an AWS JSON call
            return self._moto(environ, start_response)
        body = get_input_stream(environ).read()
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        action = _action(target)
        statuses: list[int] = []

        def recording_start_response(status: str, headers: Any, exc_info: Any = None) -> Any:
            statuses.append(int(status.split()[0]))
            return start_response(status, headers, exc_info)

        fault = self._take_fault(action)
        if fault is None:
            result = self._moto(environ, recording_start_response)
        else:
            error = {"__type": fault.code, "message": fault.message}
            response = Response(json.dumps(error), status=fault.status, content_type=_AWS_JSON)
            response.headers["x-amzn-ErrorType"] = fault.code
            result = response(environ, recording_start_response)
        call = SecretsCall(action, _secret_ids(body), statuses[0] if statuses else 0, fault is not None, time.time())
        with self._lock:
            self._calls.append(call)
        return result


@dataclass(frozen=True)
class ExtensionCall:
    """One request to the fake extension and whether its cache answered it."""

    secret_id: str
    version_stage: str | None
    version_id: str | None
    status: int
    cache_hit: bool


class FakeSecretsExtension:
    """The AWS Parameters and Secrets Lambda Extension's secrets endpoint, backed by a MotoSecretsServer.

    Like the real one: ``GET /secretsmanager/get?secretId=...[&versionStage=...|&versionId=...]``
    needs the ``X-Aws-Parameters-Secrets-Token`` header equal to the function's session token (else
    401), answers GetSecretValue's JSON, and caches each answer for ``ttl_seconds`` (0: no cache).
    Upstream errors keep their HTTP status. It calls Secrets Manager without retries, so an injected
    failure reaches the function as it would once the real extension gave up.
    """

    def __init__(
        self,
        upstream: MotoSecretsServer,
        *,
        session_token: str = FAKE_SESSION_TOKEN,
        ttl_seconds: float = DEFAULT_EXTENSION_TTL_SECONDS,
        port: int = 0,
    ) -> None:
        self._defaults = (session_token, ttl_seconds)
        self.session_token = session_token
        self.ttl_seconds = ttl_seconds
        self._client = upstream.client(retries={"total_max_attempts": 1}, connect_timeout=2, read_timeout=10)
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, str | None, str | None], tuple[float, bytes]] = {}
        self._calls: list[ExtensionCall] = []
        self._server = LoopbackServer(self._wsgi, port=port)

    def start(self) -> FakeSecretsExtension:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> FakeSecretsExtension:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        return self._server.port

    def env(self) -> dict[str, str]:
        """What Lambda sets for a function with the extension layer (the token is the function's session token)."""
        return {"PARAMETERS_SECRETS_EXTENSION_HTTP_PORT": str(self.port), "AWS_SESSION_TOKEN": self.session_token}

    def calls(self) -> list[ExtensionCall]:
        with self._lock:
            return list(self._calls)

    def clear_cache(self) -> None:
        with self._lock:
            self._cache.clear()

    def reset(self) -> None:
        """Empty the cache and the recorded calls and restore the constructor's token and TTL."""
        self.session_token, self.ttl_seconds = self._defaults
        with self._lock:
            self._cache.clear()
            self._calls.clear()

    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        if request.path != "/secretsmanager/get":
            return Response("not found", status=404)(environ, start_response)
        secret_id = request.args.get("secretId", "")
        stage, version_id = request.args.get("versionStage"), request.args.get("versionId")
        status, body, cache_hit = self._answer(request, secret_id, stage, version_id)
        with self._lock:
            self._calls.append(ExtensionCall(secret_id, stage, version_id, status, cache_hit))
        content_type = "application/json" if status == 200 else "text/plain"
        return Response(body, status=status, content_type=content_type)(environ, start_response)

    def _answer(
        self, request: Request, secret_id: str, stage: str | None, version_id: str | None
    ) -> tuple[int, bytes, bool]:
        """(status, body, cache hit) for one read."""
        if request.headers.get(TOKEN_HEADER) != self.session_token:
            return 401, b"Unauthorized: the X-Aws-Parameters-Secrets-Token header is missing or invalid", False
        if not secret_id:
            return 400, b"secretId is required", False
        if stage and version_id:
            return 400, b"specify versionStage or versionId, not both", False
        key = (secret_id, stage, version_id)
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None and time.monotonic() < cached[0]:
            return 200, cached[1], True
        status, body = self._fetch(secret_id, stage, version_id)
        if status == 200 and self.ttl_seconds > 0:
            with self._lock:
                self._cache[key] = (time.monotonic() + self.ttl_seconds, body)
        return status, body, False

    def _fetch(self, secret_id: str, stage: str | None, version_id: str | None) -> tuple[int, bytes]:
        arguments = {"SecretId": secret_id}
        if stage:
            arguments["VersionStage"] = stage
        if version_id:
            arguments["VersionId"] = version_id
        try:
            value = self._client.get_secret_value(**arguments)
        except ClientError as error:
            status = error.response["ResponseMetadata"]["HTTPStatusCode"]
            details = error.response["Error"]
            return status, f"{details.get('Code')}: {details.get('Message')}".encode()
        except BotoCoreError as error:
            return 500, f"an unexpected error occurred while reading Secrets Manager: {error}".encode()
        return 200, json.dumps(_extension_document(value)).encode()


def _extension_document(value: dict[str, Any]) -> dict[str, Any]:
    """GetSecretValue's answer in the extension's JSON (CreatedDate as an ISO 8601 UTC string)."""
    created: datetime = value["CreatedDate"]
    return {
        "ARN": value["ARN"],
        "Name": value["Name"],
        "VersionId": value["VersionId"],
        "SecretString": value.get("SecretString"),
        "SecretBinary": base64.b64encode(value["SecretBinary"]).decode() if "SecretBinary" in value else None,
        "VersionStages": value["VersionStages"],
        "CreatedDate": created.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "ResultMetadata": {},
    }
