"""The invoker: ``${cc}-InvokeSalesforceRestApiFunction``, which contact flows call.

Ships ``lambda_src/invoker``. Its timeout is Connect's 8 s limit. Secrets are read through the AWS
Parameters and Secrets Lambda Extension (a local HTTP endpoint, so the cold path needs no boto3);
the Salesforce org is reached only through the endpoint environment variables, so tests can point
them at an emulator. Logs are the invoker's own JSON lines on stdout: Lambda's advanced logging
controls stay off so the runtime never lowers the root logger to LOG_LEVEL (botocore at DEBUG logs
secret values); LOG_LEVEL applies to the invoker's logger alone.
"""

from __future__ import annotations

from aws_cdk import Acknowledgment, Duration, RemovalPolicy, Stack, Validations
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.bundling import python_function_code
from infra.config import ColdStartMitigation, ContactCenter
from infra.constants import INVOKER_TIMEOUT_SECONDS, PYTHON_VERSION
from infra.secrets import ContactCenterSecrets
from lambda_src.shared.telemetry import NAMESPACE

POWERTOOLS_SERVICE_NAME = "InvokeSalesforceRestApi"
LIVE_ALIAS_NAME = "live"


def python_runtime() -> lambda_.Runtime:
    """CDK's own Runtime object for the pinned version (it knows which features, e.g. SnapStart, it supports)."""
    runtime = getattr(lambda_.Runtime, f"PYTHON_{PYTHON_VERSION.replace('.', '_')}")
    assert isinstance(runtime, lambda_.Runtime)
    return runtime


def set_retention(log_group: logs.LogGroup, days: int) -> None:
    """Retention in days as configured (the config accepts exactly CloudWatch Logs' periods)."""
    cfn_log_group = log_group.node.default_child
    assert isinstance(cfn_log_group, logs.CfnLogGroup)
    cfn_log_group.retention_in_days = days


def function_role(scope: Construct, construct_id: str, *, description: str, log_group: logs.LogGroup) -> iam.Role:
    """A role that may write only its own log group (no AWS managed policy with Resource: *)."""
    role = iam.Role(
        scope, construct_id, assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"), description=description
    )
    role.add_to_policy(
        iam.PolicyStatement(
            sid="WriteOwnLogs",
            actions=["logs:CreateLogStream", "logs:PutLogEvents"],
            resources=[log_group.log_group_arn, f"{log_group.log_group_arn}:log-stream:*"],
        )
    )
    log_group_id = Stack.of(scope).get_logical_id(log_group.node.default_child)  # type: ignore[arg-type]
    Validations.of(role).acknowledge(
        Acknowledgment(
            id=f"AwsSolutions-IAM5[Resource::<{log_group_id}.Arn>:log-stream:*]",
            reason="Lambda names its log streams at run time; the wildcard covers only streams of this function's own log group",
        )
    )
    return role


def acknowledge_pinned_runtime(function: lambda_.Function) -> None:
    """AwsSolutions-L1 asks for the newest runtime; ours is pinned on purpose."""
    Validations.of(function).acknowledge(
        Acknowledgment(
            id="AwsSolutions-L1",
            reason=f"python{PYTHON_VERSION} is pinned: the bundle's wheels are built for cp{PYTHON_VERSION.replace('.', '')} "
            "and the tests run exactly that bundle; a runtime upgrade is a deliberate change with its own test run",
        )
    )


class SalesforceInvoker(Construct):
    """The function, its role, its log group and (optionally) a cold-start-free alias."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        contact_center: ContactCenter,
        secrets: ContactCenterSecrets,
    ) -> None:
        super().__init__(scope, construct_id)
        function_name = contact_center.function_name
        self.log_group = logs.LogGroup(
            self,
            "LogGroup",
            log_group_name=f"/aws/lambda/{function_name}",
            removal_policy=RemovalPolicy.DESTROY,
        )
        set_retention(self.log_group, contact_center.log_retention_days)
        self.role = function_role(
            self,
            "Role",
            description=f"{function_name}: read the Salesforce secrets, cache the token, write own logs",
            log_group=self.log_group,
        )
        secrets.grant_invoker(self.role)

        snapstart = contact_center.cold_start is ColdStartMitigation.SNAPSTART
        self.function = lambda_.Function(
            self,
            "Function",
            function_name=function_name,
            description=f"Calls the Salesforce REST API for Amazon Connect contact flows ({contact_center.name})",
            runtime=python_runtime(),
            architecture=lambda_.Architecture.X86_64,
            handler="invoker.handler.lambda_handler",
            code=python_function_code("invoker"),
            timeout=Duration.seconds(INVOKER_TIMEOUT_SECONDS),
            memory_size=contact_center.memory_size_mb,
            role=self.role,
            log_group=self.log_group,
            params_and_secrets=_secrets_extension(),
            snap_start=lambda_.SnapStartConf.ON_PUBLISHED_VERSIONS if snapstart else None,
            environment={
                "CONTACT_CENTER_NAME": contact_center.name,
                "SALESFORCE_REST_API_ENDPOINT_BASE": contact_center.rest_api_endpoint_base,
                "SALESFORCE_AUTH_ENDPOINT": contact_center.auth_endpoint,
                "CALL_CENTER_API_NAME": contact_center.call_center_api_name,
                "SALESFORCE_SECRET_ID": secrets.main_secret.secret_arn,
                "SALESFORCE_ACCESS_SECRET_ID": secrets.access_secret.secret_arn,
                "SECRETS_CACHE_TTL_SECONDS": str(contact_center.secrets_cache_ttl_seconds),
                "LOG_LEVEL": contact_center.log_level,
                "POWERTOOLS_SERVICE_NAME": POWERTOOLS_SERVICE_NAME,
                "POWERTOOLS_METRICS_NAMESPACE": NAMESPACE,
            },
        )
        acknowledge_pinned_runtime(self.function)
        self.invocation_target: lambda_.IFunction = self._invocation_target(contact_center)

    def _invocation_target(self, contact_center: ContactCenter) -> lambda_.IFunction:
        """What Connect calls: the function itself, or a published version's alias when cold starts are mitigated."""
        if contact_center.cold_start is ColdStartMitigation.NONE:
            return self.function
        provisioned = contact_center.cold_start is ColdStartMitigation.PROVISIONED
        return lambda_.Alias(
            self,
            "LiveAlias",
            alias_name=LIVE_ALIAS_NAME,
            version=self.function.current_version,
            provisioned_concurrent_executions=contact_center.provisioned_concurrency if provisioned else None,
        )


def _secrets_extension() -> lambda_.ParamsAndSecretsLayerVersion:
    """The AWS Parameters and Secrets Lambda Extension: secrets over local HTTP, no boto3 import on the cold path.

    Its own cache is kept short: the invoker caches per container itself and bypasses the
    extension for the re-reads that must see a fresh value (after a 401 or invalid_grant).
    """
    return lambda_.ParamsAndSecretsLayerVersion.from_version(
        lambda_.ParamsAndSecretsVersions.V1_0_103,
        cache_enabled=True,
        cache_size=10,
        secrets_manager_ttl=Duration.seconds(60),
        log_level=lambda_.ParamsAndSecretsLogLevel.WARN,
    )
