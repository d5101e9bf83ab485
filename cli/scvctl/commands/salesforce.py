"""``scvctl salesforce connect``: the Salesforce half of the setup guide, with an administrator's session.

SCV made a connected app ("... Connected App for RestAPI OAuth") with a consumer key only the org knows and
no certificate. The guide's edits to it (the certificate, admin-approved pre-authorization, the subject's
profile, the scopes api and refresh_token, the callback URL), the consumer key copied into the secret and
the token reset become one command; without ``--apply`` it only says what it would change.

With ``--apply`` it reads the app and saves the XML under build/ (``--restore FILE`` writes it back), makes
the change (scv_seeder.connected_app) and updates the app without its consumer key, reads it again and proves
that only the intended fields changed, stores the consumer key as ``consumer-key set`` does, clears the
cached token, and runs ``scvctl check``. Each failure is one line naming the fix, before anything changed.
``scvctl key rotate --upload`` uploads a new certificate through :func:`open_app` and :func:`update_app`; the
rotation function makes the same update through scv_seeder.connected_app.
"""

from __future__ import annotations

import argparse
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from scv_seeder import connected_app
from scv_seeder.connected_app import SCV_APP_MARK, ConnectedAppError
from scv_seeder.metadata_api import MetadataApi
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
        help="set up SCV's connected app (certificate, pre-authorization, scopes) and store its consumer key",
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
        "--app", metavar="NAME", help=f"the connected app's API name (default: the one '{SCV_APP_MARK}')"
    )


class UpdateRefused(CliError):
    """Salesforce refused the update: the app is as it was (a caller may undo its own preparations)."""


@dataclass(frozen=True)
class OpenApp:
    """The app as read, and the session that reads and writes it."""

    api: MetadataApi
    session: AdminSession
    record: ET.Element

    @property
    def name(self) -> str:
        return connected_app.full_name(self.record)


def open_app(args: argparse.Namespace, runtime: Runtime) -> OpenApp:
    """Sign in and read the app (``--app``, else the one SCV made); a CliError for none or several."""
    session = sign_in(target_org=args.target_org, instance_url=args.instance_url)
    api = MetadataApi(session.instance_url, session.access_token, runtime.contact_center.api_version)
    with admin_errors(session):
        return OpenApp(api, session, connected_app.find_app(api, args.app))


def update_app(
    runtime: Runtime, app: OpenApp, changed: ET.Element, *, allowed: frozenset[str]
) -> tuple[ET.Element, Path]:
    """Save the app as read, write ``changed`` and read it back (scv_seeder.connected_app.apply_change): the new
    record, and the saved file. :class:`UpdateRefused` when Salesforce refused (nothing changed); a CliError
    naming ``--restore`` when the read differs from the intended change."""
    backup = _backup_path(runtime, app.name)
    write_public_file(backup, connected_app.as_file(app.record))
    runtime.changed(f"saved connected app {app.name} as read to {display_path(backup)}")
    try:
        with admin_errors(app.session):
            after = connected_app.apply_change(app.api, app.record, changed, allowed=allowed)
    except ConnectedAppError as error:
        if error.code == "REFUSED":
            raise UpdateRefused(
                f"{error}: fix that in the org, or make the change by hand (README: From the setup guide to commands)"
            ) from None
        runtime.changed(f"updated connected app {app.name}, but it does not read back as intended")
        restore = f"scvctl salesforce connect {runtime.contact_center.name} --restore {display_path(backup)}"
        raise CliError(f"{error}: put it back with `{restore}`") from None
    runtime.changed(f"updated connected app {app.name}")
    return after, backup


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
    changed, changes = connected_app.planned(app.record, certificate_pem=certificate, profile=profile)

    say(f"Connected app {app.name} ({connected_app.label(app.record)}), subject {subject} (profile {profile}):")
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
        after, backup = update_app(runtime, app, changed, allowed=connected_app.INTENDED_FIELDS)
        say(f"Updated {app.name}; the app as it was is saved in {display_path(backup)} (--restore puts it back).")
    else:
        after = app.record
    _store_consumer_key(runtime, connected_app.consumer_key(after), app.name)
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
            f"Salesforce did not return the consumer key of {app_name}: copy it in Setup (Manage Consumer Details) "
            f"and run `scvctl consumer-key set {runtime.contact_center.name}`"
        )
    store_consumer_key(runtime, value)


def _restore(args: argparse.Namespace, runtime: Runtime) -> int:
    saved = connected_app.from_file(read_text_file(args.restore, "saved connected app"), str(args.restore))
    name = connected_app.full_name(saved)
    app = open_app(argparse.Namespace(**{**vars(args), "app": name}), runtime)
    saved.tag = connected_app.tag("records")
    differing = connected_app.changed_fields(connected_app.without_consumer_key(app.record), saved)
    if not differing:
        say(f"Connected app {name} is already as saved in {display_path(args.restore)}: nothing changed.")
        return 0
    update_app(runtime, app, saved, allowed=frozenset(differing))
    say(f"Restored {name} from {display_path(args.restore)} ({', '.join(sorted(differing))}).")
    return 0


def _backup_path(runtime: Runtime, app_name: str) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    owner = runtime.contact_center.name + (f"-{runtime.org}" if runtime.org else "")
    return BACKUP_DIR / owner / f"{app_name}-{stamp}.connectedApp-meta.xml"
