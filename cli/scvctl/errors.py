"""One clear sentence instead of a traceback: the CLI's error type and the translation of library errors.

An operator runs scvctl in the middle of a setup or an incident. A traceback from botocore or
cryptography tells them nothing they can act on, so every failure that bad input, missing AWS
credentials or a missing secret can cause is turned into a :class:`CliError` whose message says what
is wrong and what to do. Anything not translated here is a bug and keeps its traceback.
"""

from __future__ import annotations

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
)
from scv_shared import secrets_manager_errors

NO_CREDENTIALS = "no AWS credentials: set AWS_PROFILE (or --profile) or run aws configure / aws sso login"


class CliError(Exception):
    """A failure the user can fix; printed as ``scvctl: error: <message>`` with exit status ``exit_code``."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def translate(error: BaseException) -> CliError | None:
    """The CliError for a known library failure, or None for a bug (which should keep its traceback)."""
    # Imported at the first failure: seeder.credentials loads cryptography, which a --help need not wait for.
    from scv_seeder.connected_app import ConnectedAppError
    from scv_seeder.credentials import CredentialError
    from scv_seeder.store import StoreError
    from scv_shared.public_certificate import PublicCertificateError
    from scv_shared.secret_format import SecretFormatError

    if isinstance(error, CliError):
        return error
    if isinstance(error, (NoCredentialsError, PartialCredentialsError)):
        return CliError(NO_CREDENTIALS)
    if isinstance(error, ProfileNotFound):
        return CliError(f"{error}: check --profile / AWS_PROFILE against ~/.aws/config")
    if isinstance(error, NoRegionError):
        return CliError("no AWS region: pass --region, set region in contact_centers.yaml, or set AWS_REGION")
    if isinstance(error, (StoreError, PublicCertificateError)):
        return CliError(_with_credential_hint(str(error), error.code))
    if isinstance(error, (CredentialError, SecretFormatError, ConnectedAppError)):
        return CliError(str(error))
    if isinstance(error, ClientError):
        code = secrets_manager_errors.error_code(error)
        message = secrets_manager_errors.error_message(error)
        return CliError(_with_credential_hint(f"AWS refused the call: {code}: {message}", code))
    if isinstance(error, BotoCoreError):
        return CliError(f"AWS call failed: {error}")
    return None


def _with_credential_hint(message: str, code: str) -> str:
    """Errors caused by expired or invalid credentials get the credentials' fix appended."""
    if code == "NoCredentialsError":
        return NO_CREDENTIALS
    if code in secrets_manager_errors.CREDENTIAL_CODES:
        return f"{message} (your AWS credentials are expired or invalid: run aws sso login or refresh them)"
    return message
