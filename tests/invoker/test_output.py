"""Output shaping: a flat string map Connect's STRING_MAP validation accepts, under 32 KB."""

from __future__ import annotations

import json

import pytest
from invoker.output import ResponseTooLargeError, check_size, flatten, flatten_records


def test_nested_values_become_dotted_keys_and_strings() -> None:
    record = {
        "Id": "001",
        "Owner": {"Name": "Bob", "Manager": {"Name": "Ann"}},
        "errors": [{"statusCode": "OPERATION_ENQUEUED"}],
        "Vip__c": True,
        "Closed": False,
        "Age__c": 36,
        "Score__c": 0.5,
        "Big__c": 1e21,
        "Fax": None,
        "Tags": [],
        "Meta": {},
    }
    assert flatten(record) == {
        "Id": "001",
        "Owner.Name": "Bob",
        "Owner.Manager.Name": "Ann",
        "errors.0.statusCode": "OPERATION_ENQUEUED",
        "Vip__c": "true",
        "Closed": "false",
        "Age__c": "36",
        "Score__c": "0.5",
        "Big__c": "1000000000000000000000",
        "Fax": "",
        "Tags": "",
        "Meta": "",
    }


def test_empty_answer_stays_empty() -> None:
    assert flatten({}) == {}


def test_size_limit_is_connects_32_kb() -> None:
    check_size({"Description": "x" * 32_000})
    with pytest.raises(ResponseTooLargeError, match="select fewer fields"):
        check_size({"Description": "x" * 32_800})
    with pytest.raises(ResponseTooLargeError):
        check_size({"Description": "あ" * 11_000})  # 3 bytes each in UTF-8


def test_all_records_are_indexed_with_counts() -> None:
    body = {
        "totalSize": 2,
        "records": [{"attributes": {"type": "Case"}, "Subject": "a"}, {"Subject": "b", "Owner": {"Name": "c"}}],
    }
    assert flatten_records(body) == {
        "records.0.Subject": "a",
        "records.1.Subject": "b",
        "records.1.Owner.Name": "c",
        "totalSize": "2",
        "returnedSize": "2",
        "truncated": "false",
    }


def test_all_records_keep_only_whole_records_under_the_limit() -> None:
    records = [{"Description": "x" * 1000, "Id": f"{i:03d}"} for i in range(100)]
    result = flatten_records({"totalSize": 100, "records": records})
    returned = int(result["returnedSize"])
    assert 0 < returned < 100
    assert result["truncated"] == "true"
    assert all(f"records.{i}.Id" in result for i in range(returned))
    assert f"records.{returned}.Description" not in result
    assert len(json.dumps(result).encode()) < 32_768
    check_size(result)


def test_all_records_report_more_matches_than_salesforce_returned() -> None:
    result = flatten_records({"totalSize": 5000, "records": [{"Id": "1"}]})
    assert (result["totalSize"], result["returnedSize"], result["truncated"]) == ("5000", "1", "true")
