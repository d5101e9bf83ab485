"""``scvctl``: every manual step of the Service Cloud Voice REST API setup guide, as one command each.

``main(argv)`` parses, resolves the contact center against contact_centers.yaml, runs the command and
turns every expected failure into one line on stderr and a non-zero status (no traceback): 1 for a
failure, 2 for a usage error. ``invoker`` replaces Lambda invocation for ``check`` (tests run the
shipped handler locally instead).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from scvctl.errors import translate
from scvctl.invoke import Invoker

if TYPE_CHECKING:  # pragma: no cover
    from scvctl.runtime import Runtime

PROG = "scvctl"
#: the status of a process killed by SIGPIPE, as `cmd | head` reports for other tools
STDOUT_CLOSED_STATUS = 128 + 13


def build_parser() -> argparse.ArgumentParser:
    """The whole command tree. Global options work before the command and after the contact center."""
    from scvctl.commands import cert, check, flows, key, metadata, preflight, salesforce, settings

    parser = argparse.ArgumentParser(
        prog=PROG,
        description=(
            "Operate the Salesforce REST API function of an Amazon Connect contact center: certificates, keys, "
            "consumer key, subject, audience, token, checks and the Salesforce app. Never prints secret values."
        ),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    _add_global_options(parser, None)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("contact_center", metavar="CC", help="contact-center name from contact_centers.yaml")
    _add_global_options(common, argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (preflight, cert, key, settings, check, flows, metadata, salesforce):
        module.register(commands, common)
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("scv-salesforce-rest-api")
    except PackageNotFoundError:  # run from a checkout without pip install -e .
        return "(not installed)"


def _add_global_options(parser: argparse.ArgumentParser, default: object) -> None:
    """``default=SUPPRESS`` on the leaf parsers keeps a value given before the command from being reset."""
    parser.add_argument("--profile", default=default, help="AWS profile (default: AWS_PROFILE or the default chain)")
    parser.add_argument("--region", default=default, help="AWS region (default: the contact center's, else AWS's)")
    parser.add_argument("--config", type=Path, default=default, metavar="FILE", help="contact_centers.yaml to read")
    parser.add_argument(
        "--org",
        default=default,
        metavar="ORG",
        help="act on one of the contact center's further orgs (its secrets ${cc}-${org}-salesforce-secret ...)",
    )


def main(argv: Sequence[str] | None = None, *, invoker: Invoker | None = None) -> int:
    """Run one command; returns the exit status."""
    parser = build_parser()
    arguments = list(sys.argv[1:] if argv is None else argv)
    try:  # argparse exits for --help and usage errors; return the status instead (main is called by tests)
        args, unknown = parser.parse_known_args(arguments)
        may_hold_secret = getattr(args, "argv_may_hold_secret", False)
        if unknown and not may_hold_secret:
            parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    except SystemExit as exit_:  # --help, or a usage error
        return _finished(exit_.code if isinstance(exit_.code, int) else 2)
    if unknown:  # never echo them: a consumer key may be among them
        return _fail(_refused_argv_message(), 2)
    runtime: Runtime | None = None
    try:
        runtime = _runtime(args, invoker, echo_name=not may_hold_secret)
        status = int(args.handler(args, runtime))
    except KeyboardInterrupt:
        status = _fail("interrupted", 130)
    except Exception as error:  # translated below; anything unknown is a bug and keeps its traceback
        cli_error = translate(error)
        if cli_error is None:
            raise
        status = _fail(str(cli_error), cli_error.exit_code)
    return _finished(status, runtime.changes if runtime else [])


def _runtime(args: argparse.Namespace, invoker: Invoker | None, *, echo_name: bool) -> Runtime:
    from scvctl.aws import AwsOptions, open_session
    from scvctl.config import load_contact_center, org_view
    from scvctl.runtime import Runtime

    contact_center = load_contact_center(args.contact_center, args.config, echo_name=echo_name)
    org = getattr(args, "org", None)
    if org:
        contact_center = org_view(contact_center, org)
    options = AwsOptions(profile=args.profile, region=args.region)
    return Runtime(contact_center, lambda: open_session(options, contact_center.region), invoker, org or None)


def _refused_argv_message() -> str:
    from scvctl.commands.settings import ARGV_VALUE_REFUSED

    return ARGV_VALUE_REFUSED


def _finished(status: int, changes: list[str] | None = None) -> int:
    """``status``, unless stdout was closed on the way: then stop quietly (a success becomes SIGPIPE's status),
    but say on stderr what was changed, since the lines that said it may never have been shown."""
    from scvctl.console import stdout_closed

    if not stdout_closed():
        return status
    if changes:
        try:
            print(f"{PROG}: stdout was closed before everything was shown; done:", file=sys.stderr)
            for change in changes:
                print(f"  - {change}", file=sys.stderr)
        except OSError:  # stderr is gone too: nothing left to tell
            pass
    return status or STDOUT_CLOSED_STATUS


def _fail(message: str, status: int) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return status


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
