"""The AWS side of the example deploy pipeline (.github/workflows/deploy.yml): roles GitHub Actions assumes
through OIDC, so the repository keeps no AWS access keys.

Each role may do one thing: assume the CDK bootstrap roles of its account and region, which already hold
exactly the rights ``cdk diff`` and ``cdk deploy`` need (CloudFormation acts through the bootstrap's
execution role, never through these). The plan role serves pull requests and may only look up and read
(``cdk diff``); the deploy role serves the approval-gated environment and may deploy, and read what
``scvctl preflight`` reads before it (describe and list calls, no secret value).
"""

from __future__ import annotations

from typing import Any

from aws_cdk import Acknowledgment, CfnOutput, DefaultStackSynthesizer, Duration, Stack, Validations
from aws_cdk import aws_iam as iam
from constructs import Construct

from .config import DeployPipeline
from .constants import PREFLIGHT_READ_ACTIONS

GITHUB_OIDC_ISSUER = "token.actions.githubusercontent.com"
STS_AUDIENCE = "sts.amazonaws.com"

# The bootstrap roles each pipeline role may assume (the CDK CLI picks them by these names).
PLAN_BOOTSTRAP_ROLES = ("lookup",)
DEPLOY_BOOTSTRAP_ROLES = ("lookup", "deploy", "file-publishing")


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
            bootstrap_roles=PLAN_BOOTSTRAP_ROLES,
            description=f"cdk diff from pull requests of {repository}",
        )
        self.deploy_role = self._role(
            "DeployRole",
            provider_arn,
            subject=f"repo:{repository}:environment:{pipeline.environment}",
            bootstrap_roles=DEPLOY_BOOTSTRAP_ROLES,
            description=f"cdk deploy from the {pipeline.environment} environment of {repository}",
        )
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

    def _create_provider(self) -> iam.OidcProviderNative:
        return iam.OidcProviderNative(
            self, "GitHubOidcProvider", url=f"https://{GITHUB_OIDC_ISSUER}", client_ids=[STS_AUDIENCE]
        )

    def _role(
        self, construct_id: str, provider_arn: str, *, subject: str, bootstrap_roles: tuple[str, ...], description: str
    ) -> iam.Role:
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
        return role
