"""The two secrets of a contact center in Secrets Manager: read, write, stage and promote documents.

Replaces the setup guide's ``get-secret-value`` / jq / ``put-secret-value`` steps and "clear the access
token after every change". Every document is validated before it is written, so a failed step leaves the
secrets as they were. A key rotation is staged as the main secret's ``AWSPENDING`` version while calls go
on with ``AWSCURRENT``; promoting it keeps the current consumer key, subject and audience.

Works through any boto3 Secrets Manager client (the seeder's, scvctl's with the operator's profile). No
method ever puts a secret value into an exception message or a log. Its length (over 250 lines) is one
class's: every operation on the pair goes through the same validation and the same error wording, so
splitting it would only spread one job over two files.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from scv_shared import secrets_manager_errors
from scv_shared.secret_format import (
    CURRENT_STAGE,
    PENDING_STAGE,
    SecretFormatError,
    SecretKeys,
    missing_keys,
    parse_secret_document,
)

from scv_seeder.credentials import CredentialError, public_key_fingerprint, validate_key_pair

#: a secret's JSON object: our keys hold strings; keys of others (SCV's settings) may hold any JSON value
Document = dict[str, Any]


class StoreError(RuntimeError):
    """Secrets Manager refused or the secret is unusable; the message names the secret and the fix, ``code`` the
    AWS error code when Secrets Manager refused."""

    def __init__(self, message: str, *, code: str = "") -> None:
        super().__init__(message)
        self.code = code


class SecretValueError(StoreError):
    """The secret exists and answers, but its value is not the JSON document the guide describes."""


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
        response = self._get(self.main_secret_id, stage=CURRENT_STAGE)
        return None if response is None else self._parse(self.main_secret_id, response)

    def read_pending(self) -> tuple[str, Document] | None:
        """(version id, document) of a staged rotation, or None."""
        response = self._get(self.main_secret_id, stage=PENDING_STAGE)
        if response is None:
            return None
        try:
            return response["VersionId"], self._parse(self.main_secret_id, response)
        except SecretValueError as error:
            raise SecretValueError(
                f"{error} (this is its AWSPENDING version {response['VersionId']}: "
                "unstage it with 'scvctl key discard', then rotate again)"
            ) from None

    def read_version(self, version_id: str) -> Document | None:
        """One version of the main secret by id (labelled or not), or None if there is no such version."""
        response = self._get(self.main_secret_id, version_id=version_id)
        return None if response is None else self._parse(self.main_secret_id, response)

    def read_token(self) -> str | None:
        """The cached access token ("" when cleared), or None while the access secret has no value or key."""
        response = self._get(self.access_secret_id, stage=CURRENT_STAGE)
        if response is None:
            return None
        return self._parse(self.access_secret_id, response).get(self.keys.access_token)

    # -- writing ---------------------------------------------------------------------------------------

    def version_id(self, label: str) -> str:
        """A deterministic version id (ClientRequestToken) for an operation on the main secret.

        Writing with it makes a replayed operation recognisable: the version already exists.
        """
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.main_secret_id}#{label}"))

    def rotation_version_id(self, rotation_id: str, from_private_key: str) -> str:
        """The version id a rotation ``rotation_id`` of the key ``from_private_key`` is staged under."""
        return self.version_id(f"rotation={rotation_id};from={public_key_fingerprint(from_private_key)}")

    def write_current(self, document: Document, *, version_id: str | None = None) -> None:
        """Replace the main secret's value (validated first); ``version_id`` makes the write recognisable."""
        self._validate(document)
        self._put(self.main_secret_id, document, client_request_token=version_id)

    def stage_pending(self, document: Document, rotation_id: str) -> str:
        """Stage a rotated document as AWSPENDING and return its version id; current calls are untouched.

        The version id is derived from ``rotation_id`` and the current key, so the same rotation of the same
        key never stages a second key: a replay finds it staged and does nothing, and a rotation staged
        before, unstaged (a CloudFormation rollback) and asked for again gets its first key back. A newer
        staged rotation replaces an older one (the AWSPENDING label moves in one call).
        """
        self._validate(document)
        current = self.read_current()
        if not current or not current.get(self.keys.private_key):
            raise StoreError(
                f"secret {self.main_secret_id} has no current key to rotate from: deploy the stack (its seeder "
                "creates one) or run 'scvctl key import'"
            )
        version_id = self.rotation_version_id(rotation_id, current[self.keys.private_key])
        pending = self.read_pending()
        if pending is not None and pending[0] == version_id:
            return version_id
        if self.read_version(version_id) is not None:
            # Staged before and unstaged since (a rollback, a discard): label that same version again. A put
            # would not do: Secrets Manager ignores a repeated token with the same value (and attaches no label).
            self._move_stage(PENDING_STAGE, version_id, pending[0] if pending else None)
            return version_id
        if not self._put_pending(document, version_id):
            # Written between our read and our put (another caller of the same rotation): label that version.
            self._move_stage(PENDING_STAGE, version_id, pending[0] if pending else None)
        return version_id

    def stage_version(self, document: Document, version_id: str) -> None:
        """Write ``document`` (validated first) as the AWSPENDING version ``version_id``: Secrets Manager's own
        rotation names the version (its ClientRequestToken), where :meth:`stage_pending` derives one."""
        self._validate(document)
        self._put_pending(document, version_id)  # False: written by an earlier attempt of the same step

    def _put_pending(self, document: Document, version_id: str) -> bool:
        """Write ``document`` as the AWSPENDING version ``version_id``; False when that version exists already."""
        try:
            self._client.put_secret_value(
                SecretId=self.main_secret_id,
                SecretString=_dumps(document),
                ClientRequestToken=version_id,
                VersionStages=[PENDING_STAGE],
            )
        except self._client.exceptions.ResourceExistsException:
            return False
        except Exception as error:
            raise _store_error(self.main_secret_id, error) from None
        return True

    def promote_pending(self) -> Document:
        """Make the staged key current, keeping the current consumer key, subject and audience.

        Safe to repeat after a failure half-way: the current document is written only if it does not hold
        the staged key already, and the AWSPENDING label is removed last.
        """
        pending = self.read_pending()
        if pending is None:
            raise StoreError(
                f"secret {self.main_secret_id} has no pending key to activate: run 'scvctl key rotate' first"
            )
        version_id, staged = pending
        if not staged.get(self.keys.private_key):
            raise StoreError(
                f"secret {self.main_secret_id}: the pending version {version_id} holds no private key; "
                "discard it ('scvctl key rotate' stages a complete one)"
            )
        current = self.read_current() or {}
        promoted = {**current, self.keys.private_key: staged[self.keys.private_key]}
        if staged.get(self.keys.certificate):
            promoted[self.keys.certificate] = staged[self.keys.certificate]
        else:
            promoted.pop(self.keys.certificate, None)  # the old certificate is not this key's
        if promoted != current:
            self.write_current(promoted)
        self._remove_stage(PENDING_STAGE, version_id)
        return promoted

    def discard_pending(self, only_version_id: str | None = None) -> bool:
        """Unstage the pending version (only if it is ``only_version_id``, when given); True if one was."""
        pending = self.read_pending()
        if pending is None or (only_version_id is not None and pending[0] != only_version_id):
            return False
        self._remove_stage(PENDING_STAGE, pending[0])
        return True

    def clear_token(self) -> None:
        """Empty the cached access token, as the guide requires after any change to the main secret."""
        self._put(self.access_secret_id, {self.keys.access_token: ""})

    # -- Secrets Manager calls ----------------------------------------------------------------------------

    def _get(self, secret_id: str, *, stage: str | None = None, version_id: str | None = None) -> dict[str, Any] | None:
        arguments = {"SecretId": secret_id, **({"VersionId": version_id} if version_id else {"VersionStage": stage})}
        try:
            return self._client.get_secret_value(**arguments)
        except self._client.exceptions.ResourceNotFoundException:
            self._describe(secret_id)  # raises if the secret itself is missing
            return None  # it exists: it has no version in that stage (or with that id) yet
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

    @staticmethod
    def _parse(secret_id: str, response: dict[str, Any]) -> Document:
        try:
            return parse_secret_document(secret_id, response.get("SecretString"))
        except SecretFormatError as error:
            raise SecretValueError(str(error)) from None

    def _remove_stage(self, stage: str, version_id: str) -> None:
        try:
            self._client.update_secret_version_stage(
                SecretId=self.main_secret_id, VersionStage=stage, RemoveFromVersionId=version_id
            )
        except Exception as error:
            raise _store_error(self.main_secret_id, error) from None

    def _move_stage(self, stage: str, to_version_id: str, from_version_id: str | None) -> None:
        arguments = {"SecretId": self.main_secret_id, "VersionStage": stage, "MoveToVersionId": to_version_id}
        if from_version_id:
            arguments["RemoveFromVersionId"] = from_version_id
        try:
            self._client.update_secret_version_stage(**arguments)
        except Exception as error:
            raise _store_error(self.main_secret_id, error) from None

    def _put(self, secret_id: str, document: Document, *, client_request_token: str | None = None) -> None:
        arguments: dict[str, Any] = {"SecretId": secret_id, "SecretString": _dumps(document)}
        if client_request_token:
            arguments["ClientRequestToken"] = client_request_token
        try:
            self._client.put_secret_value(**arguments)
        except Exception as error:
            raise _store_error(secret_id, error) from None

    def _validate(self, document: Document) -> None:
        absent = missing_keys(document, (self.keys.private_key, self.keys.subject, self.keys.audience))
        if absent:
            raise StoreError(f"refusing to write {self.main_secret_id}: the document lacks {', '.join(absent)}")
        owned = self.keys._asdict().values()
        not_strings = [key for key in owned if key in document and not isinstance(document[key], str)]
        if not_strings:
            raise StoreError(f"refusing to write {self.main_secret_id}: {', '.join(not_strings)} must be strings")
        try:
            validate_key_pair(document[self.keys.private_key], document.get(self.keys.certificate) or None)
        except CredentialError as error:
            raise StoreError(f"refusing to write {self.main_secret_id}: {error}") from None


def _dumps(document: Document) -> str:
    """Characters as they were written (not \\u escapes), so other keys' values keep their text."""
    return json.dumps(document, ensure_ascii=False)


def _store_error(secret_id: str, error: Exception) -> StoreError:
    """A Secrets Manager error as a sentence naming the secret and what to do (AWS messages hold no values)."""
    code = secrets_manager_errors.error_code(error)
    fix = secrets_manager_errors.FIXES.get(code, secrets_manager_errors.UNKNOWN_FIX)
    return StoreError(f"secret {secret_id}: {code}: {fix} ({secrets_manager_errors.error_message(error)})", code=code)
