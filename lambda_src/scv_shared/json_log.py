"""The one log format of every function of the stack: JSON lines on stdout, in the shape Powertools' Logger writes.

The invoker, the seeder and the certificate check log the same way, so one CloudWatch Logs Insights query
reads all three: ``level``, ``location``, ``message``, ``timestamp``, ``service``, ``xray_trace_id``, then
the keys appended for the invocation and the record's ``extra``; a key whose value is None is left out.
Why not Powertools' Logger itself: importing it cost up to 33 ms of the invoker handler's 111 ms import
(benchmarks/RESULTS.md, the marginal costs of the cold import), and the certificate check's bundle has no
Powertools at all; this is the part of it the functions used, on the standard library's logging.

Each function's logger is its own named logger: its level applies to it alone, the root logger is never
configured, and botocore/boto3/urllib3 are held at WARNING (botocore at DEBUG logs request and response
bodies, i.e. secret values). What may be logged: names, counts, codes, timings; never a private key,
token, JWT assertion or a parameter value.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from collections.abc import Iterable, Mapping
from typing import Any

for _noisy in ("botocore", "boto3", "urllib3"):
    logging.getLogger(_noisy).setLevel(logging.WARNING)

DEFAULT_LEVEL = "INFO"

#: what every LogRecord carries; anything else on a record came from ``extra=`` and is logged as a key
_RECORD_ATTRIBUTES = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per record: the fixed keys, the appended keys, then the record's ``extra``."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service
        self.keys: dict[str, Any] = {}

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "level": record.levelname,
            "location": f"{record.funcName}:{record.lineno}",
            "message": record.getMessage(),
            "timestamp": _timestamp(record.created),
            "service": self.service,
        }
        trace = os.environ.get("_X_AMZN_TRACE_ID")  # set by Lambda per invocation: a log field, not a setting
        if trace:
            entry["xray_trace_id"] = trace.partition(";")[0].removeprefix("Root=")
        for key, value in self.keys.items():
            if value is not None:
                entry[key] = value
        for key, value in record.__dict__.items():
            if value is not None and key not in _RECORD_ATTRIBUTES:
                entry[key] = value
        if record.exc_info:
            entry["exception_name"] = record.exc_info[0].__name__ if record.exc_info[0] else None
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, separators=(",", ":"), ensure_ascii=False)


def _timestamp(created: float) -> str:
    """Powertools' default: ``2026-12-02 06:45:57,123+0000`` (UTC)."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(created)) + f",{int(created % 1 * 1000):03d}+0000"


class _StdoutHandler(logging.Handler):
    """Each line to ``sys.stdout`` as it is when the line is written, as ``print`` does: Lambda sends the
    function's stdout to CloudWatch Logs, and a caller that redirects stdout (a test) gets the lines too."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stdout.write(self.format(record) + "\n")
            sys.stdout.flush()
        except Exception:  # noqa: BLE001 - logging must never fail the invocation
            self.handleError(record)


class Logger:
    """A named stdlib logger with keys appended to every line until removed (per invocation, by a handler)."""

    def __init__(self, service: str, level: str = DEFAULT_LEVEL) -> None:
        self._logger = logging.getLogger(service)
        self._formatter = JsonFormatter(service)
        handler = _StdoutHandler()
        handler.setFormatter(self._formatter)
        self._logger.handlers[:] = [handler]  # one handler, also when a module making it is imported again
        self._logger.propagate = False
        self._logger.setLevel(level)

    def set_level(self, level: str) -> None:
        """The level a function's validated settings give (the invoker's LOG_LEVEL)."""
        self._logger.setLevel(level)

    def append_keys(self, **keys: Any) -> None:
        self._formatter.keys.update(keys)

    def remove_keys(self, names: Iterable[str]) -> None:
        for name in names:
            self._formatter.keys.pop(name, None)

    def isEnabledFor(self, level: int) -> bool:  # noqa: N802 - logging's own spelling
        return self._logger.isEnabledFor(level)

    def debug(self, message: str, *, extra: Mapping[str, Any] | None = None) -> None:
        if self._logger.isEnabledFor(logging.DEBUG):
            self._logger.debug(message, extra=extra, stacklevel=2)

    def info(self, message: str, *, extra: Mapping[str, Any] | None = None) -> None:
        if self._logger.isEnabledFor(logging.INFO):
            self._logger.info(message, extra=extra, stacklevel=2)

    def warning(self, message: str, *, extra: Mapping[str, Any] | None = None) -> None:
        self._logger.warning(message, extra=extra, stacklevel=2)

    def error(self, message: str, *, extra: Mapping[str, Any] | None = None) -> None:
        self._logger.error(message, extra=extra, stacklevel=2)
