"""One way to make a Python function of this app: its own log group, a role that may write only there,
the pinned runtime, and its package bundled without Docker.

The invoker, the seeder and the certificate check all need exactly this; each construct then grants its
role what its job needs (secrets.grant_*), so the differences between the functions stay visible there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aws_cdk import Acknowledgment, ArnFormat, Duration, RemovalPolicy, Stack, Token, Validations
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from . import checkov
from .bundling import python_function_code
from .constants import PYTHON_VERSION


@dataclass(frozen=True)
class PythonFunction:
    function: lambda_.Function
    role: iam.Role
    log_group: logs.ILogGroup


#: the config's ``architecture`` -> CDK's (infra/bundling.py's WHEEL_PLATFORMS holds the wheels of each)
ARCHITECTURES = {"x86_64": lambda_.Architecture.X86_64, "arm64": lambda_.Architecture.ARM_64}


def python_runtime() -> lambda_.Runtime:
    """CDK's own Runtime object for the pinned version (it knows which features, e.g. SnapStart, it supports)."""
    runtime = getattr(lambda_.Runtime, f"PYTHON_{PYTHON_VERSION.replace('.', '_')}")
    assert isinstance(runtime, lambda_.Runtime)
    return runtime


def retained_days_log_group(
    scope: Construct, construct_id: str, *, days: int, name: str | None = None
) -> logs.LogGroup:
    """A log group with the configured retention (the config accepts exactly CloudWatch Logs' periods)."""
    log_group = logs.LogGroup(scope, construct_id, log_group_name=name, removal_policy=RemovalPolicy.DESTROY)
    cfn_log_group = log_group.node.default_child
    assert isinstance(cfn_log_group, logs.CfnLogGroup)
    cfn_log_group.retention_in_days = days
    checkov.skip(log_group, *checkov.LOGS_HOLD_NO_SECRET)
    return log_group


def python_function(
    scope: Construct,
    *,
    id_prefix: str = "",
    package: str,
    handler: str,
    description: str,
    role_description: str,
    timeout_seconds: int,
    memory_size: int,
    log_retention_days: int,
    architecture: str,
    log_group_name: str | None = None,
    adopt_log_group: bool = False,
    **function_props: Any,
) -> PythonFunction:
    """``<prefix>LogGroup``, ``<prefix>Role`` and ``<prefix>Function`` in ``scope``.

    ``architecture``: ``x86_64`` or ``arm64``, the function's and its bundle's wheels'.
    ``adopt_log_group``: ``log_group_name`` exists already (Lambda made it on an earlier function's first
    call, or a failed deploy left it): it is used as it is, with its own retention, instead of created.
    """
    if adopt_log_group:
        assert log_group_name, "only a named log group can be adopted"
        log_group: logs.ILogGroup = logs.LogGroup.from_log_group_name(scope, f"{id_prefix}LogGroup", log_group_name)
        log_group_arn = Stack.of(scope).format_arn(
            service="logs",
            resource="log-group",
            resource_name=log_group_name,
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        stack = Stack.of(scope)
        # how cdk-nag spells the ARN: literal where the stack's environment is, else the pseudo parameter
        region = "<AWS::Region>" if Token.is_unresolved(stack.region) else stack.region
        account = "<AWS::AccountId>" if Token.is_unresolved(stack.account) else stack.account
        stream_pattern = f"Resource::arn:<AWS::Partition>:logs:{region}:{account}:log-group:{log_group_name}"
    else:
        log_group = retained_days_log_group(scope, f"{id_prefix}LogGroup", days=log_retention_days, name=log_group_name)
        log_group_arn = log_group.log_group_arn
        log_group_id = Stack.of(scope).get_logical_id(log_group.node.default_child)  # type: ignore[arg-type]
        stream_pattern = f"Resource::<{log_group_id}.Arn>"
    role = iam.Role(
        scope,
        f"{id_prefix}Role",
        assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
        description=role_description,
    )
    role.add_to_policy(
        iam.PolicyStatement(
            sid="WriteOwnLogs",
            actions=["logs:CreateLogStream", "logs:PutLogEvents"],
            resources=[log_group_arn, f"{log_group_arn}:log-stream:*"],
        )
    )
    Validations.of(role).acknowledge(
        Acknowledgment(
            id=f"AwsSolutions-IAM5[{stream_pattern}:log-stream:*]",
            reason="Lambda names its log streams at run time; the wildcard covers only streams of this "
            "function's own log group",
        )
    )
    function = lambda_.Function(
        scope,
        f"{id_prefix}Function",
        description=description,
        runtime=python_runtime(),
        architecture=ARCHITECTURES[architecture],
        handler=handler,
        code=python_function_code(package, architecture=architecture),
        timeout=Duration.seconds(timeout_seconds),
        memory_size=memory_size,
        role=role,
        log_group=log_group,
        **function_props,
    )
    Validations.of(function).acknowledge(
        Acknowledgment(
            id="AwsSolutions-L1",
            reason=f"python{PYTHON_VERSION} is pinned: the bundle's wheels are built for "
            f"cp{PYTHON_VERSION.replace('.', '')} and the tests run exactly that bundle; a runtime upgrade is a "
            "deliberate change with its own test run",
        )
    )
    checkov.skip(function, *checkov.NO_VPC)
    checkov.skip(function, *checkov.ENVIRONMENT_HOLDS_NO_SECRET)
    return PythonFunction(function=function, role=role, log_group=log_group)
