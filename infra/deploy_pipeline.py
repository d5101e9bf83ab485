"""The AWS side of the example deploy pipeline (.github/workflows/deploy.yml): roles GitHub Actions assumes
through OIDC, so the repository keeps no AWS access keys.

The deploy role serves the approval-gated environment: it may assume the CDK bootstrap roles of its
account and region, which already hold exactly the rights ``cdk deploy`` needs (CloudFormation acts
through the bootstrap's execution role, never through it), and read what ``scvctl preflight`` reads
before it (describe and list calls, no secret value).

The plan role serves pull requests, whose workflow files are the pull request's own: anyone who can push
a branch decides what runs with it. So it may assume no bootstrap role (the lookup role holds
ReadOnlyAccess: S3 objects, logs with callers' data, function code). It holds only what a template diff
(``cdk diff --method=template``) reads: the deployed template and status of this project's stacks, and
the bootstrap version parameter. The CDK CLI falls back to these credentials when it cannot assume the
lookup role; the app makes no context lookups, so nothing else is read.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import Acknowledgment, CfnOutput, DefaultStackSynthesizer, Duration, Stack, Token, Validations
from aws_cdk import aws_iam as iam
from constructs import Construct
from scv_shared.constants import stack_name

from .config import DeployPipeline
from .constants import PREFLIGHT_READ_ACTIONS

GITHUB_OIDC_ISSUER = "token.actions.githubusercontent.com"
STS_AUDIENCE = "sts.amazonaws.com"

# The bootstrap roles the deploy role may assume (the CDK CLI picks them by these names).
DEPLOY_BOOTSTRAP_ROLES = ("lookup", "deploy", "file-publishing")
#: what ``cdk diff --method=template`` calls with the plan role's own credentials
PLAN_TEMPLATE_READ_ACTIONS = ("cloudformation:DescribeStacks", "cloudformation:GetTemplate")


class DeployPipelineStack(Stack):
    """The OIDC provider (or the account's existing one) and the plan and deploy roles for one repository."""

    def __init__(self, scope: Construct, construct_id: str, *, pipeline: DeployPipeline, **kwargs: Any) -> None:
        super().__init__(
            scope, construct_id, description=f"GitHub Actions roles for {pipeline.github_repository}", **kwargs
        )
        provider_arn = pipeline.oidc_provider_arn or self._create_provider().open_id_connect_provider_arn
        repository = pipeline.github_repository
        self.plan_role = self._role(
            "PlanRole",
            provider_arn,
            subject=f"repo:{repository}:pull_request",
            description=f"cdk diff (template only) from pull requests of {repository}",
        )
        self._allow_template_diff(self.plan_role)
        self.deploy_role = self._role(
            "DeployRole",
            provider_arn,
            subject=f"repo:{repository}:environment:{pipeline.environment}",
            description=f"cdk deploy from the {pipeline.environment} environment of {repository}",
        )
        self._allow_bootstrap_roles(self.deploy_role, DEPLOY_BOOTSTRAP_ROLES)
        self._allow_preflight(self.deploy_role)
        CfnOutput(
            self, "PlanRoleArn", value=self.plan_role.role_arn, description="repository variable AWS_PLAN_ROLE_ARN"
        )
        CfnOutput(
            self,
            "DeployRoleArn",
            value=self.deploy_role.role_arn,
            description="repository variable AWS_DEPLOY_ROLE_ARN",
        )

    def _allow_preflight(self, role: iam.Role) -> None:
        """``make deploy`` runs ``scvctl preflight`` first: describe and list calls only, no secret value."""
        role.add_to_policy(
            iam.PolicyStatement(sid="PreflightReadOnly", actions=list(PREFLIGHT_READ_ACTIONS), resources=["*"])
        )
        Validations.of(role).acknowledge(
            Acknowledgment(
                id="AwsSolutions-IAM5[Resource::*]",
                reason="scvctl preflight looks at resources that may not exist yet, made by other stacks (SCV's "
                "function, secrets, log group, the Connect instance), before this pipeline deploys: describe and "
                "list calls only, which read no secret value and change nothing",
            )
        )

    def _allow_template_diff(self, role: iam.Role) -> None:
        """Read the deployed template of each contact center's stack, and the bootstrap version; nothing else."""
        qualifier = DefaultStackSynthesizer.DEFAULT_QUALIFIER
        role.add_to_policy(
            iam.PolicyStatement(
                sid="ReadContactCenterStackTemplates",
                actions=list(PLAN_TEMPLATE_READ_ACTIONS),
                resources=[
                    self.format_arn(service="cloudformation", resource="stack", resource_name=f"{stack_name('*')}/*")
                ],
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(
                sid="ReadBootstrapVersion",
                actions=["ssm:GetParameter"],
                resources=[
                    self.format_arn(
                        service="ssm", resource="parameter", resource_name=f"cdk-bootstrap/{qualifier}/version"
                    )
                ],
            )
        )
        Validations.of(role).acknowledge(
            Acknowledgment(
                id="AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudformation:"
                f"{self._nag(self.region, 'Region')}:{self._nag(self.account, 'AccountId')}:stack/{stack_name('*')}/*]",
                reason="every contact center's stack, including ones added to the config later (a stack's id ends "
                "in a random suffix): DescribeStacks and GetTemplate read a template and its status, no resource",
            )
        )

    @staticmethod
    def _nag(value: str, pseudo_parameter: str) -> str:
        """How cdk-nag writes a region or account in a finding's id: the value, or its pseudo parameter."""
        return f"<AWS::{pseudo_parameter}>" if Token.is_unresolved(value) else value

    def _create_provider(self) -> iam.OidcProviderNative:
        return iam.OidcProviderNative(
            self, "GitHubOidcProvider", url=f"https://{GITHUB_OIDC_ISSUER}", client_ids=[STS_AUDIENCE]
        )

    def _role(self, construct_id: str, provider_arn: str, *, subject: str, description: str) -> iam.Role:
        role = iam.Role(
            self,
            construct_id,
            description=description,
            max_session_duration=Duration.hours(1),
            assumed_by=iam.WebIdentityPrincipal(
                provider_arn,
                conditions={
                    "StringEquals": {f"{GITHUB_OIDC_ISSUER}:aud": STS_AUDIENCE, f"{GITHUB_OIDC_ISSUER}:sub": subject}
                },
            ),
        )
        return role

    def _allow_bootstrap_roles(self, role: iam.Role, bootstrap_roles: tuple[str, ...]) -> None:
        qualifier = DefaultStackSynthesizer.DEFAULT_QUALIFIER
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["sts:AssumeRole", "sts:TagSession"],
                resources=[
                    self.format_arn(
                        service="iam",
                        region="",
                        resource="role",
                        resource_name=f"cdk-{qualifier}-{name}-role-{self.account}-{self.region}",
                    )
                    for name in bootstrap_roles
                ],
            )
        )
