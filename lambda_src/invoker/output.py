"""Output shaping for Amazon Connect: one flat map of strings, under 32 KB.

A contact flow stores a Lambda's answer as contact attributes and, with STRING_MAP response validation,
accepts only string keys and string values, at most 32 KB in all. The Node.js function returned
``flat(result)`` (dotted keys, list indexes) with JSON types; the keys stay the same here, the values
become text:

- nested objects become dotted keys (``Owner.Name``), list items their index (``errors.0.statusCode``);
- ``true``/``false`` become ``"true"``/``"false"``, numbers their decimal text (no exponent), ``null`` ``""``;
- an empty object or list becomes ``""`` under its key (flat kept it as an empty value too).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

CONNECT_RESPONSE_LIMIT_BYTES = 32 * 1024
ALL_RECORDS_LIMIT_BYTES = 32_000  # leaves room for totalSize/returnedSize/truncated


class ResponseTooLargeError(ValueError):
    """The flat answer is over Connect's 32 KB; the message says how to make it smaller."""


def flatten(value: Mapping[str, Any]) -> dict[str, str]:
    """``{"Owner": {"Name": "x"}, "Vip": True}`` → ``{"Owner.Name": "x", "Vip": "true"}``."""
    flat: dict[str, str] = {}
    _flatten_into(flat, "", value)
    return flat


def _flatten_into(flat: dict[str, str], prefix: str, value: Any) -> None:
    if isinstance(value, Mapping):
        items = [(str(key), item) for key, item in value.items()]
    elif isinstance(value, (list, tuple)):
        items = [(str(index), item) for index, item in enumerate(value)]
    else:
        flat[prefix] = text(value)
        return
    if not items and prefix:
        flat[prefix] = ""
    for key, item in items:
        _flatten_into(flat, f"{prefix}.{key}" if prefix else key, item)


def text(value: Any) -> str:
    """One value as Connect should see it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f") if value == value and abs(value) != float("inf") else str(value)
    return str(value)


def encoded_size(result: Mapping[str, str]) -> int:
    return len(json.dumps(result, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def check_size(result: Mapping[str, str]) -> None:
    """Refuse an answer Connect would reject, with what to do about it."""
    size = encoded_size(result)
    if size >= CONNECT_RESPONSE_LIMIT_BYTES:
        raise ResponseTooLargeError(
            f"the answer is {size} bytes, over Amazon Connect's 32 KB limit for a Lambda response: "
            "select fewer fields, add a LIMIT, or leave out allRecords"
        )


def flatten_records(body: Mapping[str, Any], limit_bytes: int = ALL_RECORDS_LIMIT_BYTES) -> dict[str, str]:
    """Every record of a query answer (each without ``attributes``) as ``records.<i>.<field>``.

    Whole records only, while the answer stays under ``limit_bytes``; ``truncated`` says whether some were
    left out, ``returnedSize`` how many made it and ``totalSize`` how many Salesforce matched.
    """
    records = body.get("records") or []
    total_size = body.get("totalSize", len(records))
    result: dict[str, str] = {}
    returned = 0
    for index, record in enumerate(records):
        fields = (
            {key: item for key, item in record.items() if key != "attributes"}
            if isinstance(record, Mapping)
            else record
        )
        candidate = {**result, **flatten({"records": {str(index): fields}})}
        if encoded_size(_with_counts(candidate, total_size, index + 1, False)) > limit_bytes:
            break
        result, returned = candidate, index + 1
    return _with_counts(result, total_size, returned, returned < len(records) or returned < int(total_size))


def _with_counts(result: dict[str, str], total_size: Any, returned: int, truncated: bool) -> dict[str, str]:
    return {**result, "totalSize": text(total_size), "returnedSize": str(returned), "truncated": text(truncated)}
