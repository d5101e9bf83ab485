"""The user's own AWS session (profile, region) and the clients scvctl needs.

scvctl runs with whatever identity the operator already uses for the AWS CLI: ``--profile`` or
``AWS_PROFILE``, SSO, environment variables. Credentials are resolved up front so "not logged in"
is one sentence before anything is read or written, instead of a botocore error halfway through.
Endpoints come from botocore's usual settings, so ``AWS_ENDPOINT_URL_SECRETS_MANAGER`` points the
Secrets Manager client elsewhere (the tests use it for moto).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ProfileNotFound
from scv_seeder.store import SecretStore
from scv_shared.secret_format import access_secret_name, main_secret_name

from scvctl.errors import NO_CREDENTIALS, CliError

#: Secrets Manager calls are quick; a few standard retries ride out throttling
_SECRETS_CONFIG = Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=5, read_timeout=15)
#: one attempt only (an invocation is not repeated behind the user's back); the function itself stops at 8 s,
#: a cold start adds a few seconds
_LAMBDA_CONFIG = Config(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=60)
#: the environment variables that name a profile, in botocore's order (its session variable ``profile``)
_PROFILE_VARIABLES = ("AWS_DEFAULT_PROFILE", "AWS_PROFILE")


@dataclass(frozen=True)
class AwsOptions:
    """``--profile`` and ``--region`` as given (None: the usual AWS defaults)."""

    profile: str | None = None
    region: str | None = None


def open_session(options: AwsOptions, default_region: str | None = None) -> boto3.Session:
    """A session with resolved credentials and a region (``--region``, else the contact center's, else AWS's).

    The contact center's configured region wins over the profile's default: its stack, and so its
    secrets and function, live there.
    """
    try:
        session = boto3.Session(profile_name=options.profile, region_name=options.region or default_region)
    except ProfileNotFound as error:
        profile = error.kwargs.get("profile")
        raise CliError(
            f"AWS profile {profile!r} (from {_profile_source(options)}) not found: check it against ~/.aws/config "
            "(aws configure list-profiles)"
        ) from None
    try:
        credentials = session.get_credentials()
    except BotoCoreError as error:  # e.g. an expired SSO token
        raise CliError(f"AWS credentials could not be loaded ({error}): run aws sso login or aws configure") from None
    if credentials is None:
        raise CliError(NO_CREDENTIALS)
    if not session.region_name:
        raise CliError("no AWS region: pass --region, set region in contact_centers.yaml, or set AWS_REGION")
    return session


def _profile_source(options: AwsOptions) -> str:
    """Where the profile botocore looked for was named: the option wins, then the variables botocore reads."""
    if options.profile:
        return "--profile"
    return next((name for name in _PROFILE_VARIABLES if os.environ.get(name)), "the AWS settings")


def secret_store(session: boto3.Session, contact_center: str, org: str | None = None) -> SecretStore:
    """The seeder's store over ``${cc}-salesforce-secret`` and ``${cc}-salesforce-access-secret`` (by name), or
    over a further org's ``${cc}-${org}-...`` pair (same JSON keys)."""
    client = session.client("secretsmanager", config=_SECRETS_CONFIG)
    return SecretStore(
        client, contact_center, main_secret_name(contact_center, org), access_secret_name(contact_center, org)
    )


def ssm_client(session: boto3.Session) -> Any:
    """For the published certificate (``/${cc}/salesforce/certificate``), which needs no right on the secrets."""
    return session.client("ssm", config=_SECRETS_CONFIG)


def lambda_client(session: boto3.Session) -> Any:
    return session.client("lambda", config=_LAMBDA_CONFIG)


def read_client(session: boto3.Session, service: str) -> Any:
    """A client for the account reads of ``preflight`` and ``flows`` (quick calls, a few standard retries)."""
    return session.client(service, config=_SECRETS_CONFIG)


def connect_client(session: boto3.Session) -> Any:
    """Amazon Connect, for the instance's Lambda associations and contact flows.

    Its own seam: moto does not implement these Connect calls, so the tests put botocore's Stubber here.
    """
    return read_client(session, "connect")
