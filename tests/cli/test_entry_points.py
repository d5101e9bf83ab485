"""scvctl as users start it: the console script's function, ``python -m scvctl``, and the Lambda invoker."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from scvctl.errors import CliError
from scvctl.invoke import GUIDE_TEST_EVENT, LambdaInvoker
from scvctl.main import main

from tests.cli.conftest import ROOT


def test_python_dash_m(aws_env: dict[str, str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "scvctl", "--help"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "cli"), str(ROOT / "lambda_src")])},
        cwd=ROOT,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "usage: scvctl" in result.stdout
    for command in ("cert", "key", "consumer-key", "subject", "audience", "token", "check", "salesforce-metadata"):
        assert command in result.stdout


def test_the_console_script_entry_point() -> None:
    from importlib.metadata import entry_points

    scripts = {entry.name: entry.value for entry in entry_points(group="console_scripts")}
    if "scvctl" not in scripts:
        pytest.skip("the project is not installed in this environment (pip install -e .)")
    assert scripts["scvctl"] == "scvctl.main:main"


def _lambda_client() -> Any:
    return boto3.client("lambda", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")


def test_lambda_invoker_sends_the_event_and_reads_a_failure() -> None:
    client = _lambda_client()
    failure = {"errorMessage": json.dumps({"success": False, "status": 400}), "errorType": "SalesforceApiError"}
    with Stubber(client) as stubber:
        stubber.add_response(
            "invoke",
            {"StatusCode": 200, "FunctionError": "Unhandled", "Payload": io.BytesIO(json.dumps(failure).encode())},
            {
                "FunctionName": "acme-InvokeSalesforceRestApiFunction",
                "InvocationType": "RequestResponse",
                "Payload": json.dumps(GUIDE_TEST_EVENT).encode(),
                "Qualifier": "live",
            },
        )
        invocation = LambdaInvoker(client).invoke(
            "acme-InvokeSalesforceRestApiFunction", GUIDE_TEST_EVENT, qualifier="live"
        )

    assert invocation.function_error == "Unhandled"
    assert invocation.payload == failure


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("ResourceNotFoundException", "not found: deploy the contact center's stack"),
        ("AccessDeniedException", "lambda:InvokeFunction"),
        ("TooManyRequestsException", "throttled"),
        ("ServiceException", "invoking acme-InvokeSalesforceRestApiFunction failed: ServiceException"),
    ],
)
def test_lambda_invoker_errors(code: str, message: str) -> None:
    client = _lambda_client()
    with Stubber(client) as stubber:
        stubber.add_client_error("invoke", service_error_code=code, service_message="m")
        with pytest.raises(CliError) as error:
            LambdaInvoker(client).invoke("acme-InvokeSalesforceRestApiFunction", GUIDE_TEST_EVENT)

    assert message in str(error.value)


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["cert", "--help"], "a staged rotation's certificate if there is one\n"),
        (["subject", "set", "--help"], "the integration user's Salesforce username, an email-shaped login name"),
    ],
    ids=["cert show", "subject set USERNAME"],
)
def test_help_says_what_each_argument_is(
    argv: list[str], expected: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "400")  # argparse wraps help text to the terminal: one line per entry here
    assert main(argv) == 0
    assert expected in capsys.readouterr().out
