"""The stage every figure is measured on: the example stack from cdk.out "deployed" on loopback.

Reuses tools/harness/deployment.py exactly as ``make demo`` does (moto for Secrets Manager, the fake Parameters and
Secrets extension in front of it, the Salesforce emulator), so the benchmarks exercise the shipped bundles with
the environment CloudFormation would give the function. What is added here is only what the figures need:
a valid token pre-seeded in the access secret (the "cached token" every goal assumes), counters read as
snapshots, a "fresh execution environment" (the extension's cache emptied, as a new Lambda environment starts
with a new extension), execution environments of their own for figures whose containers run at the same time
(a container with its own extension, so no container is served from another's cache), and a launcher for
isolated processes under the Lambda runtime's Python.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scv_shared.secret_format import SecretKeys

from tools.emulators.salesforce import SalesforceEmulator
from tools.emulators.secrets import FakeSecretsExtension, MotoSecretsServer
from tools.harness.container import LAMBDA_BASE_ENVIRONMENT, RUNNER, ContainerPool, LambdaContainer
from tools.harness.deployment import LocalDeployment, deploy
from tools.harness.events import connect_event
from tools.harness.runtime import bundle_python, lambda_python, runtime_packages
from tools.harness.synth import CDK_OUT, EXAMPLE_STACK, CloudAssembly, FunctionAsset

WORKER = Path(__file__).resolve().parent / "lambda_worker.py"
#: the sample flow's caller lookup: the workload of the latency figures
LOOKUP_SOQL = "SELECT Id, Name FROM Contact WHERE Phone = '{phone}' LIMIT 1"
LOOKUP_PHONE = "+81312345678"
BENCH_API_LIMIT = 10_000_000


def lookup_event() -> dict[str, Any]:
    """queryRecord as the sample flow sends it (one scripted Contact comes back)."""
    return connect_event({"methodName": "queryRecord", "soql": LOOKUP_SOQL, "phone": LOOKUP_PHONE})


@dataclass(frozen=True)
class Counts:
    """Everything the goals count, read at one moment; subtract two to get what happened in between."""

    secrets_get: int  # GetSecretValue calls that reached Secrets Manager (moto), the extension's included
    secrets_all: int  # every Secrets Manager call (reads and the token write-back)
    extension_reads: int  # requests to the fake extension (cache hits included)
    salesforce_data: int  # REST API requests
    salesforce_token: int  # token endpoint requests
    mints: int  # tokens the org issued

    def __sub__(self, other: Counts) -> Counts:
        return Counts(*(a - b for a, b in zip(self.as_tuple(), other.as_tuple(), strict=True)))

    def __add__(self, other: Counts) -> Counts:
        return Counts(*(a + b for a, b in zip(self.as_tuple(), other.as_tuple(), strict=True)))

    def as_tuple(self) -> tuple[int, ...]:
        return (
            self.secrets_get,
            self.secrets_all,
            self.extension_reads,
            self.salesforce_data,
            self.salesforce_token,
            self.mints,
        )


@dataclass(frozen=True)
class WorkerRun:
    """What one isolated worker process reported, plus the wall time the parent saw (interpreter start included)."""

    result: dict[str, Any]
    logs: list[str]
    wall_ms: float

    def summary_line(self) -> dict[str, Any]:
        """The invoker's last ``invocation succeeded/failed`` log record."""
        for line in reversed(self.logs):
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict) and str(record.get("message", "")).startswith("invocation "):
                return record
        raise LookupError("no summary log line in the worker's output")


@dataclass(frozen=True)
class ExecutionEnvironment:
    """One Lambda execution environment: a container and the extension beside it, with a cache of its own."""

    container: LambdaContainer
    extension: FakeSecretsExtension

    def close(self) -> None:
        self.container.close()
        self.extension.stop()


@dataclass
class Stage:
    """A deployed contact center on this machine, with a cached token, and the processes started on it."""

    deployment: LocalDeployment
    packages: list[Path]  # the harness's runtime packages (tools/harness/runtime.py)
    #: the extensions of start_environment, kept after they stop so counts() still includes their reads
    environment_extensions: list[FakeSecretsExtension] = field(default_factory=list)

    @property
    def salesforce(self) -> SalesforceEmulator:
        return self.deployment.salesforce

    @property
    def secrets_server(self) -> MotoSecretsServer:
        return self.deployment.secrets_server

    @property
    def extension(self) -> FakeSecretsExtension:
        return self.deployment.extension

    @property
    def invoker(self) -> FunctionAsset:
        return self.deployment.invoker

    @property
    def access_secret_id(self) -> str:
        return self.deployment.invoker_environment()["SALESFORCE_ACCESS_SECRET_ID"]

    def counts(self) -> Counts:
        return Counts(
            secrets_get=self.secrets_server.count("GetSecretValue"),
            secrets_all=self.secrets_server.count(),
            extension_reads=sum(len(extension.calls()) for extension in [self.extension, *self.environment_extensions]),
            salesforce_data=len(self.salesforce.data_requests()),
            salesforce_token=len(self.salesforce.token_requests()),
            mints=self.salesforce.mint_count,
        )

    def write_token(self, token: str, secret_id: str | None = None) -> None:
        """Put ``token`` in the access secret (or another secret of the same format), as a container would."""
        keys = SecretKeys.for_contact_center(self.deployment.contact_center)
        self.secrets_server.client().put_secret_value(
            SecretId=secret_id or self.access_secret_id, SecretString=json.dumps({keys.access_token: token})
        )

    def seed_token(self) -> str:
        """A valid token in the access secret: the "cached token exists" precondition of the cold-start goals."""
        token = self.salesforce.issue_token()
        self.write_token(token)
        return token

    def fresh_environment(self) -> None:
        """What a new Lambda execution environment starts with: its own extension, with an empty cache."""
        self.extension.clear_cache()

    def start_container(self, **overrides: str) -> LambdaContainer:
        """The shipped invoker bundle as a harness container (the runtime's Python; stopped when the stage closes)."""
        return self.deployment.start_invoker(**overrides)

    def start_environment(self, asset: FunctionAsset | None = None, **overrides: str) -> ExecutionEnvironment:
        """A container with an extension of its own (same Secrets Manager, same TTL), as Lambda runs them.

        fresh_environment() empties the one shared extension, which is honest only while one container runs
        at a time; containers invoked concurrently each need their own cache, or one would be served what
        another read. Its upstream calls reach the same MotoSecretsServer, so counts() sees them all. ``asset``: another
        bundle of the invoker (by default the shipped one), with the same environment.
        """
        extension = FakeSecretsExtension(self.secrets_server, ttl_seconds=self.extension.ttl_seconds).start()
        self.environment_extensions.append(extension)
        try:
            environment = self.deployment.invoker_environment(**{**extension.env(), **overrides})
            container = self.deployment.start_container(asset or self.invoker, environment)
        except BaseException:
            extension.stop()
            raise
        return ExecutionEnvironment(container, extension)

    def close_containers(self, containers: list[LambdaContainer]) -> None:
        """Stop containers now (a benchmark's processes must not linger into the next one's timings)."""
        for container in containers:
            container.close()

    def lambda_process_environment(self, **overrides: str) -> dict[str, str]:
        """The environment of an isolated Lambda-Python process: the harness's base plus the function's."""
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            **LAMBDA_BASE_ENVIRONMENT,
            **self.deployment.invoker_environment(**overrides),
        }

    @property
    def lambda_python(self) -> str | None:
        """The Lambda runtime's Python, None when this machine has none."""
        return lambda_python()

    @property
    def worker_python(self) -> str:
        """The Lambda runtime's Python when installed, else the host's (RESULTS.md says which was used)."""
        return bundle_python()

    def lambda_paths(self) -> list[str]:
        """What the worker's Python may import: the bundle, then the harness's runtime packages (the runtime's
        boto3, and the host's cffi only when there is no 3.13 here), as in the harness's containers."""
        return [str(self.invoker.asset_dir), *map(str, self.packages)]

    def run_worker(
        self, mode: str, config: dict[str, Any], *, timeout_seconds: float = 120.0, cgroup_procs: Path | None = None
    ) -> WorkerRun:
        """One isolated ``python3.13 -I -S -B benchmarks/lambda_worker.py`` process (see its docstring).

        With ``cgroup_procs`` the process joins that CPU cgroup before the interpreter starts (a shell writes its
        own pid there, then execs), so even the interpreter's start runs under the cgroup's quota.

        The worker's stdout (the handler's log lines) is a file, read when it ends. A pipe would be drained by a
        thread of this process, which also runs the emulators' server threads: each line woke that thread to
        contend for this process's GIL with the emulator answering the next request, and the handler was charged
        for it (50 of the 150 µs its summary line seemed to cost, 2026-12-03). On Lambda another process reads
        the function's output.
        """
        environment = config.pop("environment", None) or self.lambda_process_environment()
        request = {
            "mode": mode,
            "paths": config.pop("paths", None) or self.lambda_paths(),
            "handler": self.invoker.handler,
            "runner": str(RUNNER),
            **config,
        }
        with tempfile.TemporaryDirectory(prefix="bench-worker-") as scratch:
            result_path = Path(scratch) / "result.json"
            started = time.perf_counter()
            command = [self.worker_python, "-I", "-S", "-B", str(WORKER), str(result_path)]
            if cgroup_procs is not None:
                command = ["/bin/sh", "-c", 'echo $$ > "$0" && exec "$@"', str(cgroup_procs), *command]
            log_path = Path(scratch) / "stdout.log"
            with log_path.open("w+", encoding="utf-8") as log_file:
                completed = subprocess.run(
                    command,
                    input=json.dumps(request),
                    stdout=log_file,
                    stderr=subprocess.PIPE,
                    text=True,
                    env=environment,
                    timeout=timeout_seconds,
                    check=False,
                )
            log_lines = log_path.read_text(encoding="utf-8").splitlines()
            wall_ms = (time.perf_counter() - started) * 1000
            if completed.returncode != 0 or not result_path.exists():
                raise RuntimeError(
                    f"the {mode} worker failed ({completed.returncode}):\n{chr(10).join(log_lines)[-3000:]}\n"
                    f"{completed.stderr[-3000:]}"
                )
            result = json.loads(result_path.read_text())
        return WorkerRun(result, log_lines, wall_ms)


@contextmanager
def open_stage() -> Iterator[Stage]:
    """Start the emulators, deploy the example stack from cdk.out, seed a token; stop everything afterwards."""
    if not (CDK_OUT / "manifest.json").exists():
        raise SystemExit("cdk.out is missing: run `make synth` first (make bench does)")
    assembly = CloudAssembly(CDK_OUT)
    packages = runtime_packages()
    with ExitStack() as stack:
        pool = stack.enter_context(ContainerPool(packages))
        secrets_server = stack.enter_context(MotoSecretsServer())
        extension = stack.enter_context(FakeSecretsExtension(secrets_server))
        # TLS as against a real org, so the kept-connection figures count handshakes; the functions trust the
        # emulator's own certificate through the standard CA-bundle variables (LocalDeployment.invoker_environment)
        # an API allocation no run of the bench reaches (the emulator's default, a small org's 15,000 a day, is)
        salesforce = stack.enter_context(SalesforceEmulator(tls=True, api_limit=BENCH_API_LIMIT))
        deployment = deploy(
            assembly,
            EXAMPLE_STACK,
            salesforce=salesforce,
            secrets_server=secrets_server,
            extension=extension,
            start_container=pool.start,
        )
        # The deployed extension caches for SECRETS_MANAGER_TTL seconds (the template says 60), not the
        # fake's default of 300: use the template's value so the extension's upstream calls are realistic.
        ttl = deployment.invoker.environment.get("SECRETS_MANAGER_TTL")
        if isinstance(ttl, str) and ttl.isdigit():
            extension.ttl_seconds = float(ttl)
        salesforce.set_query_result("FROM Contact", [{"Id": "0035g00000BENCHAA1", "Name": "Yamada Taro"}])
        stage = Stage(deployment, packages)
        stage.seed_token()
        yield stage
