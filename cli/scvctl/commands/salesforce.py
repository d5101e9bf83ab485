"""``scvctl salesforce connect``: the Salesforce half of the setup guide, with an administrator's session.

SCV made a connected app ("... Connected App for RestAPI OAuth") for contact centers before Summer '26, and
an External Client App since, each with a consumer key only the org knows and no certificate. The guide's
edits to it (the certificate, admin-approved pre-authorization, the subject's profile, the scopes api and
refresh_token, the callback URL), the consumer key copied into the secret and the token reset become one
command; without ``--apply`` it only says what it would change.

Which app (scv_seeder.oauth_app.find): ``--app NAME``, else the connected app whose name contains SCV's
mark; when the org has none, the External Client App whose API name or label contains the mark or the
contact center's name. With ``--apply`` it reads the app and saves the XML under build/ (``--restore FILE``
writes it back), reads the consumer key (an External Client App's through the credentials resource, the
key only), makes the change (scv_seeder.connected_app / external_client_app) and updates the app without its
consumer key, reads it again and proves that only the intended fields changed, stores the consumer key as
``consumer-key set`` does, clears the cached token, and runs ``scvctl check``. Each failure is one line
naming the fix, before anything changed. ``scvctl key rotate --upload`` uploads a new certificate through
:func:`open_app` and :func:`update_app`; the rotation function makes the same update through scv_seeder.oauth_app.
"""

from __future__ import annotations

import argparse
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from scv_seeder import connected_app, metadata_xml, oauth_app
from scv_seeder.connected_app import SCV_APP_MARK, ConnectedAppError
from scv_seeder.metadata_api import MetadataApi
from scv_seeder.oauth_app import AppKind
from scv_shared.secret_format import SecretKeys

from scvctl.console import display_path, read_text_file, say, write_public_file
from scvctl.errors import CliError
from scvctl.runtime import Runtime
from scvctl.salesforce_admin import AdminSession, admin_errors, sign_in
from scvctl.secret_document import require_current

#: where ``--apply`` saves the app as it was read, for ``--restore``
BACKUP_DIR = Path("build") / "salesforce"
#: Salesforce applies a changed connected app within this many minutes
PROPAGATION_MINUTES = 10


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    group = commands.add_parser("salesforce", help="do the guide's Salesforce steps with an administrator's session")
    actions = group.add_subparsers(dest="action", required=True, metavar="ACTION")
    connect = actions.add_parser(
        "connect",
        parents=[common],
        help="set up SCV's connected app or External Client App (certificate, pre-authorization, scopes) and store "
        "its consumer key",
    )
    add_app_options(connect)
    connect.add_argument("--apply", action="store_true", help="make the changes (default: only show them)")
    connect.add_argument("--restore", type=Path, metavar="FILE", help="write back an app saved by --apply")
    connect.set_defaults(handler=connect_app)


def add_app_options(parser: argparse.ArgumentParser) -> None:
    """How the administrator signs in, and which app: shared with ``key rotate --upload``."""
    sign_in_group = parser.add_mutually_exclusive_group()
    sign_in_group.add_argument("--target-org", metavar="ALIAS", help="the Salesforce CLI's login (sf org display)")
    sign_in_group.add_argument(
        "--instance-url", metavar="URL", help="the org's URL; the access token is read from SF_ACCESS_TOKEN"
    )
    parser.add_argument(
        "--app",
        metavar="NAME",
        help=f"the connected app's or External Client App's API name (default: the one '{SCV_APP_MARK}', else the "
        "External Client App named after the contact center)",
    )


class UpdateRefused(CliError):
    """Salesforce refused the update: the app is as it was (a caller may undo its own preparations)."""


@dataclass(frozen=True)
class OpenApp:
    """The app as read, and the session that reads and writes it."""

    api: MetadataApi
    session: AdminSession
    kind: AppKind
    record: ET.Element

    @property
    def name(self) -> str:
        return self.kind.full_name(self.record)

    @property
    def title(self) -> str:
        """``Connected app NAME`` / ``External Client App NAME``, for the messages."""
        return f"{self.kind.KIND[0].upper()}{self.kind.KIND[1:]} {self.name}"


def open_app(args: argparse.Namespace, runtime: Runtime) -> OpenApp:
    """Sign in and read the app (``--app``, else the one SCV made); a CliError for none or several."""
    session = sign_in(target_org=args.target_org, instance_url=args.instance_url)
    api = MetadataApi(session.instance_url, session.access_token, runtime.contact_center.api_version)
    with admin_errors(session):
        kind, record = oauth_app.find(api, args.app, runtime.contact_center.name)
    return OpenApp(api, session, kind, record)


def update_app(runtime: Runtime, app: OpenApp, changed: ET.Element, *, allowed: frozenset[str]) -> Path:
    """Save the app as read, write ``changed`` and read it back (the app kind's apply_change): the saved file.
    :class:`UpdateRefused` when Salesforce refused (nothing changed); a CliError naming ``--restore`` when the
    read differs from the intended change."""
    backup = _backup_path(runtime, app)
    write_public_file(backup, app.kind.as_file(app.record))
    runtime.changed(f"saved {app.kind.KIND} {app.name} as read to {display_path(backup)}")
    try:
        with admin_errors(app.session):
            app.kind.apply_change(app.api, app.record, changed, allowed=allowed)
    except ConnectedAppError as error:
        if error.code == "REFUSED":
            raise UpdateRefused(
                f"{error}: fix that in the org, or make the change by hand (README: From the setup guide to commands)"
            ) from None
        runtime.changed(f"updated {app.kind.KIND} {app.name}, but it does not read back as intended")
        restore = f"scvctl salesforce connect {runtime.contact_center.name} --restore {display_path(backup)}"
        raise CliError(f"{error}: put it back with `{restore}`") from None
    runtime.changed(f"updated {app.kind.KIND} {app.name}")
    return backup


def connect_app(args: argparse.Namespace, runtime: Runtime) -> int:
    if args.restore:
        return _restore(args, runtime)
    cc = runtime.contact_center.name
    keys = SecretKeys.for_contact_center(cc)
    document = require_current(runtime.store, cc)
    certificate = runtime.published_certificate() or document.get(keys.certificate)
    if not certificate:
        raise CliError(
            f"secret {runtime.store.main_secret_id} holds no certificate: `scvctl cert renew {cc}` makes one"
        )
    subject = document.get(keys.subject) or runtime.contact_center.username
    app = open_app(args, runtime)
    with admin_errors(app.session):
        profile = _profile_of(app.api, subject, cc)
        consumer_key = app.kind.read_consumer_key(app.api, app.record)  # before any change: it may be refused
    changed, changes = app.kind.planned(app.record, certificate_pem=certificate, profile=profile)

    say(f"{app.title} ({app.kind.label(app.record)}), subject {subject} (profile {profile}):")
    for change in changes:
        say(f"  {change.describe()}")
    if not changes:
        say("  already set up as the guide says: nothing to change")
    if not args.apply:
        say()
        say("Nothing was changed (a dry run). Run again with --apply to make these changes, store the consumer key")
        say("and clear the cached token.")
        return 0

    if changes:
        backup = update_app(runtime, app, changed, allowed=app.kind.INTENDED_FIELDS)
        say(f"Updated {app.name}; the app as it was is saved in {display_path(backup)} (--restore puts it back).")
    _store_consumer_key(runtime, consumer_key, app.name)
    from scvctl.commands.check import run_check
    from scvctl.commands.settings import reset_token

    reset_token(args, runtime)
    say()
    status = run_check(argparse.Namespace(event=None), runtime)
    if status and changes:
        say(f"Salesforce takes up to {PROPAGATION_MINUTES} minutes to apply a changed app: `scvctl check {cc}` later.")
    return status


def _profile_of(api: MetadataApi, username: str, cc: str) -> str:
    """The subject's own profile name as the org shows it (localized, e.g. 「システム管理者」)."""
    literal = username.replace("\\", "\\\\").replace("'", "\\'")
    soql = f"SELECT Id, IsActive, Profile.Name FROM User WHERE Username = '{literal}'"  # noqa: S608 - escaped
    rows = api.query(soql)
    if not rows:
        raise CliError(
            f"user {username} is not in this org: check the org you signed in to, or the subject "
            f"(`scvctl subject set {cc} USERNAME`)"
        )
    profile = (rows[0].get("Profile") or {}).get("Name")
    if not profile:
        raise CliError(f"the profile of {username} cannot be read: sign in as a System Administrator")
    return str(profile)


def _store_consumer_key(runtime: Runtime, value: str, app_name: str) -> None:
    from scvctl.commands.settings import store_consumer_key

    if not value:
        raise CliError(
            f"Salesforce did not return the consumer key of {app_name}: copy it in Setup (a connected app's Manage "
            "Consumer Details, an External Client App's Settings > OAuth Settings > Consumer Key and Secret) and run "
            f"`scvctl consumer-key set {runtime.contact_center.name}`"
        )
    store_consumer_key(runtime, value)


def _restore(args: argparse.Namespace, runtime: Runtime) -> int:
    saved = connected_app.parse_saved(read_text_file(args.restore, "saved app"), str(args.restore))
    kind = oauth_app.kind_of_file(saved, str(args.restore))
    name = kind.full_name(saved)
    app = open_app(argparse.Namespace(**{**vars(args), "app": name}), runtime)
    if app.kind is not kind:
        raise CliError(f"{display_path(args.restore)} holds a {kind.KIND}, but {name} in the org is a {app.kind.KIND}")
    differing = metadata_xml.changed_fields(app.kind.without_consumer_key(app.record), saved)
    if not differing:
        say(f"{app.title} is already as saved in {display_path(args.restore)}: nothing changed.")
        return 0
    update_app(runtime, app, saved, allowed=frozenset(differing))
    say(f"Restored {name} from {display_path(args.restore)} ({', '.join(sorted(differing))}).")
    return 0


def _backup_path(runtime: Runtime, app: OpenApp) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    owner = runtime.contact_center.name + (f"-{runtime.org}" if runtime.org else "")
    return BACKUP_DIR / owner / f"{app.name}-{stamp}.{app.kind.FILE_SUFFIX}-meta.xml"
