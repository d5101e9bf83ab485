"""What an AWS account already holds for one contact center, read before anything is deployed into it.

Accounts where Service Cloud Voice provisioned the contact center already have its function
``${cc}-InvokeSalesforceRestApiFunction``, the secrets ``${cc}-salesforce-secret`` and
``${cc}-salesforce-access-secret``, the function's log group and its association with the Connect instance.
:func:`survey` reads each of them with the operator's own credentials (read calls only) and records what
``scvctl preflight`` judges: whether it exists, which CloudFormation stack made it (the
``aws:cloudformation:stack-name`` tag every stack puts on its resources), a function's runtime and aliases,
a secret's KMS key and JSON key names, and the KMS key of an adopted alarm topic. Secret values are read only to
list their keys and are never kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import boto3
from botocore.exceptions import ClientError
from scv_salesforce.constants import BESIDE_FUNCTION_NAME_SUFFIX
from scv_shared.secret_format import access_secret_name, main_secret_name, parse_secret_document
from scv_shared.secrets_manager_errors import ACCESS_DENIED_CODES, error_code

from scvctl import aws

#: the tag CloudFormation puts on every resource it creates, naming the stack
STACK_NAME_TAG = "aws:cloudformation:stack-name"
#: a stack in these states has no resources of its own left (a failed first deploy rolled back, or a deletion)
_GONE_STACK_STATUSES = ("ROLLBACK_COMPLETE", "DELETE_IN_PROGRESS", "DELETE_COMPLETE", "DELETE_FAILED")
_NOT_FOUND = ("ResourceNotFoundException",)
#: SNS's AWS managed key: its key policy cannot be edited to let CloudWatch alarms use it
SNS_MANAGED_KEY_ALIAS = "alias/aws/sns"


@dataclass(frozen=True)
class Stack:
    name: str
    #: None: no such stack
    status: str | None = None
    outputs: tuple[tuple[str, str], ...] = ()

    @property
    def live(self) -> bool:
        """Whether the stack exists and still holds its resources (what it tagged is really its own)."""
        return self.status is not None and self.status not in _GONE_STACK_STATUSES

    def output(self, key: str) -> str | None:
        return dict(self.outputs).get(key)


@dataclass(frozen=True)
class Function:
    name: str
    arn: str | None = None
    runtime: str | None = None
    stack: str | None = None
    aliases: tuple[str, ...] = ()

    @property
    def exists(self) -> bool:
        return self.arn is not None


@dataclass(frozen=True)
class Secret:
    name: str
    arn: str | None = None
    stack: str | None = None
    #: the customer KMS key's ARN; None: the account's AWS managed key aws/secretsmanager
    customer_kms_key_arn: str | None = None
    #: the JSON key names of the current value (None: no value, or not a JSON object)
    keys: tuple[str, ...] | None = None
    scheduled_for_deletion: bool = False
    #: the identity may describe the secret but not read its value (a deploy pipeline's role): no key names
    keys_unreadable: bool = False

    @property
    def exists(self) -> bool:
        return self.arn is not None


@dataclass(frozen=True)
class LogGroup:
    name: str
    exists: bool = False
    stack: str | None = None


@dataclass(frozen=True)
class ConnectInstance:
    instance_id: str
    #: None: no such instance in this account and region
    associated_functions: tuple[str, ...] | None = None


@dataclass(frozen=True)
class AlarmTopic:
    """The config's ``alarm_topic_arn``: a topic the stack's alarms notify but do not make."""

    arn: str
    exists: bool = False
    #: the topic's KmsMasterKeyId as SNS reports it (None: not encrypted)
    kms_key: str | None = None
    #: encrypted with SNS's AWS managed key, so CloudWatch alarms cannot publish to it
    aws_managed_key: bool = False


@dataclass(frozen=True)
class Survey:
    """Everything :func:`survey` found, looked up by name."""

    account: str
    region: str
    stack: Stack
    functions: tuple[Function, ...]
    secrets: tuple[Secret, ...]
    log_groups: tuple[LogGroup, ...]
    connect: ConnectInstance | None
    #: None: the config names no alarm topic to adopt
    alarm_topic: AlarmTopic | None = None

    def function(self, name: str) -> Function:
        return next(function for function in self.functions if function.name == name)

    def secret(self, name: str) -> Secret:
        return next(secret for secret in self.secrets if secret.name == name)

    def log_group(self, name: str) -> LogGroup:
        return next(group for group in self.log_groups if group.name == name)

    def owned_by_our_stack(self, stack: str | None) -> bool:
        """A resource tagged with our stack's name while that stack is live is ours (not left over)."""
        return stack == self.stack.name and self.stack.live


def secret_names(contact_center: Any) -> list[str]:
    """The contact center's secret pair, then each further org's (``scv_shared.secret_format`` names them)."""
    names = []
    for org in [None, *(org.name for org in contact_center.orgs)]:
        names += [main_secret_name(contact_center.name, org), access_secret_name(contact_center.name, org)]
    return names


def survey(session: boto3.Session, contact_center: Any) -> Survey:
    """Read the account; AWS errors other than "not found" propagate (the caller says what they mean)."""
    account = aws.read_client(session, "sts").get_caller_identity()["Account"]
    # every name a mode could give the function, so each mode can be judged from one survey
    beside_default = f"{contact_center.name}{BESIDE_FUNCTION_NAME_SUFFIX}"
    function_names = dict.fromkeys([contact_center.scv_function_name, contact_center.function_name, beside_default])
    log_group_names = dict.fromkeys(f"/aws/lambda/{name}" for name in function_names)
    lambda_ = aws.read_client(session, "lambda")
    secrets = aws.read_client(session, "secretsmanager")
    kms = aws.read_client(session, "kms")
    logs = aws.read_client(session, "logs")
    instance_arn = contact_center.connect_instance_arn
    topic_arn = contact_center.monitoring.alarm_topic_arn
    return Survey(
        account=account,
        region=session.region_name,
        stack=_stack(aws.read_client(session, "cloudformation"), contact_center.stack_name),
        functions=tuple(_function(lambda_, name) for name in function_names),
        secrets=tuple(_secret(secrets, kms, name) for name in secret_names(contact_center)),
        log_groups=tuple(_log_group(logs, name) for name in log_group_names),
        connect=_connect(aws.connect_client(session), instance_arn.rsplit("/", 1)[1]) if instance_arn else None,
        alarm_topic=_alarm_topic(aws.read_client(session, "sns"), topic_arn) if topic_arn else None,
    )


def _stack(cloudformation: Any, name: str) -> Stack:
    try:
        stacks = cloudformation.describe_stacks(StackName=name)["Stacks"]
    except ClientError as error:
        if error_code(error) == "ValidationError" and "does not exist" in str(error):
            return Stack(name)
        raise
    found = stacks[0]
    outputs = tuple((output["OutputKey"], output["OutputValue"]) for output in found.get("Outputs", []))
    return Stack(name, found["StackStatus"], outputs)


def _function(lambda_: Any, name: str) -> Function:
    try:
        answer = lambda_.get_function(FunctionName=name)
    except ClientError as error:
        if error_code(error) in _NOT_FOUND:
            return Function(name)
        raise
    configuration = answer["Configuration"]
    aliases = lambda_.get_paginator("list_aliases").paginate(FunctionName=name)
    return Function(
        name,
        arn=configuration["FunctionArn"],
        runtime=configuration.get("Runtime") or configuration.get("PackageType"),
        stack=(answer.get("Tags") or {}).get(STACK_NAME_TAG),
        aliases=tuple(alias["Name"] for page in aliases for alias in page["Aliases"]),
    )


def _secret(secrets: Any, kms: Any, name: str) -> Secret:
    try:
        described = secrets.describe_secret(SecretId=name)
    except ClientError as error:
        if error_code(error) in _NOT_FOUND:
            return Secret(name)
        raise
    tags = {tag["Key"]: tag["Value"] for tag in described.get("Tags", [])}
    deleted = "DeletedDate" in described
    key_id = described.get("KmsKeyId")
    customer_key = None
    if key_id:
        metadata = kms.describe_key(KeyId=key_id)["KeyMetadata"]
        customer_key = metadata["Arn"] if metadata.get("KeyManager") == "CUSTOMER" else None
    return Secret(
        name,
        arn=described["ARN"],
        stack=tags.get(STACK_NAME_TAG),
        customer_kms_key_arn=customer_key,
        scheduled_for_deletion=deleted,
        **({} if deleted else _key_names(secrets, name)),
    )


def _key_names(secrets: Any, name: str) -> dict[str, Any]:
    """The current value's JSON key names (``keys``), or that they may not be read; the value itself goes out of
    scope here. Nothing preflight judges depends on them: they are for the administrator to see."""
    try:
        value = secrets.get_secret_value(SecretId=name).get("SecretString")
    except ClientError as error:
        if error_code(error) in _NOT_FOUND:  # a secret created without a value
            return {"keys": None}
        if error_code(error) in ACCESS_DENIED_CODES:  # describing it was allowed
            return {"keys": None, "keys_unreadable": True}
        raise
    try:
        return {"keys": tuple(parse_secret_document(name, value))}
    except ValueError:
        return {"keys": None}


def _log_group(logs: Any, name: str) -> LogGroup:
    groups = logs.get_paginator("describe_log_groups").paginate(logGroupNamePrefix=name)
    for page in groups:
        for group in page["logGroups"]:
            if group["logGroupName"] == name:
                tags = logs.list_tags_log_group(logGroupName=name).get("tags", {})
                return LogGroup(name, True, tags.get(STACK_NAME_TAG))
    return LogGroup(name)


def _connect(connect: Any, instance_id: str) -> ConnectInstance:
    try:
        pages = connect.get_paginator("list_lambda_functions").paginate(InstanceId=instance_id)
        functions = tuple(arn for page in pages for arn in page.get("LambdaFunctions", []))
    except ClientError as error:
        if error_code(error) in _NOT_FOUND:
            return ConnectInstance(instance_id)
        raise
    return ConnectInstance(instance_id, functions)


def _alarm_topic(sns: Any, arn: str) -> AlarmTopic:
    try:
        attributes = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    except ClientError as error:
        if error_code(error) in ("NotFound", "NotFoundException"):
            return AlarmTopic(arn)
        raise
    key_id = attributes.get("KmsMasterKeyId")
    # SNS reports the key as it was set: the alias, or its ARN (arn:...:alias/aws/sns)
    aws_managed = bool(key_id) and key_id.endswith(SNS_MANAGED_KEY_ALIAS)
    return AlarmTopic(arn, exists=True, kms_key=key_id, aws_managed_key=aws_managed)
