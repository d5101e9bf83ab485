"""AWS Signature Version 4 (the header form) in the standard library, for the invoker's Secrets Manager calls.

Why by hand: botocore's signer cannot be had without importing botocore, and boto3 with botocore was the heaviest
import left on the invoker's sign-in path (every write of a new token, every forced re-read). Lambda's CPU
share shrinks with the memory size, so that import weighed most on the small sizes that cost least, and during a
fault, when many containers start at once, every one of them paid it while its callers waited. A SigV4
signature is a canonical form of the request, a SHA-256 of it and four HMACs, all in hashlib and hmac.

What is signed is what the invoker sends: a request with no query string (AWS's JSON protocols POST to ``/``),
every header it is given plus Host, X-Amz-Date and, with temporary credentials, X-Amz-Security-Token. Headers
added later (User-Agent, Accept-Encoding, Content-Length) are sent unsigned, as botocore sends User-Agent.

tests/invoker/test_aws_sigv4.py proves the headers are byte for byte botocore's SigV4Auth for the same request,
credentials and time. Nothing here logs: a signature and the credentials must never reach a log line.
"""

import hashlib
import hmac
import time
from collections.abc import Mapping
from typing import NamedTuple
from urllib.parse import quote, urlsplit

from scv_invoker.connections import host_header

ALGORITHM = "AWS4-HMAC-SHA256"
_TIMESTAMP = "%Y%m%dT%H%M%SZ"


class Credentials(NamedTuple):
    """An access key pair, with the session token of temporary credentials (Lambda's always have one)."""

    access_key_id: str
    secret_access_key: str
    session_token: str = ""

    def __repr__(self) -> str:  # a traceback's locals or a stray log line must not show the secret key
        return f"Credentials(access_key_id={self.access_key_id!r}, ...)"


def signed_headers(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    credentials: Credentials,
    region: str,
    service: str,
    now: float | None = None,
) -> dict[str, str]:
    """``headers`` with Host, X-Amz-Date, X-Amz-Security-Token (temporary credentials) and Authorization added,
    signed for ``now`` (seconds since the epoch; the current time when None)."""
    timestamp = time.strftime(_TIMESTAMP, time.gmtime(time.time() if now is None else now))
    parts = urlsplit(url)
    to_sign = {"Host": host_header(parts.scheme, parts.hostname or "", parts.port), **headers, "X-Amz-Date": timestamp}
    if credentials.session_token:
        to_sign["X-Amz-Security-Token"] = credentials.session_token
    canonical = {name.lower(): " ".join(value.split()) for name, value in to_sign.items()}
    names = ";".join(sorted(canonical))
    canonical_request = "\n".join((
        method.upper(),
        quote(parts.path or "/", safe="/~"),
        "",  # the query string: the invoker sends none
        "".join(f"{name}:{canonical[name]}\n" for name in sorted(canonical)),
        names,
        hashlib.sha256(body).hexdigest(),
    ))  # fmt: skip
    scope = f"{timestamp[:8]}/{region}/{service}/aws4_request"
    string_to_sign = f"{ALGORITHM}\n{timestamp}\n{scope}\n{hashlib.sha256(canonical_request.encode()).hexdigest()}"
    signature = hmac.new(
        _signing_key(credentials.secret_access_key, timestamp[:8], region, service),
        string_to_sign.encode(),
        hashlib.sha256,
    ).hexdigest()
    to_sign["Authorization"] = (
        f"{ALGORITHM} Credential={credentials.access_key_id}/{scope}, SignedHeaders={names}, Signature={signature}"
    )
    return to_sign


def _signing_key(secret_access_key: str, date: str, region: str, service: str) -> bytes:
    key = ("AWS4" + secret_access_key).encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key
