"""Secrets Manager's API as the invoker calls it: AWS JSON 1.1 over a kept connection, signed with SigV4.

Why by hand: the invoker makes two calls, GetSecretValue and PutSecretValue, and importing boto3 with botocore
to make them was the heaviest part of a cold start that writes a token or re-reads a secret (aws_sigv4.py
says why that weighs on the small memory sizes). The protocol is a signed POST of a JSON document to ``/`` with
the action in X-Amz-Target; the answer is a JSON document, a failure one whose ``__type`` names the AWS error.

As botocore does, it takes:

- the credentials and region from the environment Lambda sets (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
  AWS_SESSION_TOKEN, AWS_REGION or AWS_DEFAULT_REGION);
- the endpoint from AWS_ENDPOINT_URL_SECRETS_MANAGER, then AWS_ENDPOINT_URL (unless
  AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true), else the region's public endpoint (a VPC endpoint with private
  DNS answers on that same name);
- the trust store from AWS_CA_BUNDLE, else the bundle's (connections.py verifies TLS).

Every failure is a :class:`SecretsManagerError` carrying the AWS error code, or for a failure on the way the
name botocore gives it (ReadTimeoutError, EndpointConnectionError, ...), so shared/secrets_manager_errors.py's
table reads both alike. No retries here: secrets_retry.py decides them against the invocation's deadline.
Nothing is logged, and no message carries a request's body, a signature or the credentials.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

from scv_invoker import aws_sigv4
from scv_invoker.connections import BrokenAnswer, ConnectionPool, ConnectTimeout, Dropped

SERVICE = "secretsmanager"
CONTENT_TYPE = "application/x-amz-json-1.1"
#: botocore's endpoint variables for Secrets Manager, the first one set wins
ENDPOINT_VARIABLES = ("AWS_ENDPOINT_URL_SECRETS_MANAGER", "AWS_ENDPOINT_URL")


class SecretsManagerError(Exception):
    """A failed call: the AWS error code (or botocore's name for a failure on the way), AWS's message (it names
    the secret, never its value) and the HTTP status (0 when no answer arrived), under the names
    shared/secrets_manager_errors.py reads."""

    def __init__(self, code: str, message: str, status: int = 0) -> None:
        super().__init__(f"{code}: {message}" if message else code)
        self.aws_code = code
        self.aws_message = message
        self.aws_status = status


class SecretsManagerApi:
    """Calls Secrets Manager over the container's kept connection to it."""

    def __init__(self, environ: Mapping[str, str] = os.environ) -> None:
        self._environ = environ
        self._connections = ConnectionPool.trusting(environ.get("AWS_CA_BUNDLE"))

    def call(
        self, action: str, parameters: Mapping[str, Any], *, connect_timeout: float, timeout: float
    ) -> dict[str, Any]:
        """The answer to ``action`` (e.g. GetSecretValue) with ``parameters``, within ``timeout`` seconds from now;
        a SecretsManagerError otherwise."""
        region = self._environ.get("AWS_REGION") or self._environ.get("AWS_DEFAULT_REGION")
        if not region:
            raise SecretsManagerError("NoRegionError", "AWS_REGION is not set")
        url = endpoint_url(self._environ, region)
        body = json.dumps(parameters, separators=(",", ":")).encode()
        headers = aws_sigv4.signed_headers(
            "POST",
            url,
            {"Content-Type": CONTENT_TYPE, "X-Amz-Target": f"secretsmanager.{action}"},
            body,
            credentials=self._credentials(),
            region=region,
            service=SERVICE,
        )
        try:
            response = self._connections.request(
                "POST", url, headers=headers, body=body, connect_timeout=connect_timeout, timeout=timeout
            )
        except OSError as error:
            raise SecretsManagerError(_failure_name(error), type(error).__name__) from None
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if response.status_code == 200 and isinstance(answer, dict):
            return answer
        details = answer if isinstance(answer, dict) else {}
        raise SecretsManagerError(
            _error_code(response.headers.get("x-amzn-ErrorType"), details.get("__type"), response.status_code),
            str(details.get("message") or details.get("Message") or ""),
            response.status_code,
        )

    def _credentials(self) -> aws_sigv4.Credentials:
        access_key_id = self._environ.get("AWS_ACCESS_KEY_ID")
        secret_access_key = self._environ.get("AWS_SECRET_ACCESS_KEY")
        if not access_key_id or not secret_access_key:
            raise SecretsManagerError("NoCredentialsError", "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set")
        return aws_sigv4.Credentials(access_key_id, secret_access_key, self._environ.get("AWS_SESSION_TOKEN", ""))


def endpoint_url(environ: Mapping[str, str], region: str) -> str:
    """Where the calls go: the first of ENDPOINT_VARIABLES set (unless AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is
    true), else the region's public endpoint."""
    if environ.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "").lower() != "true":
        for variable in ENDPOINT_VARIABLES:
            if environ.get(variable):
                return environ[variable]
    domain = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
    return f"https://{SERVICE}.{region}.{domain}/"


def _error_code(header: str | None, body_type: Any, status: int) -> str:
    """The AWS error code as botocore reads it: the x-amzn-ErrorType header before any ``:``, else the body's
    ``__type`` after any ``#``, else the HTTP status."""
    if header:
        return header.split(":", 1)[0]
    if isinstance(body_type, str) and body_type:
        return body_type.rsplit("#", 1)[-1]
    return str(status)


def _failure_name(error: BaseException) -> str:
    """botocore's name for a call that got no answer: the shared table knows which are worth a retry."""
    if isinstance(error, ConnectTimeout):
        return "ConnectTimeoutError"
    if isinstance(error, TimeoutError):
        return "ReadTimeoutError"
    if isinstance(error, (Dropped, ConnectionResetError, BrokenPipeError, BrokenAnswer)):
        return "ConnectionClosedError"
    return "EndpointConnectionError"
