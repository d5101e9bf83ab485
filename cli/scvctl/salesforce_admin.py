"""An administrator's Salesforce session for ``salesforce connect``, and its failures as one line each.

How the administrator signs in: the Salesforce CLI's login (``--target-org ALIAS``: ``sf org display --json``
gives the instance URL and a fresh access token), or ``--instance-url URL`` with the token in the environment
variable ``SF_ACCESS_TOKEN``. The token is never taken on the command line and never printed or logged: it
lives in :class:`AdminSession` (hidden from ``repr``) and goes only into the requests' headers.

The calls themselves are scv_seeder.metadata_api's (the rotation function makes them too); every refusal a
person can fix becomes one :class:`~scvctl.errors.CliError` line naming the fix (:data:`FAULT_FIXES`).
"""

from __future__ import annotations

import json
import os
import subprocess
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

from scv_seeder.metadata_api import UNREACHABLE, MetadataApiError

from scvctl.errors import CliError

TOKEN_VARIABLE = "SF_ACCESS_TOKEN"  # noqa: S105 (the variable's name)

#: the Metadata API's faults (``sf:<ExceptionCode>``) a person can fix, and the fix
FAULT_FIXES = {
    "INVALID_SESSION_ID": "the Salesforce session is expired or invalid: sign in again ({sign_in})",
    "INSUFFICIENT_ACCESS": (
        "the Salesforce user you signed in with may not change connected apps or External Client Apps ({message}): "
        "sign in as a System Administrator, or give the user Modify Metadata, Customize Application and Manage "
        "Profiles and Permission Sets"
    ),
    "API_DISABLED_FOR_ORG": "the org does not allow API access ({message}): sign in to an edition with API access",
    UNREACHABLE: "{message}: check --instance-url / --target-org",
}


@dataclass(frozen=True)
class AdminSession:
    """Where the org is and the administrator's access token (never shown)."""

    instance_url: str
    access_token: str = field(repr=False)
    #: how to sign in again, for the messages (names the alias or the variable, never the token)
    sign_in_hint: str


Runner = Callable[..., subprocess.CompletedProcess[str]]


def sign_in(
    *,
    target_org: str | None,
    instance_url: str | None,
    environ: Mapping[str, str] = os.environ,
    run: Runner = subprocess.run,
) -> AdminSession:
    """The session from ``sf org display`` or from ``--instance-url`` and ``SF_ACCESS_TOKEN``."""
    if target_org:
        return _from_sf_cli(target_org, run)
    if not instance_url:
        raise CliError(
            "sign in to Salesforce as an administrator: --target-org ALIAS (after `sf org login web --alias ALIAS`), "
            f"or --instance-url URL with the access token in {TOKEN_VARIABLE}",
            exit_code=2,
        )
    token = environ.get(TOKEN_VARIABLE, "").strip()
    if not token:
        raise CliError(
            f"--instance-url needs the administrator's access token in the environment variable {TOKEN_VARIABLE}"
        )
    return AdminSession(_org_url(instance_url, "--instance-url"), token, f"a new {TOKEN_VARIABLE}")


def _org_url(url: str, source: str) -> str:
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme not in ("https", "http") or not parsed.netloc:
        raise CliError(f"{source} {url!r} must be the org's URL, e.g. https://acme.my.salesforce.com")
    return url.rstrip("/")


def _from_sf_cli(alias: str, run: Runner) -> AdminSession:
    sign_in_hint = f"sf org login web --alias {alias}"
    try:  # the output holds the token: it is parsed, never echoed
        completed = run(
            ["sf", "org", "display", "--json", "--target-org", alias], capture_output=True, text=True, check=False
        )
    except FileNotFoundError:
        raise CliError(
            f"the Salesforce CLI (sf) is not installed: install it, or pass --instance-url URL with {TOKEN_VARIABLE}"
        ) from None
    try:
        answer = json.loads(completed.stdout or "{}")
    except ValueError:
        answer = {}
    result = answer.get("result") if isinstance(answer, dict) else None
    if completed.returncode != 0 or not isinstance(result, dict):
        message = answer.get("message") if isinstance(answer, dict) else None
        raise CliError(f"`sf org display --target-org {alias}` failed ({message or 'no JSON answer'}): {sign_in_hint}")
    token, url = result.get("accessToken"), result.get("instanceUrl")
    if not token or not url or result.get("connectedStatus", "Connected") != "Connected":
        status = result.get("connectedStatus", "no token")
        raise CliError(f"the sf CLI's session for {alias} is not connected ({status}): {sign_in_hint}")
    return AdminSession(_org_url(str(url), f"the instanceUrl of {alias}"), str(token), sign_in_hint)


@contextmanager
def admin_errors(session: AdminSession) -> Iterator[None]:
    """The Metadata API's refusals as one line naming the fix (the sign-in command for an expired session)."""
    try:
        yield
    except MetadataApiError as error:
        fix = FAULT_FIXES.get(error.code)
        if fix is None:
            raise CliError(f"Salesforce refused the call: {error.code}: {error.message}") from None
        raise CliError(fix.format(message=error.message, sign_in=session.sign_in_hint)) from None
