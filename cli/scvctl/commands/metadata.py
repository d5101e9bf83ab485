"""``scvctl salesforce-metadata``: the External Client App bundle and the Salesforce click-paths.

Writes what ``sf project deploy start`` needs to create the app with this contact center's certificate
(scvctl.sf_metadata), and a README with the deploy command and the manual ways (scvctl.sf_setup_guide).
The certificate is public: ``--certificate FILE`` (e.g. from ``scvctl cert export``) needs no AWS access.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from scv_seeder import credentials
from scv_shared.secret_format import SecretKeys

from scvctl.commands.key import normalized_certificate
from scvctl.console import display_path, read_text_file, say, write_public_file
from scvctl.errors import CliError
from scvctl.runtime import Runtime
from scvctl.secret_document import require_current
from scvctl.sf_metadata import CONTACT_EMAIL_PLACEHOLDER, AppSpec, bundle_files, default_app_name, deploy_api_version
from scvctl.sf_setup_guide import setup_readme


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    metadata = commands.add_parser(
        "salesforce-metadata",
        parents=[common],
        help="write an External Client App metadata bundle (sf project deploy start) and the Setup click-path",
    )
    metadata.add_argument("--out", type=Path, required=True, metavar="DIR", help="directory to write (an SFDX project)")
    metadata.add_argument("--name", help="the app's API name (default: <cc>_RestAPI)")
    metadata.add_argument("--label", help="the app's label (default: '<cc> Salesforce REST API')")
    metadata.add_argument("--contact-email", default=CONTACT_EMAIL_PLACEHOLDER, help="the app's contact email")
    metadata.add_argument("--preauthorize-profile", action="append", default=[], metavar="NAME",
                          help="a profile to pre-authorize, e.g. 'System Administrator' (repeatable)")  # fmt: skip
    metadata.add_argument("--preauthorize-permission-set", action="append", default=[], metavar="NAME",
                          help="a permission set (API name) to pre-authorize (repeatable)")  # fmt: skip
    source = metadata.add_mutually_exclusive_group()
    source.add_argument("--pending", action="store_true", help="use a staged rotation's certificate")
    source.add_argument("--certificate", type=Path, metavar="FILE",
                        help="this certificate (PEM), not the one in Secrets Manager: needs no AWS access")  # fmt: skip
    metadata.set_defaults(handler=write_metadata)


def write_metadata(args: argparse.Namespace, runtime: Runtime) -> int:
    contact_center = runtime.contact_center
    cc = contact_center.name
    if args.out.exists() and not args.out.is_dir():
        raise CliError(f"--out {args.out} is a file; give a directory")
    certificate = (
        normalized_certificate(read_text_file(args.certificate, "certificate file"))
        if args.certificate
        else _stored_certificate(runtime, pending=args.pending)
    )
    info = credentials.certificate_info(certificate)
    spec = AppSpec(
        name=args.name or default_app_name(cc),
        label=args.label or f"{cc} Salesforce REST API",
        description=(
            f"Amazon Connect contact center {cc}: {contact_center.function_name} calls the Salesforce REST API "
            "with the OAuth 2.0 JWT bearer flow (Service Cloud Voice)."
        ),
        contact_email=args.contact_email,
        certificate_pem=certificate,
        api_version=deploy_api_version(contact_center.api_version),
        profiles=tuple(args.preauthorize_profile),
        permission_sets=tuple(args.preauthorize_permission_set),
    )
    files = bundle_files(spec)
    files["README.md"] = setup_readme(spec, contact_center, info)
    for relative, content in files.items():
        write_public_file(args.out / relative, content)
    out = display_path(args.out)
    runtime.changed(f"wrote the External Client App bundle {spec.name} for {cc} to {out}/")
    say(
        f"Wrote the External Client App {spec.name} for {cc} to {out}/ (certificate SHA-256 {info.fingerprint_sha256}):"
    )
    for relative in sorted(files):
        say(f"  {relative}")
    say()
    say("Next (details and the Setup click-paths in README.md):")
    say(f"  1. cd {out} && sf project deploy start --source-dir force-app --target-org <org alias>")
    if not (spec.profiles or spec.permission_sets):
        say(f"  2. pre-authorize {contact_center.username}'s profile or permission set under the app's Policies")
    else:
        say(f"  2. check that {contact_center.username} has the pre-authorized profile / permission set")
    say(f"  3. copy the app's consumer key, then: scvctl consumer-key set {cc}")
    say(f"  4. scvctl check {cc}")
    return 0


def _stored_certificate(runtime: Runtime, *, pending: bool) -> str:
    """The current (or staged) certificate from the contact center's main secret."""
    cc = runtime.contact_center.name
    keys = SecretKeys.for_contact_center(cc)
    store = runtime.store
    if pending:
        staged = store.read_pending()
        if staged is None:
            raise CliError(f"no key rotation is staged for {cc}: run without --pending")
        certificate = staged[1].get(keys.certificate, "")
    else:
        certificate = require_current(store, cc).get(keys.certificate, "")
    if not certificate:
        raise CliError(f"secret {store.main_secret_id} holds no certificate: `scvctl cert renew {cc}` makes one")
    return certificate
