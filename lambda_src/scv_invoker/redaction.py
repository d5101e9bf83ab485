"""What of Salesforce's error text may be logged or returned: its shape, never a caller's data.

Salesforce quotes what it could not use: a MALFORMED_QUERY message repeats the statement with its
literals (``WHERE Phone = '+81312345678'``), INVALID_FIELD names the value it refused, DUPLICATE_VALUE
the duplicate. The invoker's log promises no parameter value, and the failure returned to Connect lands
in contact attributes and flow logs, so both carry the message with every quoted literal, email
address, phone-like number and record id replaced by a marker. What an administrator needs stays: the
errorCode, Salesforce's wording, where in the statement (``Row:1:Column:40``) and the hint.
"""

from __future__ import annotations

import re

REDACTED = "<redacted>"

#: applied in this order: a quoted literal first (it may hold any of the others), then what appears bare
_RULES = (
    (re.compile(r"'(?:[^'\\]|\\.)*'"), f"'{REDACTED}'"),
    (re.compile(r'"(?:[^"\\]|\\.)*"'), f'"{REDACTED}"'),
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "<email>"),
    # a record id: 15 or 18 letters and digits with at least one digit (a plain word is no id)
    (re.compile(r"\b(?=[A-Za-z]*\d)[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?\b"), "<id>"),
    # a phone-like number: 7 or more digits, possibly split by spaces, dots, dashes or parentheses
    (re.compile(r"\+?\(?\d(?:[\s().-]*\d){6,}"), "<number>"),
)


def redact(text: str) -> str:
    """``text`` with quoted literals, emails, record ids and phone-like numbers replaced."""
    for pattern, marker in _RULES:
        text = pattern.sub(marker, text)
    return text
