"""The two secrets of a contact center in Secrets Manager: read, write, stage and promote documents.

Replaces the setup guide's ``get-secret-value`` / jq / ``put-secret-value`` steps and "clear the access
token after every change". Every document is validated before it is written, so a failed step leaves the
secrets as they were. A key rotation is staged as the main secret's ``AWSPENDING`` version while calls go
on with ``AWSCURRENT``; promoting it keeps the current consumer key, subject and audience.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from shared.secret_format import (
    CURRENT_STAGE,
    PENDING_STAGE,
    SecretFormatError,
    SecretKeys,
    missing_keys,
    parse_secret_document,
)

from seeder.credentials import CredentialError, validate_key_pair

Document = dict[str, str]


class StoreError(RuntimeError):
    """Secrets Manager refused or the secret is unusable; the message names the secret and the fix."""


class SecretStore:
    """Operations on ``${cc}-salesforce-secret`` and ``${cc}-salesforce-access-secret`` through one boto3 client."""

    def __init__(self, client: Any, contact_center: str, main_secret_id: str, access_secret_id: str) -> None:
        self._client = client
        self.keys = SecretKeys.for_contact_center(contact_center)
        self.main_secret_id = main_secret_id
        self.access_secret_id = access_secret_id

    # -- reading ---------------------------------------------------------------------------------------

    def read_current(self) -> Document | None:
        """The main secret's document, or None while the secret has no value yet (as CloudFormation makes it)."""
        return self._read(self.main_secret_id, CURRENT_STAGE)

    def read_pending(self) -> tuple[str, Document] | None:
        """(version id, document) of a staged rotation, or None."""
        response = self._get(self.main_secret_id, PENDING_STAGE)
        if response is None:
            return None
        return response["VersionId"], parse_secret_document(self.main_secret_id, response.get("SecretString"))

    def read_token(self) -> str | None:
        document = self._read(self.access_secret_id, CURRENT_STAGE)
        return None if document is None else document.get(self.keys.access_token)

    def _read(self, secret_id: str, stage: str) -> Document | None:
        response = self._get(secret_id, stage)
        if response is None:
            return None
        try:
            return parse_secret_document(secret_id, response.get("SecretString"))
        except SecretFormatError as error:
            raise StoreError(str(error)) from None

    def _get(self, secret_id: str, stage: str) -> dict[str, Any] | None:
        try:
            return self._client.get_secret_value(SecretId=secret_id, VersionStage=stage)
        except self._client.exceptions.ResourceNotFoundException:
            self._describe(secret_id)  # the secret exists: it just has no version in that stage
            return None
        except Exception as error:
            raise _store_error(secret_id, error) from None

    def _describe(self, secret_id: str) -> None:
        try:
            self._client.describe_secret(SecretId=secret_id)
        except self._client.exceptions.ResourceNotFoundException:
            raise StoreError(
                f"secret {secret_id} does not exist: deploy the contact center's stack (it creates it), or check the "
                "contact-center name and the AWS region"
            ) from None
        except Exception as error:
            raise _store_error(secret_id, error) from None

    # -- writing ---------------------------------------------------------------------------------------

    def write_current(self, document: Document) -> None:
        """Replace the main secret's value (validated first)."""
        self._validate(document)
        self._put(self.main_secret_id, document)

    def stage_pending(self, document: Document, rotation_id: str) -> str:
        """Stage a rotated document as AWSPENDING; the same ``rotation_id`` never stages a second key."""
        self._validate(document)
        version_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.main_secret_id}#rotation={rotation_id}"))
        pending = self.read_pending()
        if pending is not None and pending[0] == version_id:
            return version_id  # a retried event: already staged
        if pending is not None:
            self.discard_pending()
        self._put(self.main_secret_id, document, client_request_token=version_id, stages=[PENDING_STAGE])
        return version_id

    def promote_pending(self) -> Document:
        """Make the staged key current, keeping the current consumer key, subject and audience."""
        pending = self.read_pending()
        if pending is None:
            raise StoreError(
                f"secret {self.main_secret_id} has no pending key to activate: run `scvctl key rotate` first"
            )
        version_id, staged = pending
        current = self.read_current() or {}
        promoted = {
            **current,
            self.keys.private_key: staged[self.keys.private_key],
            self.keys.certificate: staged[self.keys.certificate],
        }
        self.write_current(promoted)
        self._remove_stage(version_id)
        return promoted

    def discard_pending(self) -> None:
        pending = self.read_pending()
        if pending is not None:
            self._remove_stage(pending[0])

    def clear_token(self) -> None:
        """Empty the cached access token, as the guide requires after any change to the main secret."""
        self._put(self.access_secret_id, {self.keys.access_token: ""})

    def _remove_stage(self, version_id: str) -> None:
        try:
            self._client.update_secret_version_stage(
                SecretId=self.main_secret_id, VersionStage=PENDING_STAGE, RemoveFromVersionId=version_id
            )
        except Exception as error:
            raise _store_error(self.main_secret_id, error) from None

    def _put(
        self,
        secret_id: str,
        document: Document,
        *,
        client_request_token: str | None = None,
        stages: list[str] | None = None,
    ) -> None:
        arguments: dict[str, Any] = {"SecretId": secret_id, "SecretString": json.dumps(document)}
        if client_request_token:
            arguments["ClientRequestToken"] = client_request_token
        if stages:
            arguments["VersionStages"] = stages
        try:
            self._client.put_secret_value(**arguments)
        except Exception as error:
            raise _store_error(secret_id, error) from None

    def _validate(self, document: Document) -> None:
        absent = missing_keys(document, (self.keys.private_key, self.keys.subject, self.keys.audience))
        if absent:
            raise StoreError(f"refusing to write {self.main_secret_id}: the document lacks {', '.join(absent)}")
        try:
            validate_key_pair(document[self.keys.private_key], document.get(self.keys.certificate) or None)
        except CredentialError as error:
            raise StoreError(f"refusing to write {self.main_secret_id}: {error}") from None


def _store_error(secret_id: str, error: Exception) -> StoreError:
    """A Secrets Manager error as a sentence naming the secret and what to do."""
    code = getattr(error, "response", {}).get("Error", {}).get("Code", type(error).__name__)
    hints = {
        "AccessDeniedException": "the caller may not use this secret (check the role or your AWS profile)",
        "KMSAccessDeniedException": "the caller may not use the secret's KMS key (check the key policy)",
        "DecryptionFailure": "the secret's KMS key could not decrypt it (check the key and its policy)",
        "ResourceNotFoundException": "the secret does not exist: deploy the stack, or check the name and region",
        "InvalidRequestException": "the secret is scheduled for deletion or in an invalid state: restore it first",
        "ThrottlingException": "Secrets Manager throttled the call: try again",
    }
    hint = hints.get(code, "see the message above")
    return StoreError(f"secret {secret_id}: {code}: {hint}")
