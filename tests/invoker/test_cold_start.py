"""The cold path stays light: a new container with a cached token imports neither boto3 nor PyJWT/cryptography,
nor an HTTP library: not requests and what it pulls in, not urllib3, not even http.client and the email package it
imports (connections.py speaks HTTP/1.1 itself), nor the IDNA codec (host names reach socket and ssl as bytes).
One that mints signs in the standard library (rs256.py) and writes the token with its own Secrets Manager client
(secrets_api.py, aws_sigv4.py), so it imports neither boto3 nor botocore either.

Run in a separate process (this one has imported everything already), with the extension attached as on
Lambda: the access secret comes over local HTTP and the token from it, so nothing heavy is needed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.invoker.conftest import access_token_in_secret, store_access_token

HEAVY = (
    "boto3",
    "botocore",
    "jwt",
    "cryptography",
    "requests",
    "charset_normalizer",
    "idna",
    "http.cookiejar",
    "urllib3",
    "http.client",
    "email",
    "encodings.idna",
    # dataclasses imports inspect: about 20 ms of the import, for records a NamedTuple or a plain class holds
    "dataclasses",
    "inspect",
)
#: what only signing in needs: the assertion's signature (rs256 and its hashlib, OpenSSL's libcrypto binding), its
#: jti (uuid) and the token's write-back (the SigV4-signed client); a cold start with the token cached loads none
SIGNING = ("scv_invoker.rs256", "hashlib", "uuid", "scv_invoker.secrets_api", "scv_invoker.aws_sigv4")
#: what a successful queryRecord never needs: the other methods' modules (imported at their first call) and the
#: redaction of Salesforce's error texts
NOT_RUN = (
    "scv_invoker.methods.composite",
    "scv_invoker.methods.composite_steps",
    "scv_invoker.methods.records",
    "scv_invoker.methods.transcripts",
    "scv_invoker.methods.field_service",
)

SCRIPT = """
import json, sys, time
sys.path.insert(0, {source!r})
compiled = []
def audit(event, args):
    if event == "compile" and args[1] == "<string>":
        source = args[0].decode() if isinstance(args[0], bytes) else str(args[0])
        if not source.startswith("lambda _cls"):  # collections.namedtuple's own constructor
            compiled.append(source)
sys.addaudithook(audit)
started = time.perf_counter()
import scv_invoker.handler as handler
import_ms = (time.perf_counter() - started) * 1000

class Context:
    aws_request_id = "cold-start-test"
    def get_remaining_time_in_millis(self):
        return 7000

event = {{"Details": {{"Parameters": {{"methodName": "queryRecord", "soql": "SELECT Id FROM Account"}}}}}}
result = handler.lambda_handler(event, Context())
print(json.dumps({{"result": result, "import_ms": import_ms,
                  "heavy": sorted(m for m in {heavy!r} if m in sys.modules),
                  "signing": sorted(m for m in {signing!r} if m in sys.modules),
                  "not_run": sorted(m for m in {not_run!r} if m in sys.modules),
                  "compiled": compiled}}))
"""


def run_cold_container(source: Path, env: dict[str, str]) -> dict[str, Any]:
    completed = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(source=str(source), heavy=HEAVY, signing=SIGNING, not_run=NOT_RUN)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_cold_start_with_cached_token_imports_nothing_heavy(
    invoker_source_dir: Path,
    invoker_env: dict[str, str],
    secrets_extension: Any,
    salesforce: Any,
    secretsmanager_client: Any,
    cc_secrets: Any,
) -> None:
    store_access_token(secretsmanager_client, cc_secrets, salesforce.issue_token())
    env = {**os.environ, **invoker_env, **secrets_extension.env()}
    outcome = run_cold_container(invoker_source_dir, env)
    assert outcome["result"] == {}
    assert outcome["heavy"] == []
    assert outcome["signing"] == []
    assert outcome["not_run"] == []
    # typing.NamedTuple compiles each field annotation given as a string (`from __future__ import annotations`),
    # a cost the import pays per field: the modules that define NamedTuples annotate them with real types
    assert outcome["compiled"] == []
    assert salesforce.token_requests() == []


def test_cold_start_that_mints_imports_no_jwt_cryptography_or_aws_sdk(
    invoker_source_dir: Path,
    invoker_env: dict[str, str],
    secrets_extension: Any,
    salesforce: Any,
    secrets_server: Any,
    secretsmanager_client: Any,
    cc_secrets: Any,
) -> None:
    """With no token cached the container reads the key from Secrets Manager, signs an assertion and writes the
    new token back: all of it in the standard library."""
    env = {**os.environ, **invoker_env, **secrets_extension.env()}
    outcome = run_cold_container(invoker_source_dir, env)
    assert outcome["result"] == {}
    assert len(salesforce.token_requests()) == 1
    assert secrets_server.count("PutSecretValue", secret_id=cc_secrets.access_secret_arn) >= 1
    assert access_token_in_secret(secretsmanager_client, cc_secrets)
    assert outcome["heavy"] == []
    assert outcome["signing"] == sorted(SIGNING)
