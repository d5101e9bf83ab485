"""The one log format of every function of the stack: JSON lines on stdout, in the shape Powertools' Logger writes.

The invoker, the seeder and the certificate check log the same way, so one CloudWatch Logs Insights query
reads all three: ``level``, ``location``, ``message``, ``timestamp``, ``service``, ``xray_trace_id``, then
the keys appended for the invocation and the record's ``extra``; a key whose value is None is left out.
It is the standard library's ``logging`` with a JSON formatter: Powertools' Logger does the same, and the
certificate check's bundle has no Powertools, so the part the functions use is written here.

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
from collections.abc import Mapping
from typing import Any

for _noisy in ("botocore", "boto3", "urllib3"):
    logging.getLogger(_noisy).setLevel(logging.WARNING)

DEFAULT_LEVEL = "INFO"


def to_json(entry: Mapping[str, Any]) -> str:
    """One line of JSON: compact, non-ASCII kept as is, and a value JSON cannot encode written as its text."""
    return json.dumps(entry, default=str, separators=(",", ":"), ensure_ascii=False)


class JsonFormatter(logging.Formatter):
    """A record as one JSON object: the fixed keys, the logger's appended keys, then the record's fields.

    A ``compact`` record has the level, the message and its fields alone: for a line written at every call whose
    fields say all it means (a successful call's summary), where CloudWatch holds the event's time and the log
    group names the function, and every byte is paid for at ingestion.
    """

    def __init__(self, service: str, appended_keys: Mapping[str, Any]) -> None:
        super().__init__()
        self.service = service
        self.appended_keys = appended_keys

    def format(self, record: logging.LogRecord) -> str:
        fields: Mapping[str, Any] = getattr(record, "fields", {})
        if getattr(record, "compact", False):
            entry: dict[str, Any] = {"level": record.levelname, "message": record.getMessage()}
            sources: tuple[Mapping[str, Any], ...] = (fields,)
        else:
            entry = {
                "level": record.levelname,
                "location": f"{record.funcName}:{record.lineno}",
                "message": record.getMessage(),
                "timestamp": self.formatTime(record),
                "service": self.service,
            }
            trace = os.environ.get("_X_AMZN_TRACE_ID")  # set by Lambda per invocation: a log field, not a setting
            if trace:
                entry["xray_trace_id"] = trace.partition(";")[0].removeprefix("Root=")
            sources = (self.appended_keys, fields)
        for source in sources:
            entry.update((key, value) for key, value in source.items() if value is not None)
        return to_json(entry)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802 - logging's name
        """Powertools' default: ``2026-12-02 06:45:57,123+0000`` (UTC)."""
        return f"{time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime(record.created))},{int(record.msecs):03d}+0000"


class StdoutHandler(logging.Handler):
    """Writes each line to ``sys.stdout`` as it is when the line is written, as ``print`` does: Lambda sends the
    function's stdout to CloudWatch Logs, and a caller that redirects stdout (a test) gets the lines too. A line
    that cannot be encoded or written is reported on stderr: logging must never fail the invocation."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.write(self.format(record))
        except Exception:  # noqa: BLE001
            self.report_failure()

    def write(self, line: str) -> None:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

    def report_failure(self) -> None:
        sys.stderr.write(f"{self.name}: a log line could not be written: {sys.exc_info()[1]!r}\n")


class Logger:
    """A function's named logger, with keys appended to every line until cleared (per invocation, by a handler).

    It is ``logging.getLogger(service)`` with one :class:`StdoutHandler` and a :class:`JsonFormatter`, so
    ``logging.getLogger(service).setLevel`` still applies; the methods take the line's fields as ``extra``, as
    Powertools' Logger does.
    """

    def __init__(self, service: str, level: str = DEFAULT_LEVEL) -> None:
        self.service = service
        self._keys: dict[str, Any] = {}
        self._handler = StdoutHandler()
        self._handler.set_name(service)
        self._handler.setFormatter(JsonFormatter(service, self._keys))
        self._logger = logging.getLogger(service)
        self._logger.handlers.clear()  # also when a module making it is imported again
        self._logger.addHandler(self._handler)
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

    def debug(self, message: str, *, extra: Mapping[str, Any] | None = None) -> None:
        self._logger.debug(message, extra={"fields": extra or {}}, stacklevel=2)

    def info(self, message: str, *, extra: Mapping[str, Any] | None = None, compact: bool = False) -> None:
        self._logger.info(message, extra={"fields": extra or {}, "compact": compact}, stacklevel=2)

    def warning(self, message: str, *, extra: Mapping[str, Any] | None = None) -> None:
        self._logger.warning(message, extra={"fields": extra or {}}, stacklevel=2)

    def error(self, message: str, *, extra: Mapping[str, Any] | None = None) -> None:
        self._logger.error(message, extra={"fields": extra or {}}, stacklevel=2)

    def record(self, entry: Mapping[str, Any]) -> None:
        """A JSON object as a line of its own, whatever the level: a metrics record (Embedded Metric Format),
        which CloudWatch turns into the alarms' and the dashboard's figures, is no diagnostic that LOG_LEVEL
        may switch off."""
        try:
            self._handler.write(to_json(entry))
        except Exception:  # noqa: BLE001 - logging must never fail the invocation
            self._handler.report_failure()
