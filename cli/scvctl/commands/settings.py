"""``scvctl consumer-key set``, ``subject set``, ``audience set`` and ``token reset``: the setup guide's
Secrets Manager console edits, as commands.

Each change rewrites the main secret and then empties the cached access token, as the guide requires
after every change (a token minted for the old consumer key, user or audience would otherwise keep
being used). The consumer key is read from a hidden prompt or stdin, never from the command line.
Values set here survive deploys: the seeder only overwrites the subject or audience when
contact_centers.yaml's value for it changes, and never touches the consumer key (the config cannot hold it).
"""

from __future__ import annotations

import argparse

from scv_shared.secret_format import AUDIENCE_URL, PRODUCTION_AUDIENCE, SANDBOX_AUDIENCE, USERNAME, SecretKeys

from scvctl.console import note, say
from scvctl.errors import CliError
from scvctl.runtime import Runtime
from scvctl.secret_document import require_current, write_and_clear_token
from scvctl.secret_input import read_secret_value

ARGV_VALUE_REFUSED = (
    "the consumer key is never taken on the command line (it would stay in shell history and show in ps): "
    "run `scvctl consumer-key set CC` and paste it at the hidden prompt, or pipe it on standard input"
)


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    consumer_key = commands.add_parser("consumer-key", help="store the app's consumer key (prompted, never in argv)")
    consumer_key_actions = consumer_key.add_subparsers(dest="action", required=True, metavar="ACTION")
    set_consumer_key_parser = consumer_key_actions.add_parser(
        "set", parents=[common], help="read it from a hidden prompt, or stdin when piped"
    )
    # Only there to refuse it without echoing it back (argparse would print an unexpected argument).
    set_consumer_key_parser.add_argument("refused_value", nargs="?", help=argparse.SUPPRESS)
    set_consumer_key_parser.set_defaults(handler=set_consumer_key, argv_may_hold_secret=True)

    subject = commands.add_parser("subject", help="the Salesforce username the function acts as (JWT subject)")
    subject_set = subject.add_subparsers(dest="action", required=True, metavar="ACTION").add_parser(
        "set", parents=[common], help="set the integration user's username"
    )
    subject_set.add_argument(
        "username",
        metavar="USERNAME",
        help="the integration user's Salesforce username, an email-shaped login name such as integration@acme.com "
        "(a sandbox's ends with the sandbox name: integration@acme.com.uat)",
    )
    subject_set.set_defaults(handler=set_subject)

    audience = commands.add_parser("audience", help="the JWT audience: production, sandbox or My Domain")
    audience_set = audience.add_subparsers(dest="action", required=True, metavar="ACTION").add_parser(
        "set", parents=[common], help="set the JWT audience"
    )
    choice = audience_set.add_mutually_exclusive_group(required=True)
    choice.add_argument("--production", action="store_const", dest="audience", const=PRODUCTION_AUDIENCE,
                        help=f"{PRODUCTION_AUDIENCE} (production, Developer Edition)")  # fmt: skip
    choice.add_argument("--sandbox", action="store_const", dest="audience", const=SANDBOX_AUDIENCE,
                        help=f"{SANDBOX_AUDIENCE} (sandbox, scratch org)")  # fmt: skip
    choice.add_argument("--url", dest="audience", metavar="URL", help="e.g. the My Domain URL")
    audience_set.set_defaults(handler=set_audience)

    token = commands.add_parser("token", help="the cached access token")
    token_reset = token.add_subparsers(dest="action", required=True, metavar="ACTION").add_parser(
        "reset", parents=[common], help="clear it (the next call mints a new one)"
    )
    token_reset.set_defaults(handler=reset_token)


def set_consumer_key(args: argparse.Namespace, runtime: Runtime) -> int:
    if args.refused_value is not None:
        raise CliError(ARGV_VALUE_REFUSED, exit_code=2)
    require_current(runtime.store, runtime.contact_center.name)
    runtime.store.read_token()  # fail on a missing access secret before asking for the value
    if store_consumer_key(runtime, read_secret_value("consumer key")):
        say(f"Next: scvctl check {runtime.contact_center.name}")
    return 0


def store_consumer_key(runtime: Runtime, value: str) -> bool:
    """Store the consumer key (never shown) and clear the token; False when the secret already had it."""
    cc = runtime.contact_center.name
    store = runtime.store
    keys = SecretKeys.for_contact_center(cc)
    document = require_current(store, cc)
    if document.get(keys.consumer_key) == value:
        say(f"The consumer key in {store.main_secret_id} is already this one: nothing changed.")
        return False
    write_and_clear_token(store, {**document, keys.consumer_key: value})
    runtime.changed(f"stored the consumer key in {store.main_secret_id} and cleared the token")
    say(f"Stored the consumer key ({len(value)} characters, not shown) in {store.main_secret_id}.")
    say("Cleared the cached access token.")
    return True


def set_subject(args: argparse.Namespace, runtime: Runtime) -> int:
    username = args.username.strip()
    if not USERNAME.fullmatch(username):
        raise CliError(
            f"{username!r} is not a Salesforce username: usernames look like an email address "
            "(sandbox ones end with the sandbox name, e.g. user@example.com.uat)",
            exit_code=2,
        )
    contact_center = runtime.contact_center
    _update(runtime, SecretKeys.for_contact_center(contact_center.name).subject, username, "subject (username)")
    if contact_center.username != username:
        note(f"Note: contact_centers.yaml says username: {contact_center.username}; update it to match.")
    return 0


def set_audience(args: argparse.Namespace, runtime: Runtime) -> int:
    audience = args.audience.strip()
    if not AUDIENCE_URL.fullmatch(audience):
        raise CliError(
            f"--url {audience!r} must be an https URL without a path, such as https://acme.my.salesforce.com",
            exit_code=2,
        )
    contact_center = runtime.contact_center
    _update(runtime, SecretKeys.for_contact_center(contact_center.name).audience, audience, "audience")
    if contact_center.jwt_audience.rstrip("/") != audience.rstrip("/"):
        note(
            f"Note: contact_centers.yaml gives the audience {contact_center.jwt_audience}; set sandbox: or audience: "
            "there to match."
        )
    return 0


def reset_token(args: argparse.Namespace, runtime: Runtime) -> int:
    store = runtime.store
    store.clear_token()
    runtime.changed(f"cleared the cached access token in {store.access_secret_id}")
    say(f"Cleared the cached access token in {store.access_secret_id}; the next call mints a new one.")
    return 0


def _update(runtime: Runtime, key: str, value: str, what: str) -> None:
    """Set one (non-secret) value of the main secret and clear the token; says what changed."""
    cc = runtime.contact_center.name
    store = runtime.store
    document = require_current(store, cc)
    old = document.get(key, "")
    if old == value:
        say(f"The {what} in {store.main_secret_id} is already {value}: nothing changed.")
        return
    write_and_clear_token(store, {**document, key: value})
    runtime.changed(f"set the {what} in {store.main_secret_id} to {value} and cleared the token")
    say(f"Set the {what} in {store.main_secret_id}: {old or '(empty)'} -> {value}")
    say("Cleared the cached access token.")
    say(f"Next: scvctl check {cc}")
