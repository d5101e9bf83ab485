"""Amazon Connect's API for one instance over loopback HTTP: the calls scvctl's ``preflight`` and ``flows`` make.

moto does not implement ListLambdaFunctions, ListContactFlows, DescribeContactFlow or UpdateContactFlowContent
(the unit tests answer them with botocore's Stubber). `make try` needs them served, so that ``scvctl preflight``
and ``scvctl flows`` reach a stand-in through ``AWS_ENDPOINT_URL_CONNECT`` as they reach Connect: the
instance's Lambda associations, and its contact flows with their content and tags. The answers follow
Connect's REST-JSON shapes (botocore's model); any other call or instance is answered as Connect answers an
unknown one.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from tools.emulators._aws_api import AwsApiStandIn


@dataclass
class ContactFlow:
    """One published flow of the instance, as DescribeContactFlow returns it."""

    id: str
    name: str
    content: str
    type: str = "CONTACT_FLOW"
    tags: dict[str, str] = field(default_factory=dict)


_ROUTES = Map(
    [
        Rule("/instance/<instance_id>/lambda-functions", methods=["GET"], endpoint="list_lambda_functions"),
        Rule("/contact-flows-summary/<instance_id>", methods=["GET"], endpoint="list_contact_flows"),
        Rule("/contact-flows/<instance_id>/<flow_id>", methods=["GET"], endpoint="describe_contact_flow"),
        Rule("/contact-flows/<instance_id>/<flow_id>/content", methods=["POST"], endpoint="update_content"),
    ]
)


class ConnectEmulator(AwsApiStandIn):
    """One Connect instance: the Lambda functions associated with it and its flows (updates are kept)."""

    endpoint_variable = "AWS_ENDPOINT_URL_CONNECT"

    def __init__(self, instance_arn: str, *, lambda_functions: Iterable[str], flows: Iterable[ContactFlow]) -> None:
        self.instance_arn = instance_arn
        self.instance_id = instance_arn.rsplit("/", 1)[1]
        self.lambda_functions = list(lambda_functions)
        self.flows = {flow.id: flow for flow in flows}
        self._lock = threading.Lock()
        super().__init__()

    def _answer(self, request: Request) -> Response:
        adapter = _ROUTES.bind_to_environ(request.environ)
        try:
            endpoint, arguments = adapter.match()
        except HTTPException:  # no route: a call this stand-in does not serve
            return _error(400, "UnknownOperationException", f"{request.method} {request.path} is not emulated")
        if arguments["instance_id"] not in (self.instance_id, self.instance_arn):
            return _error(404, "ResourceNotFoundException", f"Instance not found: {arguments['instance_id']}")
        with self._lock:
            return getattr(self, f"_{endpoint}")(request, arguments.get("flow_id"))

    def _list_lambda_functions(self, request: Request, _: None) -> Response:
        return _json({"LambdaFunctions": self.lambda_functions})

    def _list_contact_flows(self, request: Request, _: None) -> Response:
        summaries = [
            {
                "Id": flow.id,
                "Arn": self._flow_arn(flow),
                "Name": flow.name,
                "ContactFlowType": flow.type,
                "ContactFlowState": "ACTIVE",
                "ContactFlowStatus": "PUBLISHED",
            }
            for flow in self.flows.values()
        ]
        return _json({"ContactFlowSummaryList": summaries})

    def _describe_contact_flow(self, request: Request, flow_id: str) -> Response:
        # ":$SAVED" asks for the saved version; these flows have no unpublished draft, so it is the published one
        flow = self.flows.get(flow_id.removesuffix(":$SAVED"))
        if flow is None:
            return _error(404, "ResourceNotFoundException", f"Contact flow not found: {flow_id}")
        return _json(
            {
                "ContactFlow": {
                    "Arn": self._flow_arn(flow),
                    "Id": flow.id,
                    "Name": flow.name,
                    "Type": flow.type,
                    "State": "ACTIVE",
                    "Status": "PUBLISHED",
                    "Content": flow.content,
                    "Tags": flow.tags,
                }
            }
        )

    def _update_content(self, request: Request, flow_id: str) -> Response:
        flow = self.flows.get(flow_id)
        if flow is None:
            return _error(404, "ResourceNotFoundException", f"Contact flow not found: {flow_id}")
        flow.content = json.loads(request.get_data() or b"{}")["Content"]
        return _json({})

    def _flow_arn(self, flow: ContactFlow) -> str:
        return f"{self.instance_arn}/contact-flow/{flow.id}"


def _json(document: dict[str, Any]) -> Response:
    return Response(json.dumps(document), status=200, content_type="application/json")


def _error(status: int, code: str, message: str) -> Response:
    return Response(
        json.dumps({"Message": message}), status=status, content_type="application/json",
        headers={"X-Amzn-ErrorType": code},
    )  # fmt: skip
