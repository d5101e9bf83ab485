"""Output shaping for Amazon Connect: one flat map of strings, under 32 KB.

A contact flow stores a Lambda's answer as contact attributes and, with STRING_MAP response validation,
accepts only string keys and string values, at most 32 KB in all. The Node.js function returned
``flat(result)`` (npm ``flat``: dotted keys, list indexes) with JSON types; the keys stay the same here, the
values become text:

- nested objects become dotted keys (``Owner.Name``), list items their index (``errors.0.statusCode``);
- ``true``/``false`` become ``"true"``/``"false"``, integers their digits, floats their decimal text as
  JavaScript writes a number (``1500.0`` → ``"1500"``, ``0.5`` → ``"0.5"``) but without an exponent
  (``1e21`` → ``"1000000000000000000000"``; a flow compares text, and Salesforce's own number fields never
  use exponents), ``null`` ``""``;
- an empty object or list becomes ``""`` under its key: ``flat`` kept it as an empty value, and Connect's
  STRING_MAP accepts no object, so the key stays and its value is the empty string.

``attributes`` (Salesforce's ``type``/``url`` record metadata) is kept by :func:`flatten`, because the
Node.js function returned it for search results and related records and flows may read
``attributes.type``; the opt-in all-records mode (:func:`flatten_records`) has no such history and drops it
at every level, since there it only spends the 32 KB.

Sizes are measured as the Lambda Python 3.12+/3.13 runtime serialises the answer: ``json.dumps`` with its
default separators and ``ensure_ascii=False``, in UTF-8.

What is flattened is Salesforce's JSON as ``json`` decoded it, or dicts a method built: containers are checked
as ``dict`` and ``list``/``tuple``, not as the ``Mapping`` ABC, whose isinstance check is a Python-level call for
every value of every answer.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

CONNECT_RESPONSE_LIMIT_BYTES = 32 * 1024
ALL_RECORDS_LIMIT_BYTES = 32_000  # below Connect's limit, leaving room for a caller's own keys
SALESFORCE_METADATA_KEY = "attributes"
_CONTAINERS = (dict, list, tuple)


class ResponseTooLargeError(ValueError):
    """The flat answer is over Connect's 32 KB; the message says how to make it smaller."""


def flatten(value: Any, *, drop_attributes: bool = False) -> dict[str, str]:
    """``{"Owner": {"Name": "x"}, "Vip": True}`` → ``{"Owner.Name": "x", "Vip": "true"}``.

    A list answer keeps the keys ``flat()`` gave it (``0.uploadId``); ``None`` is ``{}`` and any other
    scalar answer is put under ``result``. With ``drop_attributes`` every ``attributes`` key is left out,
    at every level.
    """
    flat: dict[str, Any] = {}
    _flatten_into(flat, "", _as_container(value), drop_attributes, _text)
    return flat


def flatten_typed(value: Any) -> dict[str, Any]:
    """The dotted keys of :func:`flatten` with JSON's types kept, as npm ``flat()`` gave them to a Lambda
    caller: ``{"statusCode": 200, "Owner.Name": "x"}``; an empty object or list stays one."""
    flat: dict[str, Any] = {}
    _flatten_into(flat, "", _as_container(value), False, native)
    return flat


def native(value: Any) -> Any:
    """Salesforce's JSON as it came, for a Lambda caller; only integral floats become integers, as
    JavaScript has one number type (``1500.0`` arrives as ``1500``)."""
    if isinstance(value, dict):
        return {str(key): native(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [native(item) for item in value]
    return _native_scalar(value)


def _native_scalar(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _as_container(value: Any) -> dict[str, Any] | list[Any] | tuple[Any, ...]:
    if isinstance(value, _CONTAINERS):
        return value
    return {} if value is None else {"result": value}


def _flatten_into(
    flat: dict[str, Any], prefix: str, value: Any, drop_attributes: bool, leaf: Callable[[Any], Any]
) -> None:
    """``leaf`` writes a scalar, or an empty object or list (which keeps its key)."""
    if isinstance(value, dict):
        items = [
            (str(key), item) for key, item in value.items() if not (drop_attributes and key == SALESFORCE_METADATA_KEY)
        ]
    elif isinstance(value, (list, tuple)):
        items = [(str(index), item) for index, item in enumerate(value)]
    else:
        flat[prefix] = leaf(value)
        return
    if not items and prefix:
        flat[prefix] = leaf(value)
    for key, item in items:
        _flatten_into(flat, f"{prefix}.{key}" if prefix else key, item, drop_attributes, leaf)


def _text(value: Any) -> str:
    """One scalar as Connect should see it (see the module docstring); an empty object or list is ""."""
    if value is None or isinstance(value, _CONTAINERS):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return str(value)  # nan/inf: JSON from Salesforce never holds them; keep Python's spelling
        return _number_text(value)
    return str(value)


def _number_text(value: float) -> str:
    """A float as JavaScript's ``String(n)`` writes it, without the exponent: ``1500.0`` → ``"1500"``.

    The Node.js function's answers carried JavaScript numbers, which have no ".0"; a flow branch written
    against them compares with "1500". ``repr`` is the shortest exact text and ``"f"`` drops the exponent.
    """
    if value == 0:
        return "0"  # -0.0 too: String(-0) is "0"
    text = format(Decimal(repr(value)), "f")
    return text.removesuffix(".0")


def _json_bytes(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False).encode("utf-8"))


#: the most bytes one character takes in the answer's JSON: a control character escaped as \u001f (six)
_MAX_JSON_BYTES_PER_CHARACTER = 6


def check_size(result: Mapping[str, str]) -> None:
    """Refuse an answer Connect would reject, so the flow's error branch says why instead of a bare failure.

    Most answers are a few fields: when even the worst case of their encoding (every character escaped, plus
    quotes and separators) fits, the answer is not encoded just to be measured."""
    characters = sum(len(key) + len(text) for key, text in result.items())
    # each pair adds its four quotes, ": " and ", "; the object its braces
    if _MAX_JSON_BYTES_PER_CHARACTER * characters + 8 * len(result) + 2 < CONNECT_RESPONSE_LIMIT_BYTES:
        return
    size = _json_bytes(result)
    if size >= CONNECT_RESPONSE_LIMIT_BYTES:
        raise ResponseTooLargeError(
            f"the answer is {size} bytes, at or over Amazon Connect's 32 KB limit for a Lambda response: "
            "select fewer fields, add a LIMIT, or leave out allRecords"
        )


def flatten_records(body: Mapping[str, Any], limit_bytes: int = ALL_RECORDS_LIMIT_BYTES) -> dict[str, str]:
    """Every record of a query answer (``{"totalSize", "records"}``) as ``records.<i>.<field>``.

    Whole records only, in order, while the whole answer's JSON stays under ``limit_bytes``: a flow must
    never see half a record. ``returnedSize`` says how many made it, ``totalSize`` how many Salesforce matched, and
    ``truncated`` is ``"true"`` when the answer holds fewer records than Salesforce matched (left out for
    size, or on a later result page).
    """
    records: Sequence[Any] = body.get("records") or []
    total_size = int(body.get("totalSize", len(records)))
    result: dict[str, str] = {}
    records_bytes = 0  # the records' pairs, each with the ", " that follows it
    returned = 0
    for index, record in enumerate(records):
        pairs = flatten({"records": {str(index): record}}, drop_attributes=True)
        pairs_bytes = sum(_json_bytes(key) + 2 + _json_bytes(text) + 2 for key, text in pairs.items())
        # the "false" spelling is the longer one, so the final answer is never bigger than measured here
        if 2 + records_bytes + pairs_bytes + _counts_bytes(total_size, index + 1) >= limit_bytes:
            break
        result.update(pairs)
        records_bytes += pairs_bytes
        returned = index + 1
    return {**result, **_counts(total_size, returned, returned < max(len(records), total_size))}


def _counts(total_size: int, returned: int, truncated: bool) -> dict[str, str]:
    return {"totalSize": str(total_size), "returnedSize": str(returned), "truncated": _text(truncated)}


def _counts_bytes(total_size: int, returned: int) -> int:
    """The counts' pairs with their ", " separators, as the tail of the answer object."""
    counts = _counts(total_size, returned, False)
    return sum(_json_bytes(key) + 2 + _json_bytes(text) for key, text in counts.items()) + 2 * (len(counts) - 1)
