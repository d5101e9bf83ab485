"""``scvctl key rotate|activate|discard|import``: the private key the function signs with.

Rotation without an outage: ``key rotate`` stages a new key and certificate as the secret's
AWSPENDING version while the current key keeps working. Once the new certificate is uploaded, the
function notices by itself (Salesforce answers "invalid assertion" for the old key, the function
tries the pending one and succeeds); ``key activate`` then makes it current. For a leaked key,
``key rotate --now`` replaces it at once (calls fail until the new certificate is uploaded). In mode companion
SCV's function signs with the current key only, so the rotation is a staged swap the operator completes:
upload the certificate, then ``key activate`` right away.

``key import`` adopts a key made by hand with openssl as in the setup guide: it must be an unencrypted
RSA key of at least 2048 bits and match the given certificate (else Salesforce says "invalid
assertion"); without a certificate one is made from the key. It is stored as PKCS#8 PEM, the format
the secret document specifies, whatever format openssl wrote.
"""

from __future__ import annotations

import argparse
import uuid
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from scv_seeder import credentials
from scv_seeder.credentials import fingerprint
from scv_shared.secret_format import SecretKeys

from scvctl.commands.salesforce import UpdateRefused, add_app_options, open_app, update_app
from scvctl.console import certificate_summary, display_path, read_text_file, say, write_public_file
from scvctl.errors import CliError
from scvctl.runtime import Runtime
from scvctl.secret_document import require_current, with_config_defaults, write_and_clear_token


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    group = commands.add_parser("key", help="rotate, activate, discard or import the private key")
    actions = group.add_subparsers(dest="action", required=True, metavar="ACTION")

    rotate = actions.add_parser("rotate", parents=[common], help="stage a new key (or --now: replace it at once)")
    rotate.add_argument("--now", action="store_true", help="replace the current key at once (a leaked key)")
    rotate.add_argument("--out", type=Path, metavar="FILE", help="write the new certificate here, e.g. server.crt")
    rotate.add_argument(
        "--upload",
        action="store_true",
        help="upload the certificate to the connected app and make the key current (an administrator's session)",
    )
    add_app_options(rotate)
    rotate.set_defaults(handler=rotate_key)

    activate = actions.add_parser("activate", parents=[common], help="make the staged key current")
    activate.set_defaults(handler=activate_key)

    discard = actions.add_parser("discard", parents=[common], help="drop a staged key (the current one stays)")
    discard.set_defaults(handler=discard_key)

    adopt = actions.add_parser("import", parents=[common], help="adopt a key made with openssl (server.key)")
    adopt.add_argument("--private-key", type=Path, required=True, metavar="FILE", help="unencrypted RSA key, PEM")
    adopt.add_argument("--certificate", type=Path, metavar="FILE", help="its certificate (default: make one)")
    adopt.set_defaults(handler=import_key)


def _new_key(runtime: Runtime) -> tuple[str, str]:
    """A new key and its certificate, with the contact center's common name and validity."""
    settings = runtime.contact_center
    private_key = credentials.generate_private_key()
    return private_key, credentials.issue_certificate(
        private_key, settings.certificate_common_name, settings.certificate.validity_days
    )


def rotate_key(args: argparse.Namespace, runtime: Runtime) -> int:
    cc = runtime.contact_center.name
    store = runtime.store
    keys = SecretKeys.for_contact_center(cc)
    document = require_current(store, cc)
    pending = store.read_pending()
    if pending is not None and not args.now:
        raise CliError(
            f"a key rotation is already staged for {cc} ({fingerprint(pending[1].get(keys.certificate))}): upload that "
            f"certificate (`scvctl cert export {cc} --pending --out server.crt`) and run `scvctl key activate {cc}`, "
            f"or drop it with `scvctl key discard {cc}`"
        )
    if not args.upload and (args.target_org or args.instance_url or args.app):
        raise CliError("--target-org, --instance-url and --app go with --upload", exit_code=2)
    if args.upload:
        if args.now:
            raise CliError("--upload rotates without an outage; leave --now out (it is for a leaked key)", exit_code=2)
        return _rotate_and_upload(args, runtime, document)
    private_key, certificate = _new_key(runtime)
    rotated = {**document, keys.private_key: private_key, keys.certificate: certificate}
    if args.now:
        write_and_clear_token(store, rotated)
        runtime.publish_certificate(certificate)
        if pending is not None:
            store.discard_pending()
        runtime.changed(
            f"replaced the key of {cc} and cleared the token ({fingerprint(certificate)}): calls fail until this "
            f"certificate is uploaded (scvctl cert export {cc} --out server.crt)"
        )
        certificate_summary(
            f"Replaced the key of {cc}; the cached access token is cleared. Certificate to upload:", certificate
        )
        steps = [
            "Upload this certificate NOW in place of the old one (External Client App > Settings > OAuth Settings > "
            "Enable JWT Bearer Flow, or the connected app's 'Use digital signatures'): calls fail with 'invalid "
            "assertion' until Salesforce has it.",
            f"Then: scvctl check {cc}",
        ]
    else:
        store.stage_pending(rotated, f"scvctl-{uuid.uuid4().hex}")
        runtime.changed(
            f"staged a new key for {cc} ({fingerprint(certificate)}): upload its certificate "
            f"(scvctl cert export {cc} --pending --out server.crt), then scvctl key activate {cc}"
        )
        certificate_summary(
            f"Staged a new key for {cc} (the current key stays in use). Certificate to upload:", certificate
        )
        steps = _staged_rotation_steps(cc, ours=runtime.contact_center.ships_function)
    if args.out:
        write_public_file(args.out, certificate)
        runtime.changed(f"wrote the certificate to {display_path(args.out)}")
        say(f"Wrote the certificate to {display_path(args.out)}")
    say()
    for number, step in enumerate(steps, 1):
        say(f"{number}. {step}")
    return 0


def _staged_rotation_steps(cc: str, *, ours: bool) -> list[str]:
    """Ours tries the staged key by itself; SCV's function (mode companion) signs with the current key only."""
    upload = (
        "Upload this certificate in place of the old one (External Client App > Settings > OAuth Settings > "
        "Enable JWT Bearer Flow, or the connected app's 'Use digital signatures')"
    )
    if ours:
        return [
            f"{upload}.",
            "The function switches to the new key by itself as soon as Salesforce accepts it.",
            f"Then make it current: scvctl key activate {cc}",
        ]
    return [
        f"SCV's function knows nothing of the staged key: it signs with the current one until you activate. "
        f"{upload}, and right after it run: scvctl key activate {cc}",
        "Between the upload and the activation Salesforce refuses the old key, so SCV's calls fail for those "
        "seconds: do both in a quiet hour.",
        f"Then: scvctl check {cc}",
    ]


def _rotate_and_upload(args: argparse.Namespace, runtime: Runtime, document: dict[str, str]) -> int:
    """Stage a new key, upload its certificate as ``salesforce connect`` would, and make it current.

    The app is read before anything is staged, so a bad session or a missing app changes nothing; when
    Salesforce refuses the upload the staged key is dropped and the current one stays in use. Between the
    upload and the activation our function signs with the staged key by itself, so calls keep working.
    """
    cc = runtime.contact_center.name
    keys = SecretKeys.for_contact_center(cc)
    app = open_app(args, runtime)
    private_key, certificate = _new_key(runtime)
    runtime.store.stage_pending(
        {**document, keys.private_key: private_key, keys.certificate: certificate}, f"scvctl-{uuid.uuid4().hex}"
    )
    runtime.changed(f"staged a new key for {cc} ({fingerprint(certificate)})")
    changed, changes = app.kind.with_certificate(app.record, certificate)
    try:
        backup = update_app(runtime, app, changed, allowed=app.kind.CERTIFICATE_FIELDS)
    except UpdateRefused as refusal:
        runtime.store.discard_pending()
        runtime.changed(f"dropped the staged key of {cc}: the current key stays in use")
        raise CliError(f"{refusal} (the new key is dropped; the current key stays in use)") from None
    say(f"Uploaded the new certificate to {app.name}: {changes[0].describe()}")
    say(f"(the app as it was is saved in {display_path(backup)})")
    if args.out:
        write_public_file(args.out, certificate)
        runtime.changed(f"wrote the certificate to {display_path(args.out)}")
    return activate_key(args, runtime)


def activate_key(args: argparse.Namespace, runtime: Runtime) -> int:
    cc = runtime.contact_center.name
    store = runtime.store
    keys = SecretKeys.for_contact_center(cc)
    if store.read_pending() is None:
        raise CliError(f"no key rotation is staged for {cc}: nothing to activate (`scvctl key rotate {cc}` stages one)")
    store.read_token()  # the access secret must be usable before the main secret changes
    promoted = store.promote_pending()
    store.clear_token()
    runtime.publish_certificate(promoted[keys.certificate])
    runtime.changed(
        f"activated the staged key of {cc} ({fingerprint(promoted.get(keys.certificate))}) and cleared the token"
    )
    certificate_summary(
        f"Activated the staged key of {cc}; the cached access token is cleared. Certificate now in use:",
        promoted[keys.certificate],
        with_pem=False,
    )
    say()
    say(
        "If calls now fail with 'invalid assertion', Salesforce still has the old certificate: "
        f"scvctl cert export {cc} --out server.crt and upload it."
    )
    return 0


def discard_key(args: argparse.Namespace, runtime: Runtime) -> int:
    cc = runtime.contact_center.name
    store = runtime.store
    pending = store.read_pending()
    if pending is None:
        say(f"No key rotation is staged for {cc}: nothing to discard.")
        return 0
    info = credentials.certificate_info(pending[1][SecretKeys.for_contact_center(cc).certificate])
    store.discard_pending()
    runtime.changed(f"dropped the staged key of {cc} (certificate SHA-256 {info.fingerprint_sha256})")
    say(
        f"Dropped the staged key of {cc} (certificate SHA-256 {info.fingerprint_sha256}); the current key stays in use."
    )
    return 0


def import_key(args: argparse.Namespace, runtime: Runtime) -> int:
    contact_center = runtime.contact_center
    cc = contact_center.name
    keys = SecretKeys.for_contact_center(cc)
    # Everything is validated before the secrets are even read: nothing is written for a bad key.
    private_key = pkcs8_pem(read_text_file(args.private_key, "private key file"))
    if args.certificate:
        certificate = normalized_certificate(read_text_file(args.certificate, "certificate file"))
        credentials.validate_key_pair(private_key, certificate)
        made = False
    else:
        certificate = credentials.issue_certificate(
            private_key, contact_center.certificate_common_name, contact_center.certificate.validity_days
        )
        made = True
    store = runtime.store
    current = store.read_current()
    pending = store.read_pending()
    document = with_config_defaults(current, contact_center)
    document[keys.private_key] = private_key
    document[keys.certificate] = certificate
    write_and_clear_token(store, document)
    runtime.publish_certificate(certificate)
    if pending is not None:
        store.discard_pending()
    runtime.changed(
        f"imported the key from {display_path(args.private_key)} into {store.main_secret_id} "
        f"({fingerprint(certificate)}) and cleared the token"
        + ("; dropped the staged rotation" if pending is not None else "")
    )
    say(
        f"Imported the key from {display_path(args.private_key)} into {store.main_secret_id}; "
        "the cached access token is cleared."
    )
    if pending is not None:
        say("The key rotation that was staged is dropped (it was for the previous key).")
    say()
    if made:
        certificate_summary(
            "Made a certificate for it (upload it to the app, or keep the one you uploaded):", certificate
        )
    else:
        certificate_summary(
            f"Certificate {display_path(args.certificate)} (must be the one uploaded to the app):",
            certificate,
            with_pem=False,
        )
    say()
    say(f"Next: scvctl check {cc}")
    return 0


def pkcs8_pem(private_key_pem: str) -> str:
    """The key as unencrypted PKCS#8 PEM (the secret document's format), after the seeder's checks.

    openssl writes ``BEGIN RSA PRIVATE KEY`` (PKCS#1) or ``BEGIN PRIVATE KEY`` (PKCS#8) depending on its
    version; the function and the seeder expect one format.
    """
    key = credentials.load_private_key(private_key_pem)  # RSA, >= 2048 bits, not encrypted
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def normalized_certificate(certificate_pem: str) -> str:
    """The certificate's PEM alone (a file from ``openssl x509 -text`` or a chain carries more text)."""
    certificate = credentials.load_certificate(certificate_pem)
    return certificate.public_bytes(serialization.Encoding.PEM).decode()
