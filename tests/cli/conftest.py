"""Fixtures for scvctl's tests: the CLI run in-process against moto's Secrets Manager server, a contact
center config of its own, and the shipped invoker handler standing in for Lambda invocation.

No key is committed: every key and certificate is generated at test time (the emulators' session
fixtures ``rsa_key_pair`` / ``other_rsa_key_pair``, or the helpers below).
"""

from __future__ import annotations

import io
import json
import sys
import sysconfig
import textwrap
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from scv_shared.secret_format import SecretKeys, access_secret_name, main_secret_name
from scvctl.invoke import LambdaAnswer
from scvctl.main import main

from tests.emulators.fixtures import ContactCenterSecrets, make_contact_center_secrets
from tests.emulators.scv_account import INSTANCE_ARN, AccountBuilder, ConnectStub
from tools.harness.container import LambdaContainer

ROOT = Path(__file__).resolve().parents[2]

CC = "testcc"
OTHER_CC = "othercc"
CONSUMER_KEY = "3MVG9cli-test-consumer-key-0123456789abcdefABCDEF"
USERNAME = "integration@example.com"
AUDIENCE = "https://login.salesforce.com/"
KEYS = SecretKeys.for_contact_center(CC)
FUNCTION_NAME = f"{CC}-InvokeSalesforceRestApiFunction"

CONFIG_YAML = textwrap.dedent(
    f"""\
    contact_centers:
      - name: {CC}
        salesforce_url: https://testcc-org.my.salesforce.com
        username: {USERNAME}
        call_center_api_name: TestCallCenter
        certificate:
          common_name: testcc Salesforce JWT
          validity_days: 365
        orgs:
          - name: dr
            salesforce_url: https://testcc-dr.my.salesforce.com
            username: dr@example.com
      - name: {OTHER_CC}
        salesforce_url: https://other-org.my.salesforce.com
        username: other@example.com
        call_center_api_name: OtherCallCenter
        sandbox: true
        cold_start: provisioned
    """
)


@dataclass
class CliResult:
    """One run of ``scvctl``: exit status and everything it printed."""

    code: int
    out: str
    err: str

    @property
    def output(self) -> str:
        return self.out + self.err


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "contact_centers.yaml"
    path.write_text(CONFIG_YAML, encoding="utf-8")
    return path


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, secrets_server: Any, tmp_path: Path) -> dict[str, str]:
    """The CLI's AWS environment: moto's endpoint and fake keys, and nothing from this machine's ~/.aws."""
    for name in (
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_SESSION_TOKEN",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_ROLE_ARN",
        "PARAMETERS_SECRETS_EXTENSION_HTTP_PORT",
    ):
        monkeypatch.delenv(name, raising=False)
    env = {
        **secrets_server.env(),
        "AWS_CONFIG_FILE": str(tmp_path / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-aws-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


def in_mode(config_file: Path, mode: str) -> None:
    """Rewrite the config so that contact center ``CC`` runs in ``mode`` (companion: without further orgs)."""
    config = yaml.safe_load(config_file.read_text())
    (entry,) = [cc for cc in config["contact_centers"] if cc["name"] == CC]
    entry["mode"] = mode
    if mode == "companion":
        entry.pop("orgs", None)
    config_file.write_text(yaml.safe_dump(config))


RunCli = Callable[..., CliResult]


@pytest.fixture
def run_cli(
    config_file: Path, aws_env: dict[str, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> RunCli:
    """``run_cli("cert", "show", "testcc", stdin="...", invoker=...)``: main() with --config, output captured.

    stdin is a pipe (not a TTY) holding ``stdin``; ``tty_input`` instead makes it a terminal whose hidden
    prompt (getpass) returns that text.
    """

    def run(*argv: str, stdin: str = "", tty_input: str | None = None, invoker: Any = None) -> CliResult:
        capsys.readouterr()
        if tty_input is not None:
            monkeypatch.setattr(sys, "stdin", _Terminal())
            monkeypatch.setattr("getpass.getpass", lambda prompt="": tty_input)
        else:
            monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = main(["--config", str(config_file), *argv], invoker=invoker)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


# ---------------------------------------------------------------------------------------------- secrets


@pytest.fixture
def cc_secrets(secretsmanager_client: Any, rsa_key_pair: Any) -> ContactCenterSecrets:
    """testcc's two secrets as the seeder leaves them (with certificate), and a cached token."""
    return make_contact_center_secrets(
        secretsmanager_client,
        CC,
        rsa_key_pair.private_key_pem,
        CONSUMER_KEY,
        USERNAME,
        AUDIENCE,
        access_token="00Dcached!token-value",
        certificate_pem=rsa_key_pair.certificate_pem,
    )


class Secrets:
    """Reads testcc's secrets straight from moto, to check what the CLI wrote."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def current(self) -> dict[str, str]:
        value = self.client.get_secret_value(SecretId=main_secret_name(CC))
        return json.loads(value["SecretString"])

    def pending(self) -> dict[str, str] | None:
        try:
            value = self.client.get_secret_value(SecretId=main_secret_name(CC), VersionStage="AWSPENDING")
        except self.client.exceptions.ResourceNotFoundException:
            return None
        return json.loads(value["SecretString"])

    def token(self) -> str:
        value = self.client.get_secret_value(SecretId=access_secret_name(CC))
        return json.loads(value["SecretString"])[KEYS.access_token]

    def version_count(self) -> int:
        return len(
            self.client.list_secret_version_ids(SecretId=main_secret_name(CC), IncludeDeprecated=True)["Versions"]
        )


@pytest.fixture
def secrets(secretsmanager_client: Any) -> Secrets:
    return Secrets(secretsmanager_client)


def assert_no_secret_values(text: str, *values: str) -> None:
    """None of the values (or a recognizable part of a private key) appears in the output."""
    for value in values:
        if not value:
            continue
        assert value not in text
        if "PRIVATE KEY" in value:
            body = [line for line in value.splitlines() if line and not line.startswith("-----")]
            assert all(line not in text for line in body)
    assert "PRIVATE KEY" not in text


# ---------------------------------------------------------------------------------------------- invoker


LAMBDA_SRC = ROOT / "lambda_src"
#: the venv's packages (the invoker's pinned dependencies) after lambda_src, as the bundle would hold them
SITE_PACKAGES = Path(sysconfig.get_paths()["purelib"])


@dataclass
class LocalInvoker:
    """The Invoker seam filled with the shipped handler (lambda_src) in a Lambda-like container process.

    One container per LocalInvoker: warm between invocations like a real one. ``calls`` records what
    scvctl asked to invoke.
    """

    environment: dict[str, str]
    calls: list[tuple[str, dict[str, Any], str | None]] = field(default_factory=list)
    _container: LambdaContainer | None = None

    def invoke(self, function_name: str, event: Mapping[str, Any], *, qualifier: str | None = None) -> LambdaAnswer:
        self.calls.append((function_name, dict(event), qualifier))
        if self._container is None:
            # the source with the venv's packages, so under the venv's Python (the e2e tests run the bundle)
            self._container = LambdaContainer(
                LAMBDA_SRC,
                "scv_invoker.handler.lambda_handler",
                self.environment,
                runtime_packages=[SITE_PACKAGES],
                python=sys.executable,
            )
        result = self._container.invoke(dict(event))
        if result.ok:
            return LambdaAnswer(result.payload)
        error = dict(result.error or {})
        return LambdaAnswer(error, "Unhandled")

    def cold_start(self) -> None:
        """The next invocation runs in a new container (as after the secrets cache TTL or a deploy)."""
        self.close()
        self._container = None

    @property
    def logs(self) -> list[str]:
        return self._container.all_logs if self._container else []

    def close(self) -> None:
        if self._container is not None:
            self._container.close()


@pytest.fixture
def local_invoker(salesforce: Any, secrets_server: Any, cc_secrets: ContactCenterSecrets) -> Iterator[LocalInvoker]:
    """testcc's function over the Salesforce emulator and moto (register the app in the test)."""
    invoker = LocalInvoker(
        {
            **secrets_server.env(),
            **cc_secrets.env(),
            "SALESFORCE_REST_API_ENDPOINT_BASE": salesforce.rest_base(),
            "SALESFORCE_AUTH_ENDPOINT": salesforce.auth_endpoint,
            "CALL_CENTER_API_NAME": "TestCallCenter",
            "LOG_LEVEL": "INFO",
            "POWERTOOLS_SERVICE_NAME": "InvokeSalesforceRestApi",
        }
    )
    yield invoker
    invoker.close()


@dataclass
class FakeInvoker:
    """Answers every invocation with a fixed Lambda answer; records the calls."""

    answer: LambdaAnswer
    calls: list[tuple[str, dict[str, Any], str | None]] = field(default_factory=list)

    def invoke(self, function_name: str, event: Mapping[str, Any], *, qualifier: str | None = None) -> LambdaAnswer:
        self.calls.append((function_name, dict(event), qualifier))
        return self.answer


# ---------------------------------------------------------------------------------------------- SCV accounts


@pytest.fixture
def account(secrets_server: Any) -> AccountBuilder:
    """testcc's account on the (reset) moto server, to lay out as empty, SCV-provisioned, half-deployed or ours."""
    return AccountBuilder(secrets_server.endpoint_url, CC, f"{CC}-SalesforceRestApi")


@pytest.fixture
def connect(monkeypatch: pytest.MonkeyPatch) -> Iterator[ConnectStub]:
    """The CLI's Connect client: botocore's Stubber (moto lacks these calls); every queued answer must be asked."""
    stub = ConnectStub()
    monkeypatch.setattr("scvctl.aws.connect_client", lambda session: stub.client)
    yield stub
    stub.assert_all_asked()


WriteConfig = Callable[..., Path]


@pytest.fixture
def scv_config(tmp_path: Path) -> WriteConfig:
    """``scv_config(mode="beside", adopt_log_group=True)``: a config file with testcc on the stubbed Connect
    instance and those settings; returns its path (pass it as ``--config``)."""

    def write(**settings: Any) -> Path:
        contact_center = {
            "name": CC,
            "salesforce_url": "https://testcc-org.my.salesforce.com",
            "username": USERNAME,
            "call_center_api_name": "TestCallCenter",
            "connect_instance_arn": INSTANCE_ARN,
            **settings,
        }
        path = tmp_path / f"scv-{len(list(tmp_path.glob('scv-*.yaml')))}.yaml"
        path.write_text(json.dumps({"contact_centers": [contact_center]}), encoding="utf-8")
        return path

    return write
