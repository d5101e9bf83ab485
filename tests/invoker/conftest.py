"""Fixtures for the invoker's tests: its code on sys.path, an org and secrets in the emulators, and
"containers" — fresh in-process imports of the handler, as a new Lambda environment would load it.

``invoker_source_dir`` says where the code comes from: ``lambda_src`` by default, or a bundle (e.g. the
invoker asset in cdk.out) with ``--invoker-source DIR`` or ``INVOKER_SOURCE_DIR=DIR``.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

LAMBDA_SRC = Path(__file__).resolve().parents[2] / "lambda_src"
if str(LAMBDA_SRC) not in sys.path:
    sys.path.insert(0, str(LAMBDA_SRC))

from scv_shared.secret_format import SecretKeys  # noqa: E402

from tests.emulators.fixtures import ContactCenterSecrets, make_contact_center_secrets  # noqa: E402

CONTACT_CENTER = "testcc"
CONSUMER_KEY = "3MVG9-test-consumer-key"
USERNAME = "integration@example.com"
AUDIENCE = "https://login.salesforce.com/"
CALL_CENTER_API_NAME = "TestCallCenter"
CONTACT_ID = "5ca32fbd-8f92-46af-92a5-6b0f970f0efe"
KEYS = SecretKeys.for_contact_center(CONTACT_CENTER)
#: the function's timeout, Connect's limit: for the tests about deadlines, which pass it (or less) themselves
CONNECT_BUDGET_MS = 8000
#: the time left an invocation gets in a test that is not about deadlines: far from any test's work, so a slow
#: cold start on a loaded machine cannot turn it into a timeout
UNHURRIED_BUDGET_MS = 120_000


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--invoker-source",
        default=None,
        help="directory holding the invoker/ and shared/ packages to test (default: lambda_src)",
    )


@pytest.fixture
def invoker_source_dir(request: pytest.FixtureRequest) -> Path:
    """Where ``invoker`` and ``shared`` are imported from (override this fixture to test a bundle)."""
    chosen = request.config.getoption("--invoker-source", default=None) or os.environ.get("INVOKER_SOURCE_DIR")
    return Path(os.path.abspath(chosen)) if chosen else LAMBDA_SRC


# ---------------------------------------------------------------------------------------------- a Lambda context


class FakeContext:
    """The parts of Lambda's context the handler uses; the deadline starts when it is made."""

    def __init__(self, budget_ms: int = CONNECT_BUDGET_MS) -> None:
        self.aws_request_id = str(uuid.uuid4())
        self.function_name = "testcc-InvokeSalesforceRestApiFunction"
        self.memory_limit_in_mb = 512
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{self.function_name}"
        self._deadline = time.monotonic() + budget_ms / 1000

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


# ---------------------------------------------------------------------------------------------- events


def connect_event(
    method: str | None = None, *, contact_data: dict[str, Any] | None = None, **parameters: Any
) -> dict[str, Any]:
    """An Amazon Connect event; ``contact_data=None`` gives a typical contact, ``{}`` none."""
    params = dict(parameters)
    if method is not None:
        params = {"methodName": method, **params}
    details: dict[str, Any] = {"Parameters": params}
    if contact_data is None:
        contact_data = {
            "ContactId": CONTACT_ID,
            "Channel": "VOICE",
            "CustomerEndpoint": {"Address": "+81312345678", "Type": "TELEPHONE_NUMBER"},
        }
    if contact_data:
        details["ContactData"] = contact_data
    return {"Name": "ContactFlowEvent", "Details": details}


# ---------------------------------------------------------------------------------------------- containers


@dataclass
class Outcome:
    """What one invocation returned or raised."""

    ok: bool
    payload: dict[str, str] | None = None
    error: BaseException | None = None
    duration_ms: float = 0.0

    @property
    def error_type(self) -> str:
        assert self.error is not None, f"the invocation succeeded: {self.payload!r}"
        return type(self.error).__name__

    @property
    def failure(self) -> dict[str, Any]:
        """The failure object the error's message carries (the Lambda errorMessage)."""
        assert self.error is not None, f"the invocation succeeded: {self.payload!r}"
        return json.loads(str(self.error))


@dataclass
class FunctionContainer:
    """One imported copy of the handler: its module-level caches are this container's.

    The handler imports some modules at their first use (a method's, the signing code), so a container's
    modules are put back in sys.modules while it runs: what it imports then joins its own copy, even when a
    later container of the same test has imported the handler again."""

    handler_module: ModuleType
    modules: dict[str, ModuleType] = field(default_factory=dict)

    def module(self, name: str) -> ModuleType:
        """A module of this container's copy (``errors``, ``stats``...), for its classes; imported into the copy
        if the container has not needed it yet."""
        with self._own_modules():
            return importlib.import_module(f"scv_invoker.{name}")

    def invoke(self, event: Any, *, budget_ms: int = UNHURRIED_BUDGET_MS) -> Outcome:
        started = time.perf_counter()
        try:
            with self._own_modules():
                payload = self.handler_module.lambda_handler(event, FakeContext(budget_ms))
        except Exception as error:  # what Lambda reports as the invocation's error
            return Outcome(False, error=error, duration_ms=(time.perf_counter() - started) * 1000)
        return Outcome(True, payload=payload, duration_ms=(time.perf_counter() - started) * 1000)

    @contextmanager
    def _own_modules(self) -> Iterator[None]:
        _drop_lambda_modules()
        sys.modules.update(self.modules)
        try:
            yield
        finally:
            self.modules.update(_lambda_modules())

    def ok(self, event: Any, **kwargs: Any) -> dict[str, str]:
        outcome = self.invoke(event, **kwargs)
        assert outcome.ok, f"invocation failed: {outcome.error}"
        assert outcome.payload is not None
        return outcome.payload

    def fails(self, event: Any, **kwargs: Any) -> Outcome:
        outcome = self.invoke(event, **kwargs)
        assert not outcome.ok, f"invocation succeeded: {outcome.payload!r}"
        return outcome


def _is_lambda_module(name: str) -> bool:
    return name in ("scv_invoker", "scv_shared") or name.startswith(("scv_invoker.", "scv_shared."))


def _lambda_modules() -> dict[str, ModuleType]:
    return {name: module for name, module in sys.modules.items() if _is_lambda_module(name)}


def _drop_lambda_modules() -> None:
    for name in list(sys.modules):
        if _is_lambda_module(name):
            del sys.modules[name]


ContainerFactory = Callable[..., FunctionContainer]


@pytest.fixture
def new_container(
    monkeypatch: pytest.MonkeyPatch, invoker_source_dir: Path, invoker_env: dict[str, str]
) -> Iterator[ContainerFactory]:
    """Start a fresh container (a new import of the handler); ``env`` entries override or (None) remove
    environment variables for it and every later container of the test."""
    monkeypatch.syspath_prepend(str(invoker_source_dir))

    def start(**env: str | None) -> FunctionContainer:
        for name, value in env.items():
            if value is None:
                monkeypatch.delenv(name, raising=False)
            else:
                monkeypatch.setenv(name, value)
        _drop_lambda_modules()
        importlib.invalidate_caches()
        handler = importlib.import_module("scv_invoker.handler")
        module_file = Path(os.path.abspath(handler.__file__ or ""))
        assert module_file.is_relative_to(invoker_source_dir), f"imported {module_file}, not from {invoker_source_dir}"
        return FunctionContainer(handler, _lambda_modules())

    yield start
    _drop_lambda_modules()


# ---------------------------------------------------------------------------------------------- org and secrets


@dataclass(frozen=True)
class Org:
    """The emulated org as the tests set it up."""

    consumer_key: str
    username: str


@pytest.fixture
def org(salesforce: Any, rsa_key_pair: Any) -> Org:
    """An External Client App with the test certificate and a pre-authorized integration user."""
    salesforce.register_app(CONSUMER_KEY, rsa_key_pair.certificate_pem, users=[USERNAME])
    return Org(CONSUMER_KEY, USERNAME)


@pytest.fixture
def cc_secrets(secretsmanager_client: Any, secrets_server: Any, rsa_key_pair: Any, org: Org) -> ContactCenterSecrets:
    """The contact center's two secrets (empty access token); Secrets Manager call counts start after this."""
    created = make_contact_center_secrets(
        secretsmanager_client,
        CONTACT_CENTER,
        rsa_key_pair.private_key_pem,
        org.consumer_key,
        org.username,
        AUDIENCE,
        certificate_pem=rsa_key_pair.certificate_pem,
    )
    secrets_server.reset_counts()
    return created


@pytest.fixture
def invoker_env(
    monkeypatch: pytest.MonkeyPatch, salesforce: Any, secrets_server: Any, cc_secrets: ContactCenterSecrets
) -> dict[str, str]:
    """The function's environment pointing at the emulators (no secrets extension unless a test adds it)."""
    env = {
        **secrets_server.env(),
        **cc_secrets.env(),
        "SALESFORCE_REST_API_ENDPOINT_BASE": salesforce.rest_base(),
        "SALESFORCE_AUTH_ENDPOINT": salesforce.auth_endpoint,
        "CALL_CENTER_API_NAME": CALL_CENTER_API_NAME,
        "SECRETS_CACHE_TTL_SECONDS": "300",
        "LOG_LEVEL": "INFO",
        "POWERTOOLS_SERVICE_NAME": "InvokeSalesforceRestApi",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    for name in ("PARAMETERS_SECRETS_EXTENSION_HTTP_PORT", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_LAMBDA_LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    return env


@pytest.fixture
def container(new_container: ContainerFactory) -> FunctionContainer:
    """One fresh container with the default environment."""
    return new_container()


def access_token_in_secret(client: Any, cc_secrets: ContactCenterSecrets) -> str:
    """The token the access secret holds now."""
    document = json.loads(client.get_secret_value(SecretId=cc_secrets.access_secret_arn)["SecretString"])
    return document[KEYS.access_token]


def store_access_token(client: Any, cc_secrets: ContactCenterSecrets, token: str) -> None:
    """Put a token in the access secret, as another container (or an operator) would."""
    client.put_secret_value(SecretId=cc_secrets.access_secret_arn, SecretString=json.dumps({KEYS.access_token: token}))
