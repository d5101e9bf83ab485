"""The seed itself: bring the contact center's two secrets to what the custom resource's properties ask for.

It does at deploy time what the setup guide does by hand (openssl key and certificate, jq, put-secret-value,
"clear the access token"), and it is safe to run again: every decision is taken from the event and the
stored state, so a replayed event ends in the same state.

Create
    No private key stored: a new RSA-2048 key and certificate, the four JSON keys of the guide plus the
    certificate, and an empty access token. A key already stored (a retried Create, secrets made by hand,
    or SCV's, adopted with ``AdoptExisting``) is kept untouched; only missing JSON keys are filled, and a
    missing certificate is made FROM THAT KEY (the old ``server.crt`` stays valid: same key). A subject or
    audience the config states (``ExplicitSettings``) replaces an adopted one that differs, which
    ``Data.ReplacedSettings`` and the log report; a default never does.
Update
    ``Subject`` or ``Audience`` changed since the last deploy is written (key and certificate kept) and the
    token cleared; so is a changed ``SettingsVersion``. A value left empty or unchanged never overwrites a
    stored one. The consumer key is never a property (a template keeps its properties in plain text): it
    starts empty and is set with ``scvctl consumer-key set``, and every deploy keeps it. ``KeyRotation``
    bumped: a new key and certificate are staged as ``AWSPENDING`` (calls go on with the current key;
    ``Data.Certificate`` is the pending certificate to upload).
    ``ActivatePendingKey`` turned to "true" by this deploy, with a key staged (by this deploy's
    ``KeyRotation`` or earlier, e.g. by ``scvctl key rotate``): it is promoted and the token cleared. Only
    the deploy that turns it on activates: a "true" left in the config never promotes a key staged later,
    whose certificate may not be in Salesforce yet (that would stop every call until it is uploaded).
    ``CertificateRenewal`` bumped: a new certificate for the CURRENT key (a staged key already has a fresh
    one); the token is kept, since the key did not change. A counter that goes down (CloudFormation rolling
    back a failed update) unstages the rotation the failed update staged and renews nothing.
Delete
    Nothing (handler.py answers it before reading anything): both secrets are retained with the stack's resources.

Every JSON key the project does not own (SCV's other functions read theirs from the same secret) is kept
as it was through every step.

The outcome holds the certificate (public) and facts about it, never the private key.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from scv_shared.secret_format import SecretKeys

from scv_seeder.credentials import (
    CredentialError,
    certificate_info,
    certificate_matches_key,
    generate_key_pair,
    generate_private_key,
    issue_certificate,
    load_certificate,
    load_private_key,
    public_key_fingerprint,
    renew_certificate,
)
from scv_seeder.properties import SeedProperties
from scv_seeder.store import Document, SecretStore, SecretValueError, StoreError


@dataclass
class SeedOutcome:
    """The custom resource's attributes and the names of the steps taken (for the log)."""

    data: dict[str, str]
    actions: list[str] = field(default_factory=list)
    #: the certificate of the key in use (``data["Certificate"]`` is the pending one during a rotation)
    current_certificate: str = ""


def seed(store: SecretStore, new: SeedProperties, old: SeedProperties | None) -> SeedOutcome:
    """Bring the secrets to what the properties ask for (``old`` is None on Create), step by step."""
    run = _SeedRun.start(store, new, old)
    run.ensure_key()
    run.ensure_certificate()
    run.apply_settings()
    run.write_main_secret()
    run.stage_or_unstage_rotation()
    run.activate_pending_key()
    run.reset_token()
    return run.outcome()


@dataclass
class _SeedRun:
    """One seed's state between its steps: what was stored, the document being written, what was done.

    Every JSON key the project does not own (SCV's own settings, ``${cc}-scrt-jwt-auth-private-key`` ...)
    rides along in ``document`` untouched: the steps only ever set the keys of ``store.keys``.
    """

    store: SecretStore
    new: SeedProperties
    old: SeedProperties | None
    before: Document
    document: Document
    actions: list[str] = field(default_factory=list)
    #: a new stack's certificate is not in Salesforce yet; adopted secrets' certificate usually is
    certificate_is_new: bool = False
    renewal_version: str | None = None
    pending: tuple[str, Document] | None = None
    replaced: list[str] = field(default_factory=list)
    identity_changed: bool = False

    @classmethod
    def start(cls, store: SecretStore, new: SeedProperties, old: SeedProperties | None) -> _SeedRun:
        before = store.read_current() or {}
        return cls(store, new, old, before, dict(before), certificate_is_new=old is None and not new.adopt_existing)

    @property
    def keys(self) -> SecretKeys:
        return self.store.keys

    def ensure_key(self) -> None:
        """Made once, never replaced here: a key already stored (SCV's, or made by hand) is kept; a
        rotation goes through AWSPENDING."""
        if not self.document.get(self.keys.private_key):
            self.document[self.keys.private_key] = generate_private_key()
            self.document.pop(self.keys.certificate, None)
            self.actions.append("generated-key")
        _check_stored_key(self.store, self.document[self.keys.private_key])

    def ensure_certificate(self) -> None:
        """The current key's certificate: made if missing or not this key's, renewed when asked."""
        new, old, private_key = self.new, self.old, self.document[self.keys.private_key]
        if old is not None and _bumped(old.certificate_renewal, new.certificate_renewal):
            self.certificate_is_new = True
            self.renewal_version = self.store.version_id(
                f"renewal={new.certificate_renewal};key={public_key_fingerprint(private_key)}"
            )
            if self.store.read_version(self.renewal_version) is not None:  # a replay: written already
                self.renewal_version = None
                self.actions.append("renewal-already-written")
        if not _certificate_fits(private_key, self.document.get(self.keys.certificate)):
            self.document[self.keys.certificate] = issue_certificate(private_key, new.common_name, new.validity_days)
            self.certificate_is_new = True
            self.actions.append("issued-certificate")
        elif self.renewal_version is not None:
            self.document[self.keys.certificate] = renew_certificate(private_key, new.common_name, new.validity_days)
            self.actions.append("renewed-certificate")

    def apply_settings(self) -> None:
        """Subject and audience from the config, when it changed since the last deploy or the secret lacks
        the value; on adopting secrets (Create), also when the config states it and the secret says otherwise.
        A default or empty value never overwrites a stored one. The consumer key is only ever set by scvctl."""
        new, old, document = self.new, self.old, self.document
        document.setdefault(self.keys.consumer_key, "")
        for setting, key, value, old_value in (
            ("Subject", self.keys.subject, new.subject, old.subject if old else None),
            ("Audience", self.keys.audience, new.audience, old.audience if old else None),
        ):
            stored = document.get(key)
            changed = bool(value) and old_value is not None and old_value != value
            adopted_differs = old is None and setting in new.explicit_settings and bool(stored) and stored != value
            if value and (changed or not stored or adopted_differs):
                document[key] = value
                if stored and stored != value:
                    self.replaced.append(_replacement(setting, stored, value))
            document.setdefault(key, "")
            self.identity_changed = self.identity_changed or changed
        # Judged from the event as well as from what was stored: a replay after a crash between writing the
        # main secret and clearing the token still clears it.
        self.identity_changed = self.identity_changed or any(
            document.get(key) != self.before.get(key) for key in self.keys.required_main_keys
        )
        if self.replaced:
            self.actions.append("replaced-adopted-settings" if old is None else "replaced-settings")

    def write_main_secret(self) -> None:
        if self.document != self.before:
            self.store.write_current(self.document, version_id=self.renewal_version)
            self.actions.append("wrote-main-secret")

    def stage_or_unstage_rotation(self) -> None:
        """A bumped counter stages a new key as AWSPENDING (current untouched); one that went down
        (CloudFormation rolling back) unstages what the failed update staged."""
        new, old = self.new, self.old
        self.pending = self.store.read_pending()
        if old is None or old.key_rotation == new.key_rotation:
            return
        if _bumped(old.key_rotation, new.key_rotation):
            rotated_key, rotated_certificate = generate_key_pair(new.common_name, new.validity_days)
            rotated = {**self.document, self.keys.private_key: rotated_key, self.keys.certificate: rotated_certificate}
            self.store.stage_pending(rotated, new.key_rotation)  # a replay finds its first key staged
            self.certificate_is_new = True
            self.actions.append("staged-rotation")
        elif self.store.discard_pending(
            only_version_id=self.store.rotation_version_id(old.key_rotation, self.document[self.keys.private_key])
        ):
            self.actions.append("unstaged-rolled-back-rotation")
        self.pending = self.store.read_pending()

    def activate_pending_key(self) -> None:
        """The staged key becomes current (with the current consumer key, subject, audience and every other
        key), only on the deploy that turns ``ActivatePendingKey`` on."""
        new, old = self.new, self.old
        requested = new.activate_pending_key and (old is None or not old.activate_pending_key)
        if new.activate_pending_key and not requested and self.pending is not None:
            self.actions.append("kept-pending-key-activate-was-already-true")
        if not requested or self.pending is None:
            return
        self.document = self.store.promote_pending()
        self.pending = None
        self.identity_changed = True
        self.actions.append("activated-pending-key")
        if not self.document.get(self.keys.certificate):  # staged by hand without one
            self.document[self.keys.certificate] = issue_certificate(
                self.document[self.keys.private_key], new.common_name, new.validity_days
            )
            self.store.write_current(self.document)
            self.certificate_is_new = True
            self.actions.append("issued-certificate")

    def reset_token(self) -> None:
        """Cleared whenever what it was issued for changed (as the guide requires), kept otherwise."""
        settings_changed = self.old is not None and self.old.settings_version != self.new.settings_version
        if self.identity_changed or settings_changed or _token_unset(self.store):
            self.store.clear_token()
            self.actions.append("cleared-token")

    def outcome(self) -> SeedOutcome:
        shown = self.document[self.keys.certificate]
        if self.pending is not None:
            if self.pending[1].get(self.keys.certificate):
                shown = self.pending[1][self.keys.certificate]
            else:
                self.actions.append("pending-key-has-no-certificate")
        info = certificate_info(shown)
        return SeedOutcome(
            data={
                "Certificate": shown,
                "CertificateFingerprintSha256": info.fingerprint_sha256,
                "CertificateNotAfter": info.not_after,
                "PendingRotation": "true" if self.pending is not None else "false",
                "CertificateIsNew": "true" if self.certificate_is_new else "false",
                "ReplacedSettings": "; ".join(self.replaced) or "none",
            },
            actions=self.actions,
            current_certificate=self.document[self.keys.certificate],
        )


def _replacement(setting: str, stored: object, value: str) -> str:
    """What a replaced setting was and became; the subject is a username, so only its name is said."""
    if setting == "Audience":
        return f"Audience {stored} -> {value}"
    return f"{setting} replaced by the config's"


def _bumped(old: str, new: str) -> bool:
    """A counter went up (a request); down is CloudFormation rolling back (or a revert): undo, do not redo."""
    if old == new:
        return False
    try:
        return int(new) > int(old)
    except ValueError:
        return True


def _check_stored_key(store: SecretStore, private_key: str) -> None:
    try:
        load_private_key(private_key)
    except CredentialError as error:
        raise StoreError(
            f"secret {store.main_secret_id}: the stored {store.keys.private_key} cannot be used: {error}; "
            "then put it back with 'scvctl key import'"
        ) from None


def _certificate_fits(private_key: str, certificate: str | None) -> bool:
    """A stored certificate that is readable and carries this key's public key (else a new one is made)."""
    if not certificate:
        return False
    try:
        load_certificate(certificate)
    except CredentialError:
        return False
    return certificate_matches_key(private_key, certificate)


def _token_unset(store: SecretStore) -> bool:
    """The access secret has no token entry, or no readable value (it is only a cache: rewriting it is safe)."""
    try:
        return store.read_token() is None
    except SecretValueError:
        return True
