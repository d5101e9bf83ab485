"""Output shaping: a flat string map Connect's STRING_MAP validation accepts, under 32 KB."""

from __future__ import annotations

import json
from typing import Any

import pytest
from scv_invoker.output import (
    ALL_RECORDS_LIMIT_BYTES,
    ResponseTooLargeError,
    check_size,
    flatten,
    flatten_records,
)


def runtime_size(result: dict[str, str]) -> int:
    """What the Lambda Python 3.13 runtime sends: json.dumps, default separators, ensure_ascii=False."""
    return len(json.dumps(result, ensure_ascii=False).encode("utf-8"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param({"Id": "001"}, {"Id": "001"}, id="str as is"),
        pytest.param({"Owner": {"Name": "Bob"}}, {"Owner.Name": "Bob"}, id="nested dict → dotted key"),
        pytest.param({"A": {"B": {"C": "x"}}}, {"A.B.C": "x"}, id="deep nesting"),
        pytest.param(
            {"errors": [{"statusCode": "X"}, {"statusCode": "Y"}]},
            {"errors.0.statusCode": "X", "errors.1.statusCode": "Y"},
            id="list → index keys",
        ),
        pytest.param({"ids": ["a", "b"]}, {"ids.0": "a", "ids.1": "b"}, id="list of scalars"),
        pytest.param({"m": [["a"], []]}, {"m.0.0": "a", "m.1": ""}, id="list in a list, as flat() keys it"),
        pytest.param({"Vip__c": True, "Closed": False}, {"Vip__c": "true", "Closed": "false"}, id="bool"),
        pytest.param({"Age__c": 36, "Neg": -5}, {"Age__c": "36", "Neg": "-5"}, id="int"),
        pytest.param({"Score__c": 0.5, "Whole": 3.0}, {"Score__c": "0.5", "Whole": "3"}, id="float"),
        pytest.param(
            {"Amount": 1500.0, "Negative": -2.0, "Zero": -0.0, "Big": 1.5e300},
            {"Amount": "1500", "Negative": "-2", "Zero": "0", "Big": "15" + "0" * 299},
            id="integral floats as JavaScript prints them",
        ),
        pytest.param({"Big__c": 1e21}, {"Big__c": "1000000000000000000000"}, id="large float, no exponent"),
        pytest.param({"Tiny__c": 1e-7}, {"Tiny__c": "0.0000001"}, id="small float, no exponent"),
        pytest.param({"Fax": None}, {"Fax": ""}, id="None → empty"),
        pytest.param({"Tags": [], "Meta": {}}, {"Tags": "", "Meta": ""}, id="empty list/dict → empty (documented)"),
        pytest.param({"Name": "山田"}, {"Name": "山田"}, id="unicode"),
        pytest.param({}, {}, id="empty answer stays empty"),
        pytest.param(
            {"attributes": {"type": "Account"}, "Id": "001"},
            {"attributes.type": "Account", "Id": "001"},
            id="attributes kept by default (Node.js search shape)",
        ),
    ],
)
def test_flatten_makes_dotted_string_map(value: dict[str, Any], expected: dict[str, str]) -> None:
    assert flatten(value) == expected


def test_flatten_can_drop_attributes_at_every_level() -> None:
    record = {
        "attributes": {"type": "Case", "url": "/x"},
        "Owner": {"attributes": {"type": "User"}, "Name": "Bob"},
        "Contacts": [{"attributes": {"type": "Contact"}, "Id": "003"}],
    }
    assert flatten(record, drop_attributes=True) == {"Owner.Name": "Bob", "Contacts.0.Id": "003"}


@pytest.mark.parametrize(
    ("result", "too_large"),
    [
        pytest.param({"D": "x" * (32_768 - 10)}, False, id="32767 bytes"),
        pytest.param({"D": "x" * (32_768 - 9)}, True, id="32768 bytes"),
        pytest.param({"D": "あ" * 11_000}, True, id="multibyte counted as UTF-8"),
        pytest.param({"D": "x" * 32_000}, False, id="typical large answer"),
        pytest.param({"D": "\x01" * 5_459}, False, id="control characters escaped, 32763 bytes"),
        pytest.param({"D": "\x01" * 5_460}, True, id="control characters escaped, 32769 bytes"),
        pytest.param({f"K{i}": "\u2028" for i in range(2_200)}, True, id="many pairs, their separators counted"),
    ],
)
def test_size_limit_is_connects_32_kb(result: dict[str, str], too_large: bool) -> None:
    if too_large:
        with pytest.raises(ResponseTooLargeError, match="select fewer fields, add a LIMIT"):
            check_size(result)
    else:
        check_size(result)


def test_size_boundary_is_measured_as_the_runtime_serialises() -> None:
    assert runtime_size({"D": "x" * (32_768 - 10)}) == 32_767


def test_response_too_large_is_a_value_error() -> None:
    assert issubclass(ResponseTooLargeError, ValueError)


def test_all_records_are_indexed_with_counts_and_no_attributes() -> None:
    body = {
        "totalSize": 2,
        "done": True,
        "records": [
            {"attributes": {"type": "Case"}, "Subject": "a"},
            {"Subject": "b", "Owner": {"attributes": {"type": "User"}, "Name": "c"}},
        ],
    }
    assert flatten_records(body) == {
        "records.0.Subject": "a",
        "records.1.Subject": "b",
        "records.1.Owner.Name": "c",
        "totalSize": "2",
        "returnedSize": "2",
        "truncated": "false",
    }


@pytest.mark.parametrize(
    ("body", "counts"),
    [
        pytest.param({"totalSize": 0, "records": []}, ("0", "0", "false"), id="no record"),
        pytest.param({}, ("0", "0", "false"), id="empty body"),
        pytest.param({"totalSize": 5000, "records": [{"Id": "1"}]}, ("5000", "1", "true"), id="more on later pages"),
    ],
)
def test_all_records_counts(body: dict[str, Any], counts: tuple[str, str, str]) -> None:
    result = flatten_records(body)
    assert (result["totalSize"], result["returnedSize"], result["truncated"]) == counts


@pytest.mark.parametrize("limit_bytes", [ALL_RECORDS_LIMIT_BYTES, 5_000, 1_234, 200])
def test_all_records_keep_only_whole_records_under_the_limit(limit_bytes: int) -> None:
    records = [{"Description": "説明" * 100, "Id": f"{i:03d}", "Vip": i % 2 == 0} for i in range(100)]
    result = flatten_records({"totalSize": 100, "records": records}, limit_bytes=limit_bytes)
    returned = int(result["returnedSize"])
    assert returned < 100
    assert result["truncated"] == "true"
    assert runtime_size(result) < limit_bytes
    for index in range(returned):  # every returned record is whole
        assert {key for key in result if key.startswith(f"records.{index}.")} == {
            f"records.{index}.Description",
            f"records.{index}.Id",
            f"records.{index}.Vip",
        }
    assert not any(key.startswith(f"records.{returned}.") for key in result)  # nothing of the next one
    # the next record would not have fitted
    fuller = flatten_records({"totalSize": 100, "records": records[: returned + 1]}, limit_bytes=10**9)
    assert runtime_size(fuller) >= limit_bytes


def test_a_first_record_too_large_leaves_none_rather_than_part_of_it() -> None:
    result = flatten_records({"totalSize": 2, "records": [{"Body": "x" * 500}, {"Id": "1"}]}, limit_bytes=300)
    assert result == {"totalSize": "2", "returnedSize": "0", "truncated": "true"}


def test_all_records_answer_passes_connects_check() -> None:
    records = [{"Description": "x" * 1000, "Id": f"{i:03d}"} for i in range(100)]
    result = flatten_records({"totalSize": 100, "records": records})
    assert 0 < int(result["returnedSize"]) < 100
    check_size(result)
