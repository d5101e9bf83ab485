"""Secrets Manager's rotation of the main secret: a new key, its certificate uploaded to the app, no outage.

Secrets Manager calls the four steps with one ``ClientRequestToken`` (the new version's id):

* ``createSecret``: a new key and certificate as the AWSPENDING version; consumer key, subject and audience
  are kept.
* ``setSecret``: sign in as the subject with the current key (the integration user's own token: the guide's
  subject is a System Administrator) and upload the pending certificate to the connected app or External
  Client App through scv_seeder.oauth_app, the code ``scvctl key rotate --upload`` uses: update, read
  back, prove that only the certificate changed. From then on Salesforce refuses the current key, and the
  invoker signs with the pending one by itself, so calls keep working.
* ``testSecret``: sign in with the pending key.
* ``finishSecret``: make the version AWSCURRENT, clear the cached token, publish the certificate.

If the subject may not change the app (or anything else refuses the upload), setSecret unstages the new
key and fails: the rotation stops, the current key stays current and the app unchanged, and the
KeyRotationFailed alarm (the function's errors) fires. Every step can be repeated.

Environment: ``CONTACT_CENTER_NAME``, ``SALESFORCE_ACCESS_SECRET_ID``, ``SALESFORCE_AUTH_ENDPOINT`` (the
token endpoint), ``SALESFORCE_API_VERSION``, ``CERTIFICATE_PARAMETER_NAME``, ``CERTIFICATE_COMMON_NAME``,
``CERTIFICATE_VALIDITY_DAYS``, and ``CONNECTED_APP_NAME`` (empty: the one app SCV made; the name of a
connected app or of an External Client App).
"""

from __future__ import annotations

import base64
import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from scv_shared import constants, public_certificate
from scv_shared.json_log import Logger
from scv_shared.secret_format import CURRENT_STAGE, PENDING_STAGE, SecretKeys

from scv_seeder import oauth_app
from scv_seeder.connected_app import ConnectedAppError
from scv_seeder.credentials import generate_private_key, issue_certificate, load_private_key
from scv_seeder.metadata_api import MetadataApi, MetadataApiError
from scv_seeder.store import Document, SecretStore

logger = Logger(constants.KEY_ROTATION_SERVICE_NAME)
JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
#: Salesforce accepts an assertion whose ``exp`` lies within 3 minutes
ASSERTION_LIFETIME_SECONDS = 170
_TIMEOUT_SECONDS = 20


class RotationError(RuntimeError):
    """The step cannot be done; the message says why and what to fix (never a secret value)."""


@dataclass(frozen=True)
class RotationSettings:
    contact_center: str
    access_secret_id: str
    auth_endpoint: str
    api_version: str
    certificate_parameter: str
    certificate_common_name: str
    certificate_validity_days: int
    app_name: str | None

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> RotationSettings:
        return cls(
            contact_center=environ["CONTACT_CENTER_NAME"],
            access_secret_id=environ["SALESFORCE_ACCESS_SECRET_ID"],
            auth_endpoint=environ["SALESFORCE_AUTH_ENDPOINT"],
            api_version=environ["SALESFORCE_API_VERSION"],
            certificate_parameter=environ["CERTIFICATE_PARAMETER_NAME"],
            certificate_common_name=environ["CERTIFICATE_COMMON_NAME"],
            certificate_validity_days=int(environ["CERTIFICATE_VALIDITY_DAYS"]),
            app_name=environ.get("CONNECTED_APP_NAME") or None,
        )


class Rotation:
    """One rotation of the main secret ``secret_id`` to the version ``token``."""

    def __init__(
        self, settings: RotationSettings, secrets_client: Any, ssm_client: Any, secret_id: str, token: str
    ) -> None:
        self.settings = settings
        self.client = secrets_client
        self.ssm = ssm_client
        self.secret_id = secret_id
        self.token = token
        self.keys = SecretKeys.for_contact_center(settings.contact_center)
        self.store = SecretStore(secrets_client, settings.contact_center, secret_id, settings.access_secret_id)

    def run(self, step: str) -> None:
        steps: dict[str, Callable[[], None]] = {
            "createSecret": self.create_secret,
            "setSecret": self.set_secret,
            "testSecret": self.test_secret,
            "finishSecret": self.finish_secret,
        }
        if step not in steps:
            raise RotationError(f"unknown rotation step {step!r}")
        stages = self._stages()
        if CURRENT_STAGE in stages:
            return  # this version is current already: a repeated call after finishSecret
        if stages and PENDING_STAGE not in stages:
            raise RotationError(f"version {self.token} of {self.secret_id} is not pending: nothing to rotate to")
        if not stages and step != "createSecret":
            raise RotationError(f"version {self.token} of {self.secret_id} does not exist: createSecret comes first")
        steps[step]()

    def create_secret(self) -> None:
        if self.store.read_version(self.token) is not None:
            return
        current = self._current()
        private_key = generate_private_key()
        certificate = issue_certificate(
            private_key, self.settings.certificate_common_name, self.settings.certificate_validity_days
        )
        self.store.stage_version(
            {**current, self.keys.private_key: private_key, self.keys.certificate: certificate}, self.token
        )

    def set_secret(self) -> None:
        pending = self._pending()
        api = self._signed_in(self._current(), fallback=pending)
        try:
            kind, record = oauth_app.find(api, self.settings.app_name, self.settings.contact_center)
            changed, changes = kind.with_certificate(record, pending[self.keys.certificate])
            if changes:
                kind.apply_change(api, record, changed, allowed=kind.CERTIFICATE_FIELDS)
        except (ConnectedAppError, MetadataApiError) as error:
            if isinstance(error, ConnectedAppError) and error.code == "READ_BACK":
                raise RotationError(f"the certificate upload did not read back as intended: {error}") from None
            self.store.discard_pending(only_version_id=self.token)
            raise RotationError(
                f"the new certificate could not be uploaded ({error}); the rotation stopped and the current key "
                "stays in use: give the subject Modify Metadata, Customize Application and Manage Profiles and "
                "Permission Sets, or rotate by hand with `scvctl key rotate --upload`"
            ) from None

    def test_secret(self) -> None:
        self._signed_in(self._pending())

    def finish_secret(self) -> None:
        pending = self._pending()
        current_version = next(version for version, stages in self._versions().items() if CURRENT_STAGE in stages)
        self.client.update_secret_version_stage(
            SecretId=self.secret_id,
            VersionStage=CURRENT_STAGE,
            MoveToVersionId=self.token,
            RemoveFromVersionId=current_version,
        )
        self.client.update_secret_version_stage(
            SecretId=self.secret_id, VersionStage=PENDING_STAGE, RemoveFromVersionId=self.token
        )
        self.store.clear_token()
        public_certificate.publish(self.ssm, self.settings.certificate_parameter, pending[self.keys.certificate])

    # -- Salesforce ------------------------------------------------------------------------------------------

    def _signed_in(self, document: Document, *, fallback: Document | None = None) -> MetadataApi:
        """The subject's own session, signed with ``document``'s key (else ``fallback``'s: a repeated setSecret
        after the upload, when Salesforce already refuses the current key)."""
        try:
            return self._sign_in(document)
        except RotationError:
            if fallback is None:
                raise
            return self._sign_in(fallback)

    def _sign_in(self, document: Document) -> MetadataApi:
        claims = {
            "iss": document[self.keys.consumer_key],
            "sub": document[self.keys.subject],
            "aud": document[self.keys.audience],
            "exp": int(time.time()) + ASSERTION_LIFETIME_SECONDS,
            "jti": uuid.uuid4().hex,
        }
        body = urllib.parse.urlencode(
            {"grant_type": JWT_BEARER_GRANT, "assertion": rs256_jwt(claims, document[self.keys.private_key])}
        ).encode()
        request = urllib.request.Request(self.settings.auth_endpoint, data=body, method="POST")  # noqa: S310 - config
        try:
            with urllib.request.urlopen(request, timeout=_TIMEOUT_SECONDS) as response:  # noqa: S310 - the config's token endpoint
                answer = json.loads(response.read())
        except urllib.error.HTTPError as error:
            refusal = _json_or_empty(error.read())
            raise RotationError(
                f"Salesforce refused the sign-in of {document[self.keys.subject]}: {refusal.get('error')}: "
                f"{refusal.get('error_description')}"
            ) from None
        except urllib.error.URLError as error:
            raise RotationError(f"cannot reach {self.settings.auth_endpoint} ({error.reason})") from None
        return MetadataApi(answer["instance_url"], answer["access_token"], self.settings.api_version)

    # -- Secrets Manager -------------------------------------------------------------------------------------

    def _versions(self) -> dict[str, list[str]]:
        return dict(self.client.describe_secret(SecretId=self.secret_id).get("VersionIdsToStages", {}))

    def _stages(self) -> list[str]:
        return self._versions().get(self.token, [])

    def _current(self) -> Document:
        current = self.store.read_current()
        if not current or not current.get(self.keys.private_key):
            raise RotationError(f"secret {self.secret_id} has no current key to rotate from")
        return current

    def _pending(self) -> Document:
        pending = self.store.read_version(self.token)
        if pending is None or not pending.get(self.keys.certificate):
            raise RotationError(f"version {self.token} of {self.secret_id} holds no key: createSecret comes first")
        return pending


def rs256_jwt(claims: Mapping[str, Any], private_key_pem: str) -> str:
    """A compact JWS (RS256) of ``claims``: what PyJWT would make, with cryptography alone (this bundle's)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    signing_input = f"{_b64(json.dumps({'alg': 'RS256', 'typ': 'JWT'}).encode())}.{_b64(json.dumps(claims).encode())}"
    signature = load_private_key(private_key_pem).sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{_b64(signature)}"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _json_or_empty(data: bytes) -> dict[str, Any]:
    try:
        answer = json.loads(data)
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}


def on_rotation(event: Mapping[str, Any], context: Any) -> None:
    """The rotation function's handler: one step of one rotation (Secrets Manager retries a failed step)."""
    import boto3

    step, secret_id, token = event["Step"], event["SecretId"], event["ClientRequestToken"]
    settings = RotationSettings.from_environment()
    fields = {"contact_center": settings.contact_center, "step": step, "version": token}
    rotation = Rotation(settings, boto3.client("secretsmanager"), boto3.client("ssm"), secret_id, token)
    try:
        rotation.run(step)
    except Exception as error:
        logger.error(str(error), extra={"error_type": type(error).__name__, **fields})
        raise
    logger.info("rotation step done", extra=fields)
