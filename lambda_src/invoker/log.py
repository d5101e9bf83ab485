"""The invoker's one structured logger (Powertools Logger, JSON lines on stdout).

LOG_LEVEL applies to this logger alone. The root logger is never configured and botocore/urllib3
are held at WARNING: botocore at DEBUG logs request and response bodies, i.e. secret values.
What may be logged: names, counts, codes, timings. Never a private key, token, JWT assertion or a
parameter value.
"""

from __future__ import annotations

import logging
import os
import sys

from aws_lambda_powertools.logging import Logger

from invoker.settings import DEFAULT_LOG_LEVEL, parse_log_level

SERVICE_NAME_DEFAULT = "InvokeSalesforceRestApi"

for _noisy in ("botocore", "boto3", "urllib3"):
    logging.getLogger(_noisy).setLevel(logging.WARNING)


class _CurrentStdout:
    """Writes to whatever ``sys.stdout`` is now (the logging registry outlives a re-imported module)."""

    def write(self, text: str) -> int:
        return sys.stdout.write(text)

    def flush(self) -> None:
        sys.stdout.flush()


def _make_logger() -> Logger:
    level = parse_log_level(os.environ.get("LOG_LEVEL")) or DEFAULT_LOG_LEVEL
    service = os.environ.get("POWERTOOLS_SERVICE_NAME") or SERVICE_NAME_DEFAULT
    made = Logger(service=service, level=level, stream=_CurrentStdout())  # type: ignore[arg-type]
    made.setLevel(level)  # also when the underlying logging.Logger was configured before (re-import)
    return made


logger = _make_logger()
