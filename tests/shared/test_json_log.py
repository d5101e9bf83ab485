"""scv_shared.json_log: the one line format of every function, the standard logging module with a JSON formatter."""

from __future__ import annotations

import io
import json
import logging
from typing import Any

import pytest
from scv_shared.json_log import Logger


def lines(output: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.splitlines()]


def log_from_a_function(logger: Logger) -> None:
    logger.info("from a function", extra={"count": 3})


def test_a_line_has_the_fixed_keys_then_the_appended_keys_then_extra(capsys: pytest.CaptureFixture[str]) -> None:
    logger = Logger("json-log-test-keys")
    logger.append_keys(request_id="r-1", contact_id=None, method="queryRecord")
    log_from_a_function(logger)
    [line] = lines(capsys.readouterr().out)
    assert list(line)[:5] == ["level", "location", "message", "timestamp", "service"]
    assert line["level"] == "INFO" and line["message"] == "from a function" and line["service"] == "json-log-test-keys"
    assert line["location"] == f"log_from_a_function:{log_from_a_function.__code__.co_firstlineno + 1}"
    assert list(line)[5:] == ["request_id", "method", "count"]  # a key whose value is None is left out


def test_a_compact_line_has_the_level_the_message_and_extra_alone(capsys: pytest.CaptureFixture[str]) -> None:
    logger = Logger("json-log-test-compact")
    logger.append_keys(request_id="r-1", method="queryRecord")
    logger.info("from a function", extra={"count": 3, "none": None}, compact=True)
    [line] = lines(capsys.readouterr().out)
    assert line == {"level": "INFO", "message": "from a function", "count": 3}


def test_a_record_is_written_whatever_the_level(capsys: pytest.CaptureFixture[str]) -> None:
    """A metrics record is no diagnostic: LOG_LEVEL=ERROR keeps the alarms' figures."""
    logger = Logger("json-log-test-record", level="ERROR")
    logger.info("dropped")
    logger.record({"message": "metrics", "_aws": {"Timestamp": 1}, "Invocations": [1, 1]})
    assert lines(capsys.readouterr().out) == [{"message": "metrics", "_aws": {"Timestamp": 1}, "Invocations": [1, 1]}]


def test_the_lines_go_through_the_standard_logging_module(capsys: pytest.CaptureFixture[str]) -> None:
    """A handler an operator adds to ``logging.getLogger(service)`` sees the records, with their fields."""
    seen: list[logging.LogRecord] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record)

    logger = Logger("json-log-test-stdlib")
    logging.getLogger("json-log-test-stdlib").addHandler(Collect())
    logger.warning("seen", extra={"count": 1})
    assert [(record.getMessage(), getattr(record, "fields", None)) for record in seen] == [("seen", {"count": 1})]
    assert lines(capsys.readouterr().out)[0]["count"] == 1


def test_cleared_keys_leave_the_next_line(capsys: pytest.CaptureFixture[str]) -> None:
    logger = Logger("json-log-test-clear")
    logger.append_keys(contact_id="c-1", org="default")
    logger.warning("during the invocation")
    logger.clear_keys()
    logger.warning("after the invocation")
    during, after = lines(capsys.readouterr().out)
    assert during["contact_id"] == "c-1" and during["org"] == "default"
    assert "contact_id" not in after and "org" not in after


def test_the_stdlib_logger_of_the_same_name_holds_the_level(capsys: pytest.CaptureFixture[str]) -> None:
    """What the benchmarks and an operator's debugging session rely on: logging.getLogger(service).setLevel."""
    logger = Logger("json-log-test-level", level="WARNING")
    logger.info("dropped")
    logger.debug("dropped")
    logging.getLogger("json-log-test-level").setLevel(logging.DEBUG)
    logger.debug("kept")
    logger.set_level("ERROR")
    logger.warning("dropped")
    logger.error("kept too")
    assert [line["message"] for line in lines(capsys.readouterr().out)] == ["kept", "kept too"]


def test_the_trace_id_is_the_root_of_lambdas_trace_header(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("_X_AMZN_TRACE_ID", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1")
    Logger("json-log-test-trace").info("traced")
    [line] = lines(capsys.readouterr().out)
    assert line["xray_trace_id"] == "1-5759e988-bd862e3fe1be46a994272793"


def test_a_value_json_cannot_encode_is_written_as_text(capsys: pytest.CaptureFixture[str]) -> None:
    Logger("json-log-test-default").info("odd value", extra={"where": frozenset({"a"})})
    [line] = lines(capsys.readouterr().out)
    assert line["where"] == "frozenset({'a'})"


def test_a_stdout_that_fails_never_fails_the_caller(monkeypatch: pytest.MonkeyPatch) -> None:
    class ClosedStdout(io.StringIO):
        def write(self, _text: str) -> int:
            raise ValueError("I/O operation on closed file")

    errors = io.StringIO()
    monkeypatch.setattr("sys.stdout", ClosedStdout())
    monkeypatch.setattr("sys.stderr", errors)
    Logger("json-log-test-closed").error("lost line")
    assert "json-log-test-closed: a log line could not be written" in errors.getvalue()


def test_a_line_that_cannot_be_encoded_never_fails_the_caller(capsys: pytest.CaptureFixture[str]) -> None:
    loop: list[Any] = []
    loop.append(loop)
    Logger("json-log-test-unencodable").info("odd extra", extra={"loop": loop})
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "json-log-test-unencodable: a log line could not be written: ValueError" in captured.err
