"""What of Salesforce's error text may be logged or returned: its shape, never a caller's data.

Salesforce quotes what it could not use: a MALFORMED_QUERY message repeats the statement with its
literals (``WHERE Phone = '+81312345678'``), INVALID_FIELD names the value it refused, DUPLICATE_VALUE
the duplicate. The invoker's log promises no parameter value, and the failure returned to Connect lands
in contact attributes and flow logs, so both carry the message with every quoted literal, email
address, phone-like number and record id replaced by a marker. What an administrator needs stays: the
errorCode, Salesforce's wording, where in the statement (``Row:1:Column:40``) and the hint.

The message is cut to ``MAX_MESSAGE_LENGTH`` characters before any rule runs, and every rule matches in
time linear in its input, so redaction costs the same small amount whatever Salesforce (or a server posing
as it) sends, after a call whose deadline is already spent. A literal the cut leaves open is redacted to
the end of the text.
"""

from __future__ import annotations

import functools
import re

REDACTED = "<redacted>"
#: what of a message is kept: an administrator reads the start (the error and where it is)
MAX_MESSAGE_LENGTH = 2000
TRUNCATED = " ...(truncated)"

_SINGLE_QUOTED = r"'(?:[^'\\]|\\.)*"
_DOUBLE_QUOTED = r'"(?:[^"\\]|\\.)*'


@functools.cache  # compiled at a container's first redaction: a call that succeeds never needs them
def _rules(cut: bool) -> tuple[tuple[re.Pattern[str], str], ...]:
    """Applied in this order: a quoted literal first (it may hold any of the others), then what appears bare.
    ``cut``: the text was truncated, so a literal still open at its end runs to the end."""
    end = r"(?:'|\Z)" if cut else "'"
    double_end = r'(?:"|\Z)' if cut else '"'
    return (
        (re.compile(_SINGLE_QUOTED + end), f"'{REDACTED}'"),
        (re.compile(_DOUBLE_QUOTED + double_end), f'"{REDACTED}"'),
        # the look-behind starts a match only where a run of address characters starts: without it every
        # position of a long run is tried again to the run's end (quadratic)
        (re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "<email>"),
        # a record id: 15 or 18 letters and digits with at least one digit (a plain word is no id)
        (re.compile(r"\b(?=[A-Za-z]*\d)[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?\b"), "<id>"),
        # a phone-like number: 7 or more digits, possibly split by spaces, dots, dashes or parentheses
        (re.compile(r"\+?\(?\d(?:[\s().-]*\d){6,}"), "<number>"),
    )


def redact(text: str) -> str:
    """``text`` (its first ``MAX_MESSAGE_LENGTH`` characters) with quoted literals, emails, record ids and
    phone-like numbers replaced."""
    cut = len(text) > MAX_MESSAGE_LENGTH
    if cut:
        text = text[:MAX_MESSAGE_LENGTH]
    for pattern, marker in _rules(cut):
        text = pattern.sub(marker, text)
    return text + TRUNCATED if cut else text
