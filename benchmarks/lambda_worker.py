"""Runs INSIDE an isolated Lambda-Python process (``python3.13 -I -S -B lambda_worker.py <result.json>``).

Why a separate script: the figures that need the handler in-process (import cost, first call, handler
overhead vs a bare http.client GET) must be taken in a process that sees only what the Lambda runtime
would: the bundle from cdk.out and the runtime's boto3, under the runtime's Python. The emulators run in
the parent (``make bench``) process, so their server threads never compete with the measured code for this
process's GIL. Only the standard library is imported before the bundle's paths are set; the fake Lambda
context is the harness's own (tools/harness/runner.py, loaded by file path so nothing else of the repository
becomes importable).

Input: one JSON object on stdin (``mode``, ``paths``, ``handler``, ``runner``, ``event`` and the mode's
arguments). Output: one JSON object written to the result file named by argv[1]. The handler's log lines go to
stdout, a file the parent reads afterwards (Stage.run_worker says why not a pipe).
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
from collections.abc import Callable  # loaded already: json imports re, which imports collections

# No ``typing`` import: the handler's own import of it must be part of the measured import. Annotations are
# never evaluated (``from __future__ import annotations``); plain ``dict``/``object`` say enough here.

#: Lambda's per-invocation limit for the function (8 s, Amazon Connect's)
TIMEOUT_MS = 8000


def _load_context_class(runner_path: str) -> type:
    """tools/harness/runner.py's LambdaContext, without putting tests/ on sys.path (loaded after the handler)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("_harness_runner", runner_path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.LambdaContext


def _context(context_class: type) -> object:
    """A context with a request id in a UUID's shape, made without importing uuid: Lambda's runtime hands the id
    over as text, so a uuid import here would be charged to the handler's first call."""
    digits = os.urandom(16).hex()
    request_id = f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"
    return context_class(request_id, time.monotonic() + TIMEOUT_MS / 1000)


def _import_handler(config: dict) -> tuple[Callable[..., object], float]:
    module_name, function_name = config["handler"].rsplit(".", 1)
    started = time.perf_counter()
    handler = getattr(importlib.import_module(module_name), function_name)
    return handler, (time.perf_counter() - started) * 1000


def _flush_metrics(config: dict) -> None:
    """Write the metrics the handler's module still holds, as it does on SIGTERM (a bundle that writes every call's
    metrics on its line has no flush_metrics: nothing to do)."""
    flush = getattr(sys.modules[config["handler"].rsplit(".", 1)[0]], "flush_metrics", None)
    if flush is not None:
        flush()


def cold(config: dict) -> dict:
    """Module import, then the first invocation: what a cold start costs after the interpreter is up.

    Only json and importlib are loaded before the handler's import, and the modules in ``preload`` (untimed: the
    memory table names what Lambda's runtime client has loaded at that point); the harness's context class is
    loaded after it, so nothing else the handler imports is paid for outside the measured import.
    """
    for module in config.get("preload", []):
        importlib.import_module(module)
    handler, import_ms = _import_handler(config)
    context_class = _load_context_class(config["runner"])
    started = time.perf_counter()
    payload = handler(config["event"], _context(context_class))
    first_ms = (time.perf_counter() - started) * 1000
    _flush_metrics(config)  # outside the clock: the call's metrics record, for its counts
    return {
        "import_ms": import_ms,
        "first_ms": first_ms,
        "payload": payload,
        "heavy_imported": sorted(set(config["heavy_modules"]) & sys.modules.keys()),
        "modules_loaded": len(sys.modules),
        "python": sys.version.split()[0],
    }


def import_only(config: dict) -> dict:
    """The handler's import alone, after importing ``preload`` untimed: the difference from an import without
    preload is what those modules cost the handler's import (their marginal cost, shared imports excluded)."""
    for module in config.get("preload", []):
        importlib.import_module(module)
    _, import_ms = _import_handler(config)
    return {"import_ms": import_ms}


def overhead(config: dict) -> dict:
    """Warm handler calls and bare GETs of the same URL, in two layouts: one call of each kind in turn (the goal
    figure) and batches of ``batched`` calls of a kind.

    The bare GET is the standard library's http.client on one kept connection (the handler keeps one per origin
    per container, and speaks its own HTTP/1.1 on it), with the same Authorization header, the same emulator and
    trust store, and the same gzip the handler asks for (so both read the org's compressed, chunked answer), so
    the difference is what the handler adds: event parsing, templating, the time budget, token lookup, its HTTP,
    response flattening and the summary log line.

    Why one call of each kind in turn: in a batch each call follows an identical one, its functions and buffers
    hot in the CPU's caches. On Lambda no request follows an identical one: the runtime client's own code runs
    between invocations. Taking turns puts both kinds after other work; the batched figures are still reported
    beside them.
    """
    import http.client
    import json
    import logging
    import os
    import ssl
    import zlib
    from urllib.parse import urlsplit

    handler, _ = _import_handler(config)
    context_class = _load_context_class(config["runner"])
    event = config["event"]
    handler(event, _context(context_class))  # cold call: container state, connection, token
    url = urlsplit(config["url"])
    if url.scheme == "https":
        tls = ssl.create_default_context(capath=os.environ.get("SSL_CERT_DIR"))  # as the function trusts the org
        connection: http.client.HTTPConnection = http.client.HTTPSConnection(
            url.hostname, url.port, timeout=7.6, context=tls
        )
    else:
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=7.6)
    target = url.path + (f"?{url.query}" if url.query else "")
    headers = {
        "Accept": "application/json",
        "Accept-Encoding": "gzip",
        "Authorization": config["authorization"],
        "User-Agent": "bench-bare-get",
    }

    def bare(_: object) -> None:
        connection.request("GET", target, headers=headers)
        response = connection.getresponse()
        body = response.read()
        if response.status >= 400:
            raise RuntimeError(f"bare GET: HTTP {response.status}")
        if response.getheader("Content-Encoding") == "gzip":
            body = zlib.decompress(body, 32 + zlib.MAX_WBITS)
        json.loads(body)

    def through_handler(context: object) -> None:
        handler(event, context)

    # The invoker's logger level lives on the stdlib logger of its name (shared/json_log.py). At WARNING the
    # handler does the same work minus formatting and writing its INFO summary line: the "quiet" kind isolates
    # that line's cost.
    invoker_logger = logging.getLogger(config["logger_name"])
    info_level = invoker_logger.getEffectiveLevel()
    kinds = (
        (through_handler, "handler_ns", info_level),
        (through_handler, "quiet_handler_ns", logging.WARNING),
        (bare, "bare_ns", info_level),
    )

    def sample(batch: int, batches: int) -> dict[str, list[int]]:
        samples: dict[str, list[int]] = {key: [] for _, key, _ in kinds}
        for index in range(batches):  # bounded: batches x batch calls of each kind
            # rotate which kind goes first, so none always follows another's cache effects
            for call, key, log_level in kinds[index % 3 :] + kinds[: index % 3]:
                invoker_logger.setLevel(log_level)  # outside the clock: setLevel clears logging's caches
                sink = samples[key]
                for _ in range(batch):
                    # the context is the runtime's work, not the handler's: made before the clock starts
                    context = None if call is bare else _context(context_class)
                    started = time.perf_counter_ns()
                    call(context)
                    sink.append(time.perf_counter_ns() - started)
        return samples

    sample(1, config["warmup"])
    result: dict = {**sample(1, config["rounds"]), "python": sys.version.split()[0]}
    if config.get("batched"):
        batch, batches = config["batched"]
        result["batched"] = sample(batch, batches)
    invoker_logger.setLevel(info_level)
    if config.get("profile_calls"):
        result["profile"] = _profile(lambda: through_handler(_context(context_class)), config["profile_calls"])
    return result


def warm(config: dict) -> dict:
    """Warm calls through the handler alone, one after another, as a container serves a contact center: per
    call its duration, the process's CPU time and the bytes it wrote to stdout (the function's own log lines,
    what CloudWatch Logs ingests). The first, cold call is not among them. Then the bytes of the metrics the
    handler's module still holds (flush_metrics, what it writes on SIGTERM: the calls of the run are one minute's),
    0 for a bundle that writes every call's metrics on its line."""
    import os

    handler, _ = _import_handler(config)
    context_class = _load_context_class(config["runner"])
    event = config["event"]
    handler(event, _context(context_class))
    durations_ns, cpu_ns, log_bytes = [], [], []
    for _ in range(config["calls"]):
        context = _context(context_class)
        sys.stdout.flush()
        log_before = os.lseek(sys.stdout.fileno(), 0, os.SEEK_CUR)  # stdout is a file (Stage.run_worker)
        cpu_before = time.process_time_ns()
        started = time.perf_counter_ns()
        handler(event, context)
        durations_ns.append(time.perf_counter_ns() - started)
        cpu_ns.append(time.process_time_ns() - cpu_before)
        sys.stdout.flush()
        log_bytes.append(os.lseek(sys.stdout.fileno(), 0, os.SEEK_CUR) - log_before)
    log_before = os.lseek(sys.stdout.fileno(), 0, os.SEEK_CUR)
    _flush_metrics(config)
    sys.stdout.flush()
    metrics_bytes = os.lseek(sys.stdout.fileno(), 0, os.SEEK_CUR) - log_before
    return {"durations_ns": durations_ns, "cpu_ns": cpu_ns, "log_bytes": log_bytes, "metrics_bytes": metrics_bytes}


def _profile(call: Callable[[], object], calls: int) -> dict:
    """cProfile of warm handler calls, per invocation: the invoker's own functions by cumulative time (its HTTP/1.1
    in connections.py among them, where the bare GET runs http.client), and every function by own time."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(calls):
        call()
    profiler.disable()
    stats = pstats.Stats(profiler)
    rows = []
    for (filename, line, name), (_, ncalls, tottime, cumtime, _) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append(
            {
                "function": f"{_short(filename)}:{line}({name})",
                "file": _short(filename),
                "name": name,
                "calls_per_invocation": ncalls / calls,
                "own_us": tottime / calls * 1e6,
                "cumulative_us": cumtime / calls * 1e6,
            }
        )
    own_code = [row for row in rows if row["file"].startswith(("scv_invoker/", "scv_shared/"))]
    return {
        "by_cumulative": sorted(own_code, key=lambda row: row["cumulative_us"], reverse=True)[:20],
        "by_own_time": sorted(rows, key=lambda row: row["own_us"], reverse=True)[:15],
    }


def _short(filename: str) -> str:
    """A path from the bundle root (``scv_invoker/handler.py``), or the stdlib module's file name."""
    for marker in ("/asset.", "/lib/python"):
        if marker in filename:
            return filename.split(marker, 1)[1].split("/", 1)[-1]
    return filename


def main() -> None:
    config = json.loads(sys.stdin.read())
    sys.path[:0] = config["paths"]
    modes = {"cold": cold, "import": import_only, "overhead": overhead, "warm": warm}
    result = modes[config["mode"]](config)
    sys.stdout.flush()
    with open(sys.argv[1], "w", encoding="utf-8") as out:
        json.dump(result, out, default=str)


if __name__ == "__main__":
    main()
