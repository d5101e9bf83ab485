"""Small pure pieces: limit header parsing, the failure shape, the time budget, the method table."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.invoker.conftest import FakeContext, FunctionContainer


@pytest.mark.parametrize(
    "header, expected",
    [
        ("api-usage=25/15000", (25, 15000)),
        ("api-usage=25/15000, per-app-api-usage=17/250(appName=sample-app)", (25, 15000)),
        (" api-usage = 3 / 5 ", (3, 5)),
        (None, None),
        ("", None),
        ("api-usage=", None),
        ("api-usage=abc/def", None),
        ("per-app-api-usage=1/2", None),
        ("garbage", None),
    ],
)
def test_parse_limit_info(container: FunctionContainer, header: str | None, expected: Any) -> None:
    assert container.module("stats").parse_limit_info(header) == expected


def test_failure_shape(container: FunctionContainer) -> None:
    errors = container.module("errors")
    error = errors.SalesforceApiError("nope", error_code="X", status=418, status_text="Teapot")
    assert error.failure == {
        "success": False,
        "status": 418,
        "statusText": "Teapot",
        "errorCode": "X",
        "errorMessage": "nope",
    }
    assert json.loads(str(error)) == error.failure
    assert isinstance(errors.BadRequestError("x"), errors.InvokerError)
    assert errors.BadRequestError("x").failure["status"] == 400
    assert errors.ConfigurationError("x").failure["status"] == 500


@pytest.mark.parametrize(
    "body, code, message",
    [
        ([{"errorCode": "INVALID_FIELD", "message": "No such column"}], "INVALID_FIELD", "No such column"),
        (
            {"error": "invalid_grant", "error_description": "audience is invalid"},
            "invalid_grant",
            "audience is invalid",
        ),
        ({"errorCode": "X", "message": "y"}, "X", "y"),
        (None, "HTTP_500", "Salesforce answered 500"),
        ([], "HTTP_500", "Salesforce answered 500"),
    ],
)
def test_salesforce_error_bodies(container: FunctionContainer, body: Any, code: str, message: str) -> None:
    error = container.module("errors").salesforce_error(500, "Server Error", body, "Salesforce GET query")
    assert error.error_code == code
    assert error.error_message.startswith(message)


def test_budget(container: FunctionContainer) -> None:
    transport = container.module("transport")
    budget = transport.Budget(FakeContext(2000))
    connect, read = budget.timeouts("x")
    assert 1.4 < read <= 1.6
    assert connect <= read
    assert budget.allows(1.0)
    assert not budget.allows(1.5)
    with pytest.raises(container.module("errors").SalesforceApiError, match="not enough time left"):
        transport.Budget(FakeContext(600)).timeouts("x")


def test_method_table(container: FunctionContainer) -> None:
    methods = container.modules["scv_invoker.methods"].METHODS
    assert set(methods) == {
        "createRecord",
        "updateRecord",
        "deleteRecord",
        "upsertRecord",
        "composite",
        "queryRecord",
        "searchRecord",
        "uploadTranscript",
        "fetchUploadIdsStatus",
        "realtimeAlertEvent",
        "SFSPhoneCallFlowQuery",
        "fetchOutboundPhoneNumber",
        "fetchAgentPhoneNumber",
        "fetchDefaultVoicemailGreetingUrl",
    }
    assert all(name == method.name for name, method in methods.items())


def test_an_invocation_gets_an_unhurried_deadline_unless_the_test_sets_one(container: FunctionContainer) -> None:
    seen: list[int] = []

    def remember_the_deadline(event: Any, context: Any) -> dict[str, str]:
        seen.append(context.get_remaining_time_in_millis())
        return {}

    container.handler_module.lambda_handler = remember_the_deadline
    container.invoke({})
    container.invoke({}, budget_ms=8000)
    assert seen[0] > 60_000
    assert 0 < seen[1] <= 8000


def test_ttl_cache_answers_until_expiry_and_force_reads_again(container: FunctionContainer) -> None:
    """The one cache of the invoker (secrets, org settings): memory until the TTL, a load after it or on force."""
    now = [0.0]
    cache = container.module("ttl_cache").TtlCache(10.0, clock=lambda: now[0])
    loads: list[str] = []

    def load() -> str:
        loads.append("read")
        return f"value {len(loads)}"

    assert cache.get_or_load("k", load) == ("value 1", False)
    now[0] = 9.9
    assert cache.get_or_load("k", load) == ("value 1", True)
    assert cache.get_or_load("k", load, force=True) == ("value 2", False)
    now[0] = 20.0  # 10.1 s after the forced read
    assert cache.get("k") is None
    assert cache.get_or_load("k", load) == ("value 3", False)
    assert len(loads) == 3
