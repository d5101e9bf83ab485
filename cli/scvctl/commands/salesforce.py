"""``scvctl salesforce connect``: the Salesforce half of the setup guide, with an administrator's session.

SCV made a connected app ("... Connected App for RestAPI OAuth") with a consumer key only the org knows and
no certificate. The guide's edits to it (the certificate, admin-approved pre-authorization, the subject's
profile, the scopes api and refresh_token, the callback URL), the consumer key copied into the secret and
the token reset become one command; without ``--apply`` it only says what it would change.

With ``--apply`` it reads the app and saves the XML under build/ (``--restore FILE`` writes it back), makes
the change (scvctl.connected_app) and updates the app without its consumer key, reads it again and proves
that only the intended fields changed, stores the consumer key as ``consumer-key set`` does, clears the
cached token, and runs ``scvctl check``. Each failure is one line naming the fix, before anything changed.
``scvctl key rotate --upload`` uploads a new certificate through :func:`open_app` and :func:`update_app`.
"""

from __future__ import annotations

import argparse
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from scv_shared.secret_format import SecretKeys

from scvctl import connected_app
from scvctl.console import display_path, read_text_file, say, write_public_file
from scvctl.errors import CliError
from scvctl.runtime import Runtime
from scvctl.salesforce_admin import MetadataClient, sign_in
from scvctl.secret_document import require_current

#: what the name or label of the connected app SCV made contains
SCV_APP_MARK = "Connected App for RestAPI OAuth"
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

    client: MetadataClient
    record: ET.Element

    @property
    def name(self) -> str:
        return connected_app.full_name(self.record)


def open_app(args: argparse.Namespace, runtime: Runtime) -> OpenApp:
    """Sign in and read the app (``--app``, else the one SCV made); a CliError for none or several."""
    session = sign_in(target_org=args.target_org, instance_url=args.instance_url)
    client = MetadataClient(session, runtime.contact_center.api_version)
    if args.app:
        record = client.read_connected_apps([args.app]).get(args.app)
        if record is None:
            raise CliError(
                f"no connected app named {args.app} in {session.instance_url}: check --app against the API name in "
                f"Setup > App Manager, or leave --app out to find the '{SCV_APP_MARK}' app"
            )
        return OpenApp(client, record)
    records = client.read_connected_apps(client.list_connected_apps())
    mark = SCV_APP_MARK.lower()
    matches = [
        record
        for name, record in sorted(records.items())
        if mark in name.replace("_", " ").lower() or mark in connected_app.label(record).lower()
    ]
    if not matches:
        raise CliError(
            f"no connected app named '... {SCV_APP_MARK}' in {session.instance_url}: pass --app NAME (its API name in "
            "Setup > App Manager), or check that --target-org / --instance-url is the contact center's org"
        )
    if len(matches) > 1:
        names = ", ".join(connected_app.full_name(record) for record in matches)
        raise CliError(f"several connected apps match '{SCV_APP_MARK}' ({names}): choose one with --app NAME")
    return OpenApp(client, matches[0])


def update_app(
    runtime: Runtime, app: OpenApp, changed: ET.Element, *, allowed: frozenset[str]
) -> tuple[ET.Element, Path]:
    """Save the app as read, write ``changed`` without its consumer key, and read it back: the new record,
    and the saved file. A CliError when Salesforce refuses (nothing changed) or when the read differs from
    the one before in more than ``allowed``, or misses a change."""
    backup = _backup_path(runtime, app.name)
    write_public_file(backup, connected_app.as_file(app.record))
    runtime.changed(f"saved connected app {app.name} as read to {display_path(backup)}")
    failure = app.client.update_connected_app(connected_app.without_consumer_key(changed))
    if failure is not None:
        raise UpdateRefused(
            f"Salesforce refused the update of {app.name} ({failure.status_code}: {failure.message}); the app is "
            "unchanged: fix that in the org, or make the change by hand (README: From the setup guide to commands)"
        )
    after = app.client.read_connected_apps([app.name]).get(app.name)
    if after is None:
        raise CliError(f"connected app {app.name} could not be read back after the update: check it in Setup")
    runtime.changed(f"updated connected app {app.name}")
    unexpected = connected_app.changed_fields(app.record, after) - allowed
    not_applied = connected_app.changed_fields(
        connected_app.without_consumer_key(changed), connected_app.without_consumer_key(after)
    )
    if unexpected or not_applied:
        fields = ", ".join(sorted(unexpected | not_applied))
        raise CliError(
            f"connected app {app.name} read back differs from the intended change in {fields}: put it back with "
            f"`scvctl salesforce connect {runtime.contact_center.name} --restore {display_path(backup)}`"
        )
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
    profile = _profile_of(app.client, subject, cc)
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


def _profile_of(client: MetadataClient, username: str, cc: str) -> str:
    """The subject's own profile name as the org shows it (localized, e.g. 「システム管理者」)."""
    literal = username.replace("\\", "\\\\").replace("'", "\\'")
    soql = f"SELECT Id, IsActive, Profile.Name FROM User WHERE Username = '{literal}'"  # noqa: S608 - escaped
    rows = client.query(soql)
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
