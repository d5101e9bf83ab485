"""Entry point of ``${cc}-InvokeSalesforceRestApiFunction``: ``scv_invoker.handler.lambda_handler``.

One invocation: check the event, run the method from the METHODS table, return a flat string map
(what Connect stores as contact attributes) to a contact flow, or the Node.js function's own answer
shape to another Lambda function (an event without Connect's envelope). A failure raises an
InvokerError whose message is the JSON failure object, so the flow takes its error branch. Every
invocation writes exactly one summary log line: a compact one on success (INFO: the contact, the method,
Salesforce's status and API usage, the duration), every field on failure (ERROR) or at DEBUG; names and codes
only, never values or secrets. A failure's line carries its metrics (Embedded Metric Format); a success's are
collected in the container and written once a minute (invoker/metrics.py), and on SIGTERM (invoker/shutdown.py).
"""

from __future__ import annotations

import logging
import time
import traceback
from typing import Any

from scv_shared import telemetry

from scv_invoker import metrics, output, shutdown
from scv_invoker.container import Container
from scv_invoker.errors import InvokerError, SalesforceApiError
from scv_invoker.log import logger
from scv_invoker.methods import MethodCall
from scv_invoker.metrics import MetricsIdentity
from scv_invoker.orgs import select_org
from scv_invoker.request import identify, parse_event
from scv_invoker.salesforce import InvocationSalesforceClient
from scv_invoker.settings import summary_identity
from scv_invoker.stats import InvocationStats
from scv_invoker.transport import Budget

_container: Container | None = None


def _get_container() -> Container:
    """This container's state, started on first use."""
    global _container
    if _container is None:
        _container = Container.start()
        shutdown.on_sigterm(flush_metrics)
    return _container


def flush_metrics() -> None:
    """Write the metrics of the successful calls not written yet: Lambda is about to end this container."""
    if _container is not None:
        _write(_container.metrics.flush())


def _write(records: list[dict[str, Any]]) -> None:
    for record in records:
        logger.record(record)


def lambda_handler(event: Any, context: Any) -> Any:
    started = time.perf_counter()
    contact_id, parameter_names = identify(event)
    stats = InvocationStats(contact_id=contact_id, parameters=parameter_names)
    cold_start = _container is None
    logger.append_keys(
        request_id=getattr(context, "aws_request_id", None), contact_id=stats.contact_id, cold_start=cold_start
    )
    try:
        result = _invoke(event, context, stats)
    except InvokerError as error:
        stats.error_code = error.error_code
        _summary(stats, started, cold_start=cold_start, failure=error.failure)
        raise
    except Exception as error:
        # A bug, not a condition we know: report it in the same shape, with the traceback in the log.
        failure = InvokerError(
            f"unexpected {type(error).__name__} in the invoker; see the function's log for the traceback",
            error_code="INTERNAL_ERROR",
        )
        stats.error_code = failure.error_code
        logger.error("unexpected error", extra={"errorType": type(error).__name__, "where": _where(error)})
        _summary(stats, started, cold_start=cold_start, failure=failure.failure)
        raise failure from None
    _summary(stats, started, cold_start=cold_start)
    return result


def _invoke(event: Any, context: Any, stats: InvocationStats) -> Any:
    request = parse_event(event)
    stats.method = request.method.name
    logger.append_keys(method=stats.method)
    container = _get_container()
    # before any Secrets Manager call: a flow naming an undeclared secret costs nothing
    org = container.org(select_org(container.settings, request.parameters, request.contact_data))
    stats.org = org.settings.org
    logger.append_keys(org=stats.org)
    invocation = MethodCall(
        parameters=request.parameters,
        contact_data=request.contact_data,
        salesforce=InvocationSalesforceClient(org.salesforce, Budget(context), stats),
        settings=org.settings,
        memory=org.memory,
        stats=stats,
        checked=request.checked,
    )
    answer = request.method.run(invocation)
    if not request.from_contact_flow:
        # another Lambda function (no Connect envelope): the Node.js function's shapes, JSON types kept
        return output.flatten_typed(answer) if request.method.native_flat else output.native(answer)
    flat = output.flatten(answer)
    try:
        output.check_size(flat)
    except output.ResponseTooLargeError as error:
        raise SalesforceApiError(
            str(error),  # its message already says how to make the answer smaller
            error_code="RESPONSE_TOO_LARGE",
            status=502,
            status_text="Bad Gateway",
        ) from None
    return flat


def _where(error: BaseException) -> list[str]:
    """The traceback's frames (file, line, function) without the exception's text, which may quote a value."""
    return [
        f"{'/'.join(frame.filename.split('/')[-2:])}:{frame.lineno} {frame.name}"
        for frame in traceback.extract_tb(error.__traceback__)
    ]


def _summary(
    stats: InvocationStats, started: float, *, cold_start: bool, failure: dict[str, Any] | None = None
) -> None:
    """The invocation's one summary line. A success's at INFO is compact (CloudWatch Logs bills every byte of a
    line written at every call) and its metrics join the container's minute; at DEBUG, and on a failure, the line
    has every field and the invocation's appended keys, and a failure's carries its metrics."""
    stats.duration_ms = (time.perf_counter() - started) * 1000
    try:
        if _container is not None:
            _write(_container.metrics.due())
        if failure is not None:
            emf = metrics.failure_record(stats, _metrics_identity())
            logger.error(telemetry.FAILED_MESSAGE, extra={**stats.as_log_fields(), **emf, "failure": failure})
            return
        if logger.isEnabledFor(logging.DEBUG):
            logger.info(telemetry.SUCCEEDED_MESSAGE, extra=stats.as_log_fields())
        else:
            fields = stats.success_log_fields(cold_start=cold_start)
            logger.info(telemetry.SUCCEEDED_MESSAGE, extra=fields, compact=True)
        assert _container is not None  # a call succeeds only in a started container
        _write(_container.metrics.add(stats))
    finally:
        logger.clear_keys()


def _metrics_identity() -> MetricsIdentity:
    """The container's, or what the environment names when the settings are invalid: the failure is still counted
    under the contact center."""
    if _container is not None:
        return _container.metrics.identity
    contact_center, namespace = summary_identity()
    return MetricsIdentity(contact_center, namespace, per_org=False)
