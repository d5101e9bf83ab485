"""``scvctl cert show|export|renew``: the certificate Salesforce verifies the function's assertions with.

Renewal is the setup guide's "expired certificate" section without openssl: a new self-signed
certificate for the SAME key, so the certificate in Salesforce can be replaced at leisure and nothing
breaks in between. The consumer key and the access token are untouched (the key did not change, so
tokens minted with it stay valid).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from scv_seeder import credentials
from scv_seeder.credentials import fingerprint
from scv_seeder.store import StoreError
from scv_shared import constants
from scv_shared.secret_format import SecretKeys

from scvctl.console import certificate_summary, display_path, note, say, write_public_file
from scvctl.errors import CliError
from scvctl.runtime import Runtime
from scvctl.secret_document import require_current


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    group = commands.add_parser("cert", help="show, export or renew the certificate uploaded to Salesforce")
    actions = group.add_subparsers(dest="action", required=True, metavar="ACTION")

    show = actions.add_parser(
        "show",
        parents=[common],
        help="the certificate in use (PEM, SHA-256, expiry), and a staged rotation's certificate if there is one",
    )
    show.set_defaults(handler=show_certificate)

    export = actions.add_parser("export", parents=[common], help="write the certificate to a file to upload")
    export.add_argument("--out", type=Path, required=True, metavar="FILE", help="e.g. server.crt ('-': stdout)")
    export.add_argument("--pending", action="store_true", help="the staged rotation's certificate instead")
    export.set_defaults(handler=export_certificate)

    renew = actions.add_parser("renew", parents=[common], help="a new certificate for the same key")
    renew.add_argument("--days", type=int, metavar="N", help="validity (default: certificate.validity_days)")
    renew.add_argument("--out", type=Path, metavar="FILE", help="also write the new certificate here")
    renew.set_defaults(handler=renew_certificate)


def show_certificate(args: argparse.Namespace, runtime: Runtime) -> int:
    """The published certificate: no right on the secret that holds the key is needed for it (only for a
    staged rotation's, which is still read from the secret's AWSPENDING version)."""
    cc = runtime.contact_center.name
    store = runtime.store
    keys = SecretKeys.for_contact_center(cc)
    current = runtime.published_certificate()
    source = f"parameter {runtime.certificate_parameter}"
    if not current:  # a stack not deployed since the certificate was first published: read it from the secret
        current = require_current(store, cc).get(keys.certificate)
        source = f"secret {store.main_secret_id} ({runtime.certificate_parameter} not published yet)"
    say(f"Contact center {cc}: {source}")
    say()
    if current:
        certificate_summary("Current certificate (the key in use):", current)
    else:
        say(
            "Current certificate: none stored (a secret made by hand?). `scvctl cert renew "
            f"{cc}` makes one for the stored key, or `scvctl key import {cc} --private-key server.key "
            "--certificate server.crt` stores yours."
        )
    say()
    try:
        pending = store.read_pending()
    except StoreError as error:
        say(f"A staged key rotation could not be read ({error}); it needs GetSecretValue on {store.main_secret_id}.")
        return 0
    if pending is None:
        say("No key rotation staged.")
    elif not pending[1].get(keys.certificate):
        say(
            f"A key rotation is staged without a certificate: `scvctl key discard {cc}`, then `scvctl key rotate {cc}`."
        )
    else:
        certificate_summary(
            f"Pending certificate (key rotation staged: upload it, then `scvctl key activate {cc}`):",
            pending[1][keys.certificate],
        )
    return 0


def export_certificate(args: argparse.Namespace, runtime: Runtime) -> int:
    cc = runtime.contact_center.name
    store = runtime.store
    keys = SecretKeys.for_contact_center(cc)
    if args.pending:
        pending = store.read_pending()
        if pending is None:
            raise CliError(f"no key rotation is staged for {cc}: nothing pending to export (`scvctl key rotate {cc}`)")
        pem, which = pending[1].get(keys.certificate, ""), "pending"
    else:
        pem, which = require_current(store, cc).get(keys.certificate, ""), "current"
    if not pem:
        raise CliError(f"secret {store.main_secret_id} holds no certificate: `scvctl cert renew {cc}` makes one")
    info = credentials.certificate_info(pem)
    write_public_file(args.out, pem)
    if str(args.out) != "-":
        runtime.changed(f"wrote the {which} certificate of {cc} to {display_path(args.out)}")
    message = (
        f"Wrote the {which} certificate of {cc} (SHA-256 {info.fingerprint_sha256}, expires {info.not_after}) "
        f"to {display_path(args.out)}"
    )
    (note if str(args.out) == "-" else say)(message)
    return 0


def renew_certificate(args: argparse.Namespace, runtime: Runtime) -> int:
    contact_center = runtime.contact_center
    cc = contact_center.name
    days = contact_center.certificate.validity_days if args.days is None else args.days
    if not 1 <= days <= constants.CERTIFICATE_MAX_VALIDITY_DAYS:
        raise CliError(f"--days must be between 1 and {constants.CERTIFICATE_MAX_VALIDITY_DAYS}", exit_code=2)
    store = runtime.store
    keys = SecretKeys.for_contact_center(cc)
    document = require_current(store, cc)
    private_key = document.get(keys.private_key)
    if not private_key:
        raise CliError(f"secret {store.main_secret_id} holds no private key: `scvctl key import {cc}` adopts one")
    certificate = credentials.issue_certificate(private_key, contact_center.certificate_common_name, days)
    store.write_current({**document, keys.certificate: certificate})
    runtime.publish_certificate(certificate)
    runtime.changed(
        f"renewed the certificate of {cc} in {store.main_secret_id} ({fingerprint(certificate)}): "
        f"upload it (scvctl cert export {cc} --out server.crt)"
    )
    certificate_summary(f"Renewed the certificate of {cc} (same key, consumer key and token unchanged):", certificate)
    if args.out:
        write_public_file(args.out, certificate)
        runtime.changed(f"wrote the new certificate to {display_path(args.out)}")
        say(f"Wrote it to {display_path(args.out)}")
    say()
    say(
        "Upload it in place of the old one: External Client App > Settings > OAuth Settings > Enable JWT Bearer "
        "Flow > certificate, or the connected app's 'Use digital signatures'. The key is unchanged, so calls keep "
        "working while you do."
    )
    if store.read_pending() is not None:
        note(f"Note: a key rotation is staged; its certificate is unchanged (`scvctl cert show {cc}`).")
    return 0
