"""What a Secrets Manager failure means and what fixes it: the one table the invoker, the seeder and scvctl use.

Each side words its message for its reader (the invoker's errorMessage for a flow's operator, the seeder's
for CloudFormation's events, scvctl's for the person at the terminal), but which codes are worth a retry,
which are the caller's credentials, which are a missing right and what each one asks of a person are the
same facts everywhere, so they are written here once. Works without importing botocore on two kinds of
error: botocore's (the seeder's and scvctl's), where a ClientError carries ``response`` and every other failure
is told by its class name, and the invoker's own client's (invoker/secrets_api.py), whose error carries
``aws_code``, ``aws_message`` and ``aws_status``, a failure on the way named as botocore names it.
"""

from __future__ import annotations

#: the caller's AWS credentials are the problem, not the secret (STS spells some without "Exception")
CREDENTIAL_CODES = frozenset({
    "ExpiredToken", "ExpiredTokenException", "UnrecognizedClientException", "InvalidClientTokenId",
    "InvalidSignatureException", "NoCredentialsError",
})  # fmt: skip
#: the caller has no right on the secret or on its KMS key
ACCESS_DENIED_CODES = frozenset(
    {"AccessDeniedException", "AccessDenied", "KMSAccessDeniedException", "DecryptionFailure"}
)
#: no answer in time: the call may be repeated if the deadline allows
TIMEOUT_CODES = frozenset({"ReadTimeoutError", "ConnectTimeoutError"})
#: worth one more attempt: throttling, Secrets Manager's 5xx, and the network
RETRYABLE_CODES = TIMEOUT_CODES | frozenset({
    "ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded",
    "InternalServiceError", "InternalFailure", "ServiceUnavailable", "ServiceUnavailableException",
    "RequestTimeout", "RequestTimeoutException", "EndpointConnectionError", "ConnectionClosedError",
})  # fmt: skip
NOT_FOUND_CODE = "ResourceNotFoundException"
#: a ClientRequestToken already used for another value: a compare-and-set that another caller won
EXISTS_CODE = "ResourceExistsException"

#: what a person does about each code
FIXES = {
    "AccessDeniedException": "the caller may not use this secret (check the role's policy or your AWS profile)",
    "KMSAccessDeniedException": "the caller may not use the secret's KMS key (check the key policy)",
    "DecryptionFailure": "the secret's KMS key could not decrypt it (is the key disabled? check it and its policy)",
    "EncryptionFailure": "the secret's KMS key could not encrypt it (is the key disabled? check it and its policy)",
    "KMSDisabledException": "the secret's KMS key is disabled: enable it",
    "KMSInvalidStateException": "the secret's KMS key is pending deletion or unusable: cancel the deletion",
    NOT_FOUND_CODE: "the secret does not exist: deploy the stack, or check the name and region",
    "InvalidRequestException": "the secret is scheduled for deletion or in an invalid state: restore it first",
    "LimitExceededException": "the secret has too many versions or labels: remove unused staging labels",
    "ThrottlingException": "Secrets Manager throttled the call: try again",
    "UnrecognizedClientException": "the AWS credentials are invalid: refresh them",
    "ExpiredTokenException": "the AWS credentials have expired: refresh them",
    "NoCredentialsError": "no AWS credentials were found: set a profile or run 'aws sso login'",
    "EndpointConnectionError": "Secrets Manager could not be reached: check the region and the network",
    "ConnectTimeoutError": "Secrets Manager did not answer in time: check the network (VPC endpoint?) and try again",
    "ReadTimeoutError": "Secrets Manager did not answer in time: try again",
}
UNKNOWN_FIX = "see the AWS message"


def _aws_error(error: BaseException) -> dict:
    """{"Code", "Message"} of a botocore ClientError's ``response`` or of the invoker's SecretsManagerError."""
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        details = response.get("Error")
        return details if isinstance(details, dict) else {}
    return {"Code": getattr(error, "aws_code", None), "Message": getattr(error, "aws_message", None)}


def error_code(error: BaseException) -> str:
    """The AWS error code of a ClientError or a SecretsManagerError, else the exception's class name
    (NoCredentialsError, ...)."""
    return str(_aws_error(error).get("Code") or type(error).__name__)


def error_message(error: BaseException) -> str:
    """AWS's own message (it names the secret, never its value), else the exception's text."""
    return str(_aws_error(error).get("Message") or error)


def http_status(error: BaseException) -> int:
    """The HTTP status AWS answered with, 0 when no answer arrived."""
    response = getattr(error, "response", None)
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode") if isinstance(response, dict) else None
    status = getattr(error, "aws_status", 0) if status is None else status
    return status if isinstance(status, int) else 0


def is_retryable(error: BaseException) -> bool:
    return error_code(error) in RETRYABLE_CODES or http_status(error) >= 500
