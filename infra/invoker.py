"""The invoker: ``${cc}-InvokeSalesforceRestApiFunction``, which contact flows call.

Ships ``lambda_src/scv_invoker``. Its timeout is Connect's 8 s limit. Secrets are read through the AWS
Parameters and Secrets Lambda Extension (a local HTTP endpoint, so the cold path needs no boto3);
the Salesforce org is reached only through the endpoint environment variables, so tests can point
them at an emulator. Logs are the invoker's own JSON lines on stdout: Lambda's advanced logging
controls stay off so the runtime never lowers the root logger to LOG_LEVEL (botocore at DEBUG logs
secret values); LOG_LEVEL applies to the invoker's logger alone.
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Duration, Stack
from aws_cdk import aws_lambda as lambda_
from constructs import Construct
from scv_shared import constants, orgs
from scv_shared.telemetry import NAMESPACE

from . import checkov
from .config import ColdStartMitigation, ContactCenter
from .constants import INVOKER_TIMEOUT_SECONDS
from .lambda_function import python_function
from .secrets import ContactCenterSecrets


class SalesforceInvoker(Construct):
    """The function, its role, its log group and (optionally) a cold-start-free alias."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        contact_center: ContactCenter,
        secrets: ContactCenterSecrets,
        org_secrets: Mapping[str, ContactCenterSecrets] | None = None,
    ) -> None:
        """``org_secrets``: the secrets of each further org of ``contact_center.orgs``, by org name."""
        super().__init__(scope, construct_id)
        org_secrets = org_secrets or {}
        function_name = contact_center.function_name
        snapstart = contact_center.cold_start is ColdStartMitigation.SNAPSTART
        parts = python_function(
            self,
            package="scv_invoker",
            handler="scv_invoker.handler.lambda_handler",
            function_name=function_name,
            description=f"Calls the Salesforce REST API for Amazon Connect contact flows ({contact_center.name})",
            role_description=f"{function_name}: read the Salesforce secrets, cache the token, write own logs",
            timeout_seconds=INVOKER_TIMEOUT_SECONDS,
            memory_size=contact_center.memory_size_mb,
            log_retention_days=contact_center.log_retention_days,
            architecture=contact_center.architecture,
            log_group_name=contact_center.log_group_name,
            adopt_log_group=contact_center.adopt_log_group,
            params_and_secrets=_secrets_extension(),
            snap_start=lambda_.SnapStartConf.ON_PUBLISHED_VERSIONS if snapstart else None,
            reserved_concurrent_executions=contact_center.reserved_concurrency,
            environment={
                "CONTACT_CENTER_NAME": contact_center.name,
                "SALESFORCE_REST_API_ENDPOINT_BASE": contact_center.rest_api_endpoint_base,
                "SALESFORCE_AUTH_ENDPOINT": contact_center.auth_endpoint,
                "CALL_CENTER_API_NAME": contact_center.call_center_api_name,
                "SALESFORCE_SECRET_ID": secrets.main_secret.secret_arn,
                "SALESFORCE_ACCESS_SECRET_ID": secrets.access_secret.secret_arn,
                "SECRETS_CACHE_TTL_SECONDS": str(contact_center.secrets_cache_ttl_seconds),
                "LOG_LEVEL": contact_center.log_level,
                "POWERTOOLS_SERVICE_NAME": constants.INVOKER_SERVICE_NAME,
                "POWERTOOLS_METRICS_NAMESPACE": NAMESPACE,
                **({orgs.ORGS_ENV: self._orgs_environment(contact_center, org_secrets)} if contact_center.orgs else {}),
                **(
                    {}
                    if contact_center.org_from_contact_attributes
                    else {orgs.ORG_FROM_CONTACT_ATTRIBUTES_ENV: "false"}
                ),
            },
        )
        self.function, self.role, self.log_group = parts.function, parts.role, parts.log_group
        checkov.skip(
            self.function,
            "CKV_AWS_116",
            "Amazon Connect and SCV's own functions invoke it synchronously: a failure goes back to the caller "
            "(the flow's error branch); a dead-letter queue only receives asynchronous invocations",
        )
        if contact_center.reserved_concurrency is None:
            checkov.skip(
                self.function,
                "CKV_AWS_115",
                "reserved_concurrency: null in the contact-center config (the account cannot spare a reservation); "
                "the InvocationRate alarm still reports a flood",
            )
        secrets.grant_invoker(self.role)
        for org_secret_pair in org_secrets.values():
            org_secret_pair.grant_invoker(self.role)
        self.invocation_target: lambda_.IFunction = self._invocation_target(contact_center)

    def _orgs_environment(self, contact_center: ContactCenter, org_secrets: Mapping[str, ContactCenterSecrets]) -> str:
        """Every further org's endpoints, from the config (never derived from its audience), and its secrets."""
        entries = [
            {
                orgs.NAME_KEY: org.name,
                orgs.REST_API_ENDPOINT_BASE_KEY: org.rest_api_endpoint_base,
                orgs.AUTH_ENDPOINT_KEY: org.auth_endpoint,
                orgs.SECRET_ID_KEY: org_secrets[org.name].main_secret.secret_arn,
                orgs.ACCESS_SECRET_ID_KEY: org_secrets[org.name].access_secret.secret_arn,
                orgs.CALL_CENTER_API_NAME_KEY: contact_center.org_call_center_api_name(org),
            }
            for org in contact_center.orgs
        ]
        return Stack.of(self).to_json_string(entries)

    def _invocation_target(self, contact_center: ContactCenter) -> lambda_.IFunction:
        """What Connect calls: the function itself, or a published version's alias when cold starts are mitigated."""
        if contact_center.cold_start is ColdStartMitigation.NONE:
            return self.function
        provisioned = contact_center.cold_start is ColdStartMitigation.PROVISIONED
        return lambda_.Alias(
            self,
            "LiveAlias",
            alias_name=constants.LIVE_ALIAS,
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
