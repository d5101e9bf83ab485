"""The example deploy pipeline's config (infra/deploy_pipeline.py)."""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from .models import ContactCenter, _Strict
from .types import (
    _GITHUB_ENVIRONMENT,
    _GITHUB_OIDC_PROVIDER_ARN,
    _GITHUB_REPOSITORY,
    _account_id,
)


class DeployPipeline(_Strict):
    """The example GitHub Actions pipeline's AWS roles (infra/deploy_pipeline.py); absent: no such stack."""

    github_repository: str = Field(description="owner/name of the repository whose workflows may assume the roles")
    environment: str = Field(default="production", description="the GitHub environment that gates cdk deploy")
    oidc_provider_arn: str | None = Field(
        default=None, description="the account's existing GitHub OIDC provider (an account holds at most one)"
    )
    account: str | None = None
    region: str | None = None

    @field_validator("github_repository")
    @classmethod
    def _github_repository(cls, value: str) -> str:
        if not _GITHUB_REPOSITORY.fullmatch(value):
            raise ValueError("must be the repository as owner/name, e.g. acme/contact-center-infra")
        return value

    @field_validator("environment")
    @classmethod
    def _environment(cls, value: str) -> str:
        if not _GITHUB_ENVIRONMENT.fullmatch(value):
            raise ValueError("must be a GitHub environment name: letters, digits, '-', '_' and '.', at most 255")
        return value

    @field_validator("oidc_provider_arn")
    @classmethod
    def _oidc_provider_arn(cls, value: str | None) -> str | None:
        if value is not None and not _GITHUB_OIDC_PROVIDER_ARN.fullmatch(value):
            raise ValueError(
                "must be the ARN of the account's GitHub OIDC provider: "
                "arn:aws:iam::<account>:oidc-provider/token.actions.githubusercontent.com"
            )
        return value

    @field_validator("account", mode="before")
    @classmethod
    def _account(cls, value: Any) -> Any:
        return _account_id(value)

    @field_validator("region")
    @classmethod
    def _region(cls, value: str | None) -> str | None:
        return ContactCenter._region(value)

    @property
    def stack_name(self) -> str:
        return "ScvDeployPipeline"
