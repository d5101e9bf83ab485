"""The one log format of every function of the stack: JSON lines on stdout, in the shape Powertools' Logger writes.

The invoker, the seeder and the certificate check log the same way, so one CloudWatch Logs Insights query
reads all three: ``level``, ``location``, ``message``, ``timestamp``, ``service``, ``xray_trace_id``, then
the keys appended for the invocation and the record's ``extra``; a key whose value is None is left out.
Why not Powertools' Logger itself: importing it cost up to 33 ms of the invoker handler's 111 ms import
(benchmarks/RESULTS.md, the marginal costs of the cold import), and the certificate check's bundle has no
Powertools at all; this is the part of it the functions used. The standard library's logging holds only the
levels: the lines are written here (Logger's docstring says why).

Each function's logger is its own named logger: its level applies to it alone, the root logger is never
configured, and botocore/boto3/urllib3 are held at WARNING (botocore at DEBUG logs request and response
bodies, i.e. secret values). What may be logged: names, counts, codes, timings; never a private key,
token, JWT assertion or a parameter value.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import sys
import time
from collections.abc import Callable, Mapping
from typing import Any

for _noisy in ("botocore", "boto3", "urllib3"):
    logging.getLogger(_noisy).setLevel(logging.WARNING)

DEFAULT_LEVEL = "INFO"

#: the lines' encoder, made once: ``json.dumps`` with keyword arguments builds a new encoder per line
_ENCODER = json.JSONEncoder(default=str, separators=(",", ":"), ensure_ascii=False)


def _timestamp(created: float) -> str:
    """Powertools' default: ``2026-12-02 06:45:57,123+0000`` (UTC)."""
    return f"{_utc_second(int(created))},{int(created % 1 * 1000):03d}+0000"


@functools.lru_cache(maxsize=1)
def _utc_second(second: int) -> str:
    """The date and time of one second: the lines of one invocation share it, so it is formatted once."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(second))


def _level_method(level: str, number: int) -> Callable[..., None]:
    """Logger's ``debug``/``info``/``warning``/``error``: the line is built only when the level is enabled."""

    def log(
        self: Logger,
        message: str,
        *,
        extra: Mapping[str, Any] | None = None,
        encoded: Mapping[str, str] | None = None,
        plain: bool = False,
    ) -> None:
        if self._logger.isEnabledFor(number):
            self._write(level, message, extra, encoded, plain=plain)

    log.__name__ = log.__qualname__ = level.lower()
    return log


class Logger:
    """A named logger writing one JSON object per line to ``sys.stdout``, with keys appended to every line until
    cleared (per invocation, by a handler).

    The stdlib logger of the same name holds the level (so ``logging.getLogger(service).setLevel`` still
    applies), but the line does not travel through logging's record, handler lock and formatter: those layers
    cost about 35 of the summary line's 100 µs on the warm path (benchmarks.overhead before and after,
    2026-12-03), for nothing this logger uses. Each line goes to ``sys.stdout`` as it is when the line
    is written, as ``print`` does: Lambda sends the function's stdout to CloudWatch Logs, and a caller that
    redirects stdout (a test) gets the lines too.
    """

    def __init__(self, service: str, level: str = DEFAULT_LEVEL) -> None:
        self.service = service
        self._keys: dict[str, Any] = {}
        self._logger = logging.getLogger(service)
        self._logger.handlers.clear()  # also when a module making it is imported again
        self._logger.propagate = False
        self._logger.setLevel(level)

    def set_level(self, level: str) -> None:
        """The level a function's validated settings give (the invoker's LOG_LEVEL)."""
        self._logger.setLevel(level)

    def append_keys(self, **keys: Any) -> None:
        self._keys.update(keys)

    def clear_keys(self) -> None:
        """Forget every appended key (Powertools' ``clear_state``): a handler's last step, so no key of one
        invocation reaches the next one's lines."""
        self._keys.clear()

    def isEnabledFor(self, level: int) -> bool:  # noqa: N802 - logging's own spelling
        return self._logger.isEnabledFor(level)

    debug = _level_method("DEBUG", logging.DEBUG)
    info = _level_method("INFO", logging.INFO)
    warning = _level_method("WARNING", logging.WARNING)
    error = _level_method("ERROR", logging.ERROR)

    def _write(
        self,
        level: str,
        message: str,
        extra: Mapping[str, Any] | None,
        encoded: Mapping[str, str] | None,
        *,
        plain: bool,
    ) -> None:
        """The fixed keys, the appended keys, ``extra``, then the ``encoded`` members, whose values are JSON text
        already (a summary line's EMF directives, encoded once per container); ``location`` is the caller of
        debug/info/....

        A ``plain`` line has the level, the message and ``extra`` alone: for a line written at every call whose
        fields say all it means (a successful call's summary), where CloudWatch holds the event's time and the log
        group names the function, and every byte is paid for at ingestion."""
        if plain:
            entry: dict[str, Any] = {"level": level, "message": message}
        else:
            caller = sys._getframe(2)  # _write <- info <- the caller
            entry = {
                "level": level,
                "location": f"{caller.f_code.co_name}:{caller.f_lineno}",
                "message": message,
                "timestamp": _timestamp(time.time()),
                "service": self.service,
            }
            trace = os.environ.get("_X_AMZN_TRACE_ID")  # set by Lambda per invocation: a log field, not a setting
            if trace:
                entry["xray_trace_id"] = trace.partition(";")[0].removeprefix("Root=")
        for fields in (extra or {},) if plain else (self._keys, extra or {}):
            for key, value in fields.items():
                if value is not None:
                    entry[key] = value
        try:
            line = _ENCODER.encode(entry)
            if encoded:  # the entry is never empty, so its members go before its closing brace after a comma
                line = line[:-1] + "".join(f",{_ENCODER.encode(key)}:{value}" for key, value in encoded.items()) + "}"
            sys.stdout.write(line + "\n")
            sys.stdout.flush()
        except Exception:  # noqa: BLE001 - logging must never fail the invocation
            sys.stderr.write(f"{self.service}: a log line could not be written: {sys.exc_info()[1]!r}\n")
