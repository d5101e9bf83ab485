"""Salesforce record ids: the object's key prefix and the case-safe 18-character form.

The invoker passes ids through and compares them by their first 15 characters, so the emulator makes ids
of the real shape (prefix, 15 case-sensitive characters, the 3-character suffix) rather than any string.
"""

from __future__ import annotations

import secrets
import string

_KEY_PREFIXES = {
    "Account": "001",
    "Contact": "003",
    "User": "005",
    "Opportunity": "006",
    "Lead": "00Q",
    "Task": "00T",
    "Event": "00U",
    "Case": "500",
    "VoiceCall": "0LQ",
    "RealtimeAlertEvent": "e00",
    "ConnectedApplication": "0H4",
    "ExternalClientApplication": "0xI",
    "DeployRequest": "0Af",
}
_ID_CHARS = string.digits + string.ascii_letters
_ID_SUFFIX_CHARS = string.ascii_uppercase + "012345"


def salesforce_id(sobject: str) -> str:
    """A new 18-character id with the object's key prefix and a correct case-safe suffix."""
    base = _KEY_PREFIXES.get(sobject, "a00") + "5g0" + "".join(secrets.choice(_ID_CHARS) for _ in range(9))
    return base + case_suffix(base)


def org_id() -> str:
    """A new organization id (key prefix 00D)."""
    base = "00D5g0000" + "".join(secrets.choice(string.ascii_uppercase) for _ in range(6))
    return base + case_suffix(base)


def case_suffix(id15: str) -> str:
    """Salesforce's 3-character suffix: one character per 5-character chunk, encoding which are upper case."""
    chunks = (id15[0:5], id15[5:10], id15[10:15])
    return "".join(_ID_SUFFIX_CHARS[sum(1 << i for i, ch in enumerate(chunk) if "A" <= ch <= "Z")] for chunk in chunks)
