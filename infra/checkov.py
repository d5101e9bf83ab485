"""checkov's accepted findings, written on the resource they are about, each with its reason.

checkov reads ``Metadata.checkov.skip`` (``[{id, comment}]``) on a CloudFormation resource; this is the
only code that writes it, so a skip is as visible and reviewed as a cdk-nag acknowledgment. The reasons
shared by several resources live here, once.
"""

from __future__ import annotations

from aws_cdk import CfnResource
from constructs import IConstruct

#: Lambda functions of this app
NO_VPC = (
    "CKV_AWS_117",
    "No VPC: the functions reach only Salesforce (TLS, over the internet) and AWS APIs, and no resource of the "
    "stack lives in a VPC; a VPC would add NAT cost and cold-start time without protecting anything",
)
ENVIRONMENT_HOLDS_NO_SECRET = (
    "CKV_AWS_173",
    "The environment holds names, ARNs and endpoints only (secrets stay in Secrets Manager); Lambda encrypts it "
    "at rest with its AWS managed key",
)
LOGS_HOLD_NO_SECRET = (
    "CKV_AWS_158",
    "CloudWatch Logs encrypts every log group at rest; these logs hold names, codes and timings only (no secret, "
    "no parameter value, Salesforce's error text redacted), so a customer managed key would add cost and no "
    "protection",
)


def skip(construct: IConstruct, check_id: str, reason: str) -> None:
    """Record that ``check_id`` does not apply to the construct's CloudFormation resource, and why."""
    resource = construct if isinstance(construct, CfnResource) else construct.node.default_child
    assert isinstance(resource, CfnResource), f"{construct.node.path} has no CloudFormation resource"
    metadata = resource.get_metadata("checkov") or {}
    skips = [entry for entry in metadata.get("skip", []) if entry["id"] != check_id]
    resource.add_metadata("checkov", {**metadata, "skip": [*skips, {"id": check_id, "comment": reason}]})
