"""The example deploy pipeline's config (infra/deploy_pipeline.py)."""

from __future__ import annotations

from pydantic import Field

from .types import AccountId, GithubEnvironment, GithubOidcProviderArn, GithubRepository, Region, StrictModel


class DeployPipeline(StrictModel):
    """The example GitHub Actions pipeline's AWS roles (infra/deploy_pipeline.py); absent: no such stack."""

    github_repository: GithubRepository = Field(
        description="owner/name of the repository whose workflows may assume the roles"
    )
    environment: GithubEnvironment = Field(
        default="production", description="the GitHub environment that gates cdk deploy"
    )
    oidc_provider_arn: GithubOidcProviderArn | None = Field(
        default=None, description="the account's existing GitHub OIDC provider (an account holds at most one)"
    )
    account: AccountId | None = None
    region: Region | None = None

    @property
    def stack_name(self) -> str:
        return "ScvDeployPipeline"
