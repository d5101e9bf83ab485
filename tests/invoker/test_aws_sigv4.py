"""The invoker's standard-library SigV4 signer against the field's own: botocore's SigV4Auth must write the same
headers, byte for byte, for the same request, credentials and time (a SigV4 signature is deterministic)."""

from __future__ import annotations

import datetime
import json

import pytest
from botocore import auth as botocore_auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials as BotocoreCredentials
from scv_invoker import aws_sigv4

#: 2026-03-14T01:59:26Z, a fixed time for both signers
FIXED_TIME = datetime.datetime(2026, 3, 14, 1, 59, 26, tzinfo=datetime.UTC)
ACCESS_KEY_ID = "AKIDEXAMPLE"
SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
SESSION_TOKEN = "IQoJb3JpZ2luX2VjEXAMPLE//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+session/token=="
JSON_HEADERS = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "secretsmanager.PutSecretValue"}

CREDENTIALS = {
    "long-term keys": aws_sigv4.Credentials(ACCESS_KEY_ID, SECRET_ACCESS_KEY),
    "temporary (session token)": aws_sigv4.Credentials(ACCESS_KEY_ID, SECRET_ACCESS_KEY, SESSION_TOKEN),
}
ENDPOINTS = {
    "regional https": ("https://secretsmanager.ap-northeast-1.amazonaws.com/", "ap-northeast-1"),
    "https with a port": ("https://vpce-0123.secretsmanager.eu-west-1.vpce.amazonaws.com:8443/", "eu-west-1"),
    "loopback http (moto)": ("http://127.0.0.1:50123", "us-east-1"),
}
BODIES = {
    "a JSON call": json.dumps({"SecretId": "testcc-access", "SecretString": '{"token": "00D!AQ"}'}).encode(),
    "an empty body": b"",
    "non-ASCII": json.dumps({"SecretString": "システム管理者"}, ensure_ascii=False).encode(),
}


def botocore_headers(url: str, region: str, body: bytes, credentials: aws_sigv4.Credentials) -> dict[str, str]:
    request = AWSRequest(method="POST", url=url, data=body, headers=dict(JSON_HEADERS))
    access_key_id, secret_access_key, session_token = credentials
    signer = botocore_auth.SigV4Auth(
        BotocoreCredentials(access_key_id, secret_access_key, session_token or None), "secretsmanager", region
    )
    signer.add_auth(request)
    return dict(request.headers.items())


@pytest.fixture(autouse=True)
def botocore_at_the_fixed_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(botocore_auth, "get_current_datetime", lambda: FIXED_TIME.replace(tzinfo=None))


@pytest.mark.parametrize("credentials", CREDENTIALS.values(), ids=CREDENTIALS.keys())
@pytest.mark.parametrize(("url", "region"), ENDPOINTS.values(), ids=ENDPOINTS.keys())
@pytest.mark.parametrize("body", BODIES.values(), ids=BODIES.keys())
def test_the_signed_headers_are_byte_for_byte_botocores(
    credentials: aws_sigv4.Credentials, url: str, region: str, body: bytes
) -> None:
    ours = aws_sigv4.signed_headers(
        "POST",
        url,
        JSON_HEADERS,
        body,
        credentials=credentials,
        region=region,
        service="secretsmanager",
        now=FIXED_TIME.timestamp(),
    )
    theirs = botocore_headers(url, region, body, credentials)
    assert ours["Authorization"] == theirs["Authorization"]
    assert {name: value for name, value in ours.items() if name != "Host"} == theirs
    assert ("X-Amz-Security-Token" in ours) == bool(credentials.session_token)


def test_the_signature_depends_on_every_signed_part() -> None:
    """A different time, region, service, header or body each changes the signature (the comparison above
    could not tell a signer that ignored one of them)."""
    url, region = ENDPOINTS["regional https"]
    arguments = {
        "method": "POST",
        "url": url,
        "headers": JSON_HEADERS,
        "body": BODIES["a JSON call"],
        "credentials": CREDENTIALS["temporary (session token)"],
        "region": region,
        "service": "secretsmanager",
        "now": FIXED_TIME.timestamp(),
    }
    changes = {
        "now": FIXED_TIME.timestamp() + 1,
        "region": "us-east-1",
        "service": "ssm",
        "headers": {**JSON_HEADERS, "X-Amz-Target": "secretsmanager.GetSecretValue"},
        "body": b"{}",
        "credentials": aws_sigv4.Credentials(ACCESS_KEY_ID, SECRET_ACCESS_KEY, SESSION_TOKEN + "x"),
    }

    def authorization(**overrides: object) -> str:
        return aws_sigv4.signed_headers(**{**arguments, **overrides})["Authorization"]  # type: ignore[arg-type]

    baseline = authorization()
    assert all(authorization(**{name: value}) != baseline for name, value in changes.items())


def test_the_credentials_never_show_their_secret() -> None:
    credentials = CREDENTIALS["temporary (session token)"]
    assert SECRET_ACCESS_KEY not in repr(credentials) and SESSION_TOKEN not in repr(credentials)
    assert SECRET_ACCESS_KEY not in str(credentials)
