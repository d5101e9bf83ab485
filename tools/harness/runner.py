"""Inside a Lambda "container" process: load the handler once, then serve invocations.

Run isolated (``python -I -S runner.py <protocol_fd> <handler> <path>...``): only the bundle and the
runtime-provided packages (boto3) are importable, as on Lambda. Requests arrive as JSON lines on
stdin; each result goes to the protocol fd, after a marker line on stdout so the parent knows every
log line of that invocation has been printed.
"""

import importlib
import json
import os
import runpy
import sys
import time
import traceback


class LambdaContext:
    """The parts of Lambda's context object the handlers use."""

    def __init__(self, request_id: str, deadline: float) -> None:
        self.aws_request_id = request_id
        self._deadline = deadline
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "test-function")
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512"))
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{self.function_name}"
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = "2026/11/25/[$LATEST]test"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


#: tools/harness/loopback_guard.py, run first when its log variable is set (a test proving nothing leaves loopback)
_LOOPBACK_GUARD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "loopback_guard.py")


class _FastClock:
    """The time module, its wall clock running ``factor`` times faster from now on (everything else as is)."""

    def __init__(self, factor: float) -> None:
        self._factor = factor
        self._started = time.time()

    def time(self) -> float:
        return self._started + (time.time() - self._started) * self._factor

    def __getattr__(self, name: str) -> object:
        return getattr(time, name)


def _compress_clocks() -> None:
    """HARNESS_CLOCK_FACTOR and HARNESS_CLOCK_MODULES (comma-separated): those modules' wall clock runs that many
    times faster, so a benchmark lives an hour of their rules in a minute. A module the bundle lacks is skipped."""
    factor = float(os.environ.get("HARNESS_CLOCK_FACTOR") or 1)
    for name in filter(None, os.environ.get("HARNESS_CLOCK_MODULES", "").split(",")):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        module.time = _FastClock(factor)


def main() -> None:
    if os.environ.get("LOOPBACK_GUARD_LOG"):  # loopback_guard.LOG_VARIABLE (this isolated process cannot import it)
        runpy.run_path(_LOOPBACK_GUARD)["install_from_environment"]()
    protocol = os.fdopen(int(sys.argv[1]), "w", buffering=1)
    module_name, function_name = sys.argv[2].rsplit(".", 1)
    sys.path[:0] = sys.argv[3:]
    started = time.perf_counter()
    try:
        handler = getattr(importlib.import_module(module_name), function_name)
        _compress_clocks()
        init_error = None
    except Exception as error:  # an import error is what Lambda reports as Runtime.ImportModuleError
        handler, init_error = None, error
    init_ms = (time.perf_counter() - started) * 1000
    for line in sys.stdin:
        request = json.loads(line)
        started = time.perf_counter()
        if init_error is not None:
            result = {"ok": False, "error": _error(init_error)}
        else:
            context = LambdaContext(request["request_id"], time.monotonic() + request["timeout_ms"] / 1000)
            try:
                result = {"ok": True, "payload": handler(request["event"], context)}
            except Exception as error:  # what the Lambda runtime turns into an invocation error
                result = {"ok": False, "error": _error(error)}
        result["duration_ms"] = (time.perf_counter() - started) * 1000
        result["init_ms"] = init_ms
        init_ms = 0.0
        sys.stdout.flush()
        sys.stderr.flush()
        print(f"__INVOCATION_END__ {request['request_id']}", flush=True)
        protocol.write(json.dumps(result, default=str) + "\n")


def _error(error: BaseException) -> dict:
    return {
        "errorMessage": str(error),
        "errorType": type(error).__name__,
        "stackTrace": traceback.format_exception(error),
    }


if __name__ == "__main__":
    main()
