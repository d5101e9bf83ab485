"""The secret documents of one contact center: names and JSON keys.

These names are a public contract. Contact flows, runbooks and the setup guide refer to
``${cc}-salesforce-secret`` and ``${cc}-salesforce-access-secret`` and to the JSON keys below,
so the invoker, the seeder and scvctl all take them from here and never spell them out. A further
org of the contact center has the pair ``${cc}-${org}-salesforce-secret`` /
``${cc}-${org}-salesforce-access-secret`` with the same JSON keys (those of ``${cc}``), as Salesforce's
function reads every org's secrets with the contact center's key names.
"""

import json
import re
from collections.abc import Mapping
from typing import NamedTuple

PRODUCTION_AUDIENCE = "https://login.salesforce.com/"
SANDBOX_AUDIENCE = "https://test.salesforce.com/"
#: what the audience (and an org's URL) may look like: an https host, no path; group 1 is the host
AUDIENCE_URL = re.compile(r"https://([A-Za-z0-9.-]+)/?")

CURRENT_STAGE = "AWSCURRENT"
PENDING_STAGE = "AWSPENDING"
#: the access secret's version that claims the refresh of one refused token (never AWSCURRENT: nobody reads it)
REFRESH_CLAIM_STAGE = "SCV_TOKEN_REFRESH"
#: a claim older than this whose token never came is void: its container failed (longer than a waiter's whole
#: wait plus a mint)
REFRESH_CLAIM_LIFETIME_SECONDS = 10


def refresh_claim_id(refused_token: str) -> str:
    """The version id (ClientRequestToken, 32-64 characters) that claims the refresh of ``refused_token``: the
    same in every container, and a one-way hash, so the version's id never shows the token."""
    import hashlib  # only a refused token comes here

    return "refresh-" + hashlib.sha256(refused_token.encode("utf-8")).hexdigest()[:56]


def refresh_claim_document(claimant: str, claimed_at: float) -> str:
    """What a claim version holds: who claimed the refresh, and when (epoch seconds)."""
    return json.dumps({"token_refresh_claimed_by": claimant, "claimed_at": int(claimed_at)})


def refresh_claimed_at(secret_string: str | None) -> float | None:
    """When a claim version was made; None when it does not say (void, like an expired one)."""
    try:
        return float(json.loads(secret_string or "")["claimed_at"])
    except (ValueError, KeyError, TypeError):
        return None


#: the access secret's key that remembers a refused sign-in, beside an empty token: every container (a new one too)
#: answers with the same error instead of asking the token endpoint again. Writing the document anew (a new token,
#: `scvctl token reset`, any scvctl command that clears the token) forgets it.
SIGN_IN_REFUSED_KEY = "sign_in_refused"
#: the one container that holds the probe lease asks the token endpoint again at most this often (the other
#: containers never do while the lease runs): at most one token request a minute per org during a refusal
SIGN_IN_RETRY_SECONDS = 60
#: how long a probe lease runs before its holder renews it: the refusal's record and each renewal is one
#: PutSecretValue, so an hour of refusals writes the access secret at most 5 times, the refresh claim that may
#: precede the first refusal included (AWS advises at most one PutSecretValue per 10 minutes, sustained); a
#: multiple of the retry interval
SIGN_IN_PROBE_LEASE_SECONDS = 15 * SIGN_IN_RETRY_SECONDS
#: how long a lease may stay unrenewed before another container takes it over (its holder got no call since it
#: ran out: reaped, or idle): long enough that a holder getting calls renews it alone, without a race of writers
SIGN_IN_LEASE_GRACE_SECONDS = 2 * SIGN_IN_RETRY_SECONDS


class SignInRefusal(NamedTuple):
    """A refusal of the token endpoint as the access secret remembers it: Salesforce's answer (never a token or an
    assertion), when it came (epoch seconds), and which container may ask again (``prober``) until when."""

    error: str
    description: str
    status: int
    status_text: str
    refused_at: float
    prober: str
    probe_until: float

    def leased_to(self, prober: str, now: float) -> "SignInRefusal":
        """The same refusal with the probe lease given to ``prober`` from ``now``."""
        return self._replace(prober=prober, probe_until=now + SIGN_IN_PROBE_LEASE_SECONDS)


def access_secret_document(keys: "SecretKeys", token: str, refusal: SignInRefusal | None = None) -> str:
    """The access secret's JSON: the token, and a remembered refusal while there is no token."""
    document: dict[str, object] = {keys.access_token: token}
    if refusal is not None:
        document[SIGN_IN_REFUSED_KEY] = refusal._asdict()
    return json.dumps(document)


def parse_sign_in_refusal(secret_string: str | None) -> SignInRefusal | None:
    """The refusal an access secret's document remembers; None when it remembers none (or not in this shape, which
    the next refusal rewrites)."""
    try:
        remembered = json.loads(secret_string or "")[SIGN_IN_REFUSED_KEY]
        return SignInRefusal(
            error=str(remembered["error"]),
            description=str(remembered["description"]),
            status=int(remembered["status"]),
            status_text=str(remembered["status_text"]),
            refused_at=float(remembered["refused_at"]),
            prober=str(remembered["prober"]),
            probe_until=float(remembered["probe_until"]),
        )
    except (ValueError, KeyError, TypeError):
        return None


def successor_version_id(version_id: str) -> str:
    """The version id (ClientRequestToken) of the one version that may follow ``version_id`` with a refusal record:
    Secrets Manager refuses the id's second use with another value, so of the containers that saw the same version
    and write a refusal (or take over its lease) at once, one succeeds."""
    import hashlib

    return "sign-in-" + hashlib.sha256(version_id.encode("utf-8")).hexdigest()[:56]


def secret_name_prefix(contact_center: str, org: str | None = None) -> str:
    """``${cc}``, or ``${cc}-${org}`` for a further org the contact center declares (multi-org, DR)."""
    return f"{contact_center}-{org}" if org else contact_center


#: the JWT subject: a Salesforce username, which has the form of an email address (it need not be a real mailbox)
#: in printable ASCII (a display name such as 山田太郎 is not one; a space, NUL or line break would reach the JWT)
USERNAME = re.compile(r"[!-?A-~]+@[!-?A-~]+\.[!-?A-~]+")


def main_secret_name(contact_center: str, org: str | None = None) -> str:
    """Name of the secret holding the consumer key, private key, subject and audience (of ``org``, if given)."""
    return f"{secret_name_prefix(contact_center, org)}-salesforce-secret"


def access_secret_name(contact_center: str, org: str | None = None) -> str:
    """Name of the secret holding the cached OAuth access token (of ``org``, if given)."""
    return f"{secret_name_prefix(contact_center, org)}-salesforce-access-secret"


def certificate_parameter_name(contact_center: str, org: str | None = None) -> str:
    """Name of the SSM parameter holding the public certificate in use (of ``org``, if given), readable
    without any right on the secret that holds the key."""
    return f"/{secret_name_prefix(contact_center, org)}/salesforce/certificate"


class SecretKeys(NamedTuple):
    """The JSON keys of one contact center's secret documents."""

    consumer_key: str
    private_key: str
    subject: str
    audience: str
    certificate: str
    access_token: str

    @classmethod
    def for_contact_center(cls, contact_center: str) -> "SecretKeys":
        prefix = f"{contact_center}-salesforce-rest-api"
        return cls(
            consumer_key=f"{prefix}-auth-consumer-key",
            private_key=f"{prefix}-auth-private-key",
            subject=f"{prefix}-subject",
            audience=f"{prefix}-audience",
            certificate=f"{prefix}-auth-certificate",
            access_token=f"{prefix}-access-token",
        )

    @property
    def required_main_keys(self) -> tuple[str, ...]:
        """Keys the invoker needs to mint a token (the certificate is for people, not for signing)."""
        return (self.consumer_key, self.private_key, self.subject, self.audience)


class SecretFormatError(ValueError):
    """A secret's value is not the JSON document the setup guide describes; ``error_code`` is the invoker's
    errorCode for it (INVALID_SECRET, or CONSUMER_KEY_NOT_SET while the app is not connected yet)."""

    def __init__(self, message: str, error_code: str = "INVALID_SECRET") -> None:
        super().__init__(message)
        self.error_code = error_code


def parse_secret_document(secret_name: str, secret_string: str | None) -> dict[str, str]:
    """Parse a secret value into a JSON object, naming the secret and the fix when it is not one."""
    if not secret_string:
        raise SecretFormatError(
            f"secret {secret_name} has no value: deploy the stack (its seeder fills it) "
            f"or run 'scvctl key import' to adopt an existing key"
        )
    try:
        document = json.loads(secret_string)
    except json.JSONDecodeError as error:
        raise SecretFormatError(
            f"secret {secret_name} is not valid JSON ({error.msg} at line {error.lineno} column {error.colno}): "
            f"the value must be one JSON object; a private key pasted by hand needs its newlines written as \\n"
        ) from None
    if not isinstance(document, dict):
        raise SecretFormatError(f"secret {secret_name} must hold a JSON object, not {type(document).__name__}")
    return document


def missing_keys(document: Mapping[str, object], keys: tuple[str, ...]) -> list[str]:
    """The keys a document lacks (absent or not a string), in the order asked for."""
    return [key for key in keys if not isinstance(document.get(key), str)]


class MainSecret(NamedTuple):
    """What minting a token needs, from a checked main secret document. ``repr`` never shows the private key."""

    consumer_key: str
    private_key: str
    subject: str
    audience: str
    version_id: str | None = None

    def __repr__(self) -> str:
        return (
            f"MainSecret(consumer_key={self.consumer_key!r}, private_key=<hidden>, subject={self.subject!r}, "
            f"audience={self.audience!r}, version_id={self.version_id!r})"
        )

    def with_private_key(self, other: "MainSecret") -> "MainSecret":
        """This document's consumer key, subject and audience with ``other``'s key (a staged rotation
        carries the new key; the current document carries the settings activation will keep)."""
        return MainSecret(self.consumer_key, other.private_key, self.subject, self.audience, other.version_id)


def consumer_key_missing_message(scvctl_target: str) -> str:
    return (
        "consumer key is empty: create the External Client App (or connected app) with the certificate from the "
        f"stack output, then run `scvctl consumer-key set {scvctl_target}`"
    )


def parse_main_secret(
    label: str, secret_string: str | None, version_id: str | None, keys: SecretKeys, scvctl_target: str
) -> MainSecret:
    """The main secret's document checked for what minting needs; a SecretFormatError naming the fix (with
    ``scvctl_target``, what follows an scvctl command for this org) otherwise."""
    document = parse_secret_document(label, secret_string)
    missing = missing_keys(document, keys.required_main_keys)
    if missing:
        raise SecretFormatError(
            f"secret {label} lacks {', '.join(missing)}: deploy the stack (its seeder writes the document) "
            f"or run `scvctl key import {scvctl_target}`"
        )
    consumer_key = document[keys.consumer_key].strip()
    if not consumer_key:
        raise SecretFormatError(consumer_key_missing_message(scvctl_target), error_code="CONSUMER_KEY_NOT_SET")
    empty = [key for key in (keys.private_key, keys.subject, keys.audience) if not document[key].strip()]
    if empty:
        raise SecretFormatError(
            f"secret {label} has an empty {', '.join(empty)}: redeploy the stack with the subject and audience "
            f"set in contact_centers.yaml, or run `scvctl key import {scvctl_target}`"
        )
    return MainSecret(
        consumer_key=consumer_key,
        private_key=document[keys.private_key],
        subject=document[keys.subject].strip(),
        audience=document[keys.audience].strip(),
        version_id=version_id,
    )


def parse_access_token(secret_string: str | None, keys: SecretKeys) -> str:
    """The token in the access secret ("" while there is none); a SecretFormatError saying what is wrong with
    a malformed one (the access secret is a cache: its reader treats that as empty, the next mint rewrites it)."""
    if not secret_string:
        return ""
    try:
        document = json.loads(secret_string)
    except ValueError:
        raise SecretFormatError("the access secret is not JSON") from None
    token = document.get(keys.access_token) if isinstance(document, dict) else None
    if not isinstance(token, str):
        raise SecretFormatError(f"the access secret lacks its token key {keys.access_token}")
    return token.strip()
