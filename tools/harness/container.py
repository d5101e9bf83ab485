"""A bundle from cdk.out running as a Lambda container: one process, warm between invocations."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tools.harness.loopback_guard import LOG_VARIABLE
from tools.harness.runtime import bundle_python
from tools.harness.synth import FunctionAsset

RUNNER = Path(__file__).resolve().parent / "runner.py"
#: what the Lambda runtime sets in every environment (the function's own variables come on top)
LAMBDA_BASE_ENVIRONMENT = {
    "LANG": "C.UTF-8",
    "TZ": "UTC",
    "AWS_LAMBDA_FUNCTION_NAME": "test-function",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
    "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
}
_END_MARKER = "__INVOCATION_END__ "


@dataclass
class InvocationRecord:
    """The harness's record of one container invocation: what it returned and printed."""

    ok: bool
    payload: Any = None
    error: dict[str, Any] | None = None
    logs: list[str] = field(default_factory=list)
    duration_ms: float = 0.0
    init_ms: float = 0.0

    @property
    def error_message(self) -> str:
        assert self.error is not None, f"invocation succeeded: {self.payload!r}"
        return self.error["errorMessage"]

    @property
    def failure(self) -> dict[str, Any]:
        """The anchor-shaped failure ({success: false, status, ...}) carried in the error message."""
        return json.loads(self.error_message)

    def json_logs(self) -> list[dict[str, Any]]:
        parsed = []
        for line in self.logs:
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(record, dict):
                parsed.append(record)
        return parsed


class LambdaContainer:
    """Starts ``python3.13 -I -S -B runner.py`` (the runtime's Python, runtime.bundle_python; no bytecode written
    into the asset), with only the bundle and the runtime's boto3 importable."""

    def __init__(
        self,
        asset_dir: Path,
        handler: str,
        environment: dict[str, str],
        *,
        runtime_packages: list[Path] = (),  # type: ignore[assignment]
        timeout_seconds: float = 8.0,
        python: str | None = None,
    ) -> None:
        """``python``: the interpreter, when not the runtime's (code run from source with the host's packages)."""
        self.timeout_ms = int(timeout_seconds * 1000)
        self.all_logs: list[str] = []
        paths = [str(asset_dir), *map(str, runtime_packages)]
        read_fd, write_fd = os.pipe()
        guard = {name: os.environ[name] for name in (LOG_VARIABLE,) if name in os.environ}  # loopback_guard.py
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **guard, **LAMBDA_BASE_ENVIRONMENT, **environment}
        self._process = subprocess.Popen(
            [python or bundle_python(), "-I", "-S", "-B", str(RUNNER), str(write_fd), handler, *paths],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
            pass_fds=(write_fd,),
        )
        os.close(write_fd)
        self._results = os.fdopen(read_fd, "r")
        self._lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._pump_output, daemon=True).start()

    def _pump_output(self) -> None:
        assert self._process.stdout is not None
        for line in self._process.stdout:
            self._lines.put(line.rstrip("\n"))
        self._lines.put(None)

    def invoke(self, event: Any, *, timeout_ms: int | None = None) -> InvocationRecord:
        request_id = str(uuid.uuid4())
        assert self._process.stdin is not None
        request = {"event": event, "request_id": request_id, "timeout_ms": timeout_ms or self.timeout_ms}
        self._process.stdin.write(json.dumps(request) + "\n")
        self._process.stdin.flush()
        logs = self._logs_until(request_id)
        result_line = self._results.readline()
        if not result_line:
            raise RuntimeError("the container process died:\n" + "\n".join(logs))
        result = json.loads(result_line)
        return InvocationRecord(
            ok=result["ok"],
            payload=result.get("payload"),
            error=result.get("error"),
            logs=logs,
            duration_ms=result["duration_ms"],
            init_ms=result["init_ms"],
        )

    def _logs_until(self, request_id: str) -> list[str]:
        logs = []
        while True:
            line = self._lines.get(timeout=60)
            if line is None:
                self.all_logs.extend(logs)
                raise RuntimeError("the container process exited:\n" + "\n".join(logs))
            if line == _END_MARKER + request_id:
                self.all_logs.extend(logs)
                return logs
            logs.append(line)

    def terminate(self, *, timeout_seconds: float = 10.0) -> tuple[int, list[str]]:
        """End the container as Lambda does when it reaps an idle environment with an extension registered: a
        SIGTERM to the runtime process. Returns its exit status (negative: the signal that ended it) and the
        lines it printed after its last invocation."""
        self._process.send_signal(signal.SIGTERM)
        status = self._process.wait(timeout=timeout_seconds)
        lines = []
        while (line := self._lines.get(timeout=timeout_seconds)) is not None:
            lines.append(line)
        self.all_logs.extend(lines)
        return status, lines

    def close(self) -> None:
        if self._process.poll() is None:
            assert self._process.stdin is not None
            self._process.stdin.close()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
        self._results.close()

    def __enter__(self) -> LambdaContainer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class ContainerPool:
    """Starts containers of cdk.out bundles with the runtime's packages, and stops them all at the end.

    Each invocation's deadline is the function's own timeout (what Lambda gives it), unless
    ``invocation_timeout_seconds`` sets another default: the tests' pool gives one far from any test's work,
    so a cold start on a loaded machine never turns a test that is not about deadlines into a 504. A test
    about deadlines passes ``timeout_ms`` to :meth:`LambdaContainer.invoke` itself.
    """

    def __init__(self, runtime_packages: list[Path], *, invocation_timeout_seconds: float | None = None) -> None:
        self._runtime_packages = runtime_packages
        self._invocation_timeout_seconds = invocation_timeout_seconds
        self._containers: list[LambdaContainer] = []

    def start(self, asset: FunctionAsset, environment: dict[str, str], **kwargs: Any) -> LambdaContainer:
        container = LambdaContainer(
            asset.asset_dir,
            asset.handler,
            environment,
            runtime_packages=self._runtime_packages,
            timeout_seconds=self._invocation_timeout_seconds or asset.timeout_seconds,
            **kwargs,
        )
        self._containers.append(container)
        return container

    def close(self) -> None:
        for container in self._containers:
            container.close()

    def __enter__(self) -> ContainerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
