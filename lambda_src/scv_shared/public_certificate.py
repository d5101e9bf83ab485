"""The certificate in use, published as a plain SSM parameter (``certificate_parameter_name``).

The certificate is public (it is uploaded to Salesforce), but it lives in the main secret next to the
private key, so reading it there needs GetSecretValue on the key. The daily certificate check and
``scvctl cert show`` need only the certificate: they read this parameter, and their role holds no right on
the secret. The seeder writes it on every Create and Update (an existing stack gets it on its next deploy);
scvctl rewrites it whenever it changes the certificate in use (renew, rotate --now, activate, import).
"""

from __future__ import annotations

from typing import Any

from scv_shared import secrets_manager_errors

DESCRIPTION = "Public certificate of the Salesforce JWT key in use (the private key stays in Secrets Manager)"


class PublicCertificateError(RuntimeError):
    """The parameter could not be read or written; the message names it and the right to check, ``code`` is
    AWS's error code."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


def publish(client: Any, parameter_name: str, certificate_pem: str) -> None:
    """Write the certificate (a String parameter: public data, no encryption needed)."""
    try:
        client.put_parameter(
            Name=parameter_name,
            Value=certificate_pem,
            Type="String",
            Overwrite=True,
            Description=DESCRIPTION,
        )
    except Exception as error:  # botocore's ClientError and connection errors alike
        raise _error(parameter_name, "write", error) from None


def read(client: Any, parameter_name: str) -> str | None:
    """The published certificate, or None while none is published (a stack not deployed since)."""
    try:
        return client.get_parameter(Name=parameter_name)["Parameter"]["Value"]
    except Exception as error:
        if secrets_manager_errors.error_code(error) == "ParameterNotFound":
            return None
        raise _error(parameter_name, "read", error) from None


def _error(parameter_name: str, action: str, error: Exception) -> PublicCertificateError:
    code = secrets_manager_errors.error_code(error)
    right = "ssm:PutParameter" if action == "write" else "ssm:GetParameter"
    return PublicCertificateError(
        f"parameter {parameter_name}: could not {action} the public certificate ({code}: "
        f"{secrets_manager_errors.error_message(error)}): check the role's {right} right on it and the region",
        code=code,
    )
