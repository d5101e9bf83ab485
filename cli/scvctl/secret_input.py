"""Reading a secret value (the consumer key) without it ever being on the command line or the screen.

A value in argv lands in shell history and in ``ps`` output for every user of the machine, so it is
read from a hidden prompt when a person is typing, or from standard input when it is piped in
(``pbpaste | scvctl consumer-key set cc``, a password manager's CLI). It is never echoed back.
"""

from __future__ import annotations

import getpass
import re
import sys
from typing import TextIO

from scvctl.errors import CliError

#: Salesforce consumer keys are long printable tokens (``3MVG9...``, about 85 characters)
_TOKEN = re.compile(r"[\x21-\x7e]{10,512}")


def read_secret_value(what: str, stdin: TextIO | None = None) -> str:
    """The value from a hidden prompt (a terminal) or from stdin (a pipe); validated, never echoed."""
    stream = stdin if stdin is not None else sys.stdin
    if stream.isatty():
        try:
            value = getpass.getpass(f"{what} (input hidden): ")
        except (EOFError, KeyboardInterrupt):
            raise CliError(f"no {what} entered") from None
    else:
        value = stream.read()
    value = value.strip()
    if not value:
        raise CliError(f"no {what} given: paste it at the prompt, or pipe it on standard input")
    if not _TOKEN.fullmatch(value):
        raise CliError(
            f"that does not look like a {what}: expected one line of 10-512 printable characters without spaces "
            "(copy it again from Salesforce)"
        )
    return value
