"""An administrator's Salesforce session and the few calls ``salesforce connect`` makes with it.

How the administrator signs in: the Salesforce CLI's login (``--target-org ALIAS``: ``sf org display --json``
gives the instance URL and a fresh access token), or ``--instance-url URL`` with the token in the environment
variable ``SF_ACCESS_TOKEN``. The token is never taken on the command line and never printed or logged: it
lives in :class:`AdminSession` (hidden from ``repr``) and goes only into the requests' headers.

The calls: the Metadata API over SOAP (``listMetadata``, ``readMetadata``, ``updateMetadata`` for
``ConnectedApp``; retrieve exists only over SOAP) and a REST query. Every failure a person can fix becomes
one :class:`~scvctl.errors.CliError` line naming the fix (:data:`FAULT_FIXES`); standard library only. The XML
parsed is the org's own answer: ElementTree resolves no external entities and expat limits entity expansion.
"""

# ruff: noqa: S310 - every URL is the org's, https or http (sign_in() checks it)

from __future__ import annotations

import json
import os
import subprocess
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from scvctl.errors import CliError
from scvctl.sf_metadata import METADATA_NAMESPACE

TOKEN_VARIABLE = "SF_ACCESS_TOKEN"  # noqa: S105 (the variable's name)
SOAP_ENVELOPE = "http://schemas.xmlsoap.org/soap/envelope/"
#: readMetadata reads at most ten components per call
READ_BATCH = 10
_TIMEOUT_SECONDS = 60

#: the Metadata API's faults (``sf:<ExceptionCode>``) a person can fix, and the fix
FAULT_FIXES = {
    "INVALID_SESSION_ID": "the Salesforce session is expired or invalid: sign in again ({sign_in})",
    "INSUFFICIENT_ACCESS": (
        "the Salesforce user you signed in with may not change connected apps ({message}): sign in as a System "
        "Administrator, or give the user Modify Metadata, Customize Application and Manage Profiles and "
        "Permission Sets"
    ),
    "API_DISABLED_FOR_ORG": "the org does not allow API access ({message}): sign in to an edition with API access",
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


@dataclass(frozen=True)
class SaveFailure:
    """An updateMetadata error, in Salesforce's own words."""

    status_code: str
    message: str


class MetadataClient:
    """The Metadata API's CRUD calls for connected apps, and a REST query, with one session."""

    def __init__(self, session: AdminSession, api_version: str) -> None:
        self.session = session
        self.api_version = api_version

    def list_connected_apps(self) -> list[str]:
        call = ET.Element(_m("listMetadata"))
        ET.SubElement(ET.SubElement(call, _m("queries")), _m("type")).text = "ConnectedApp"
        ET.SubElement(call, _m("asOfVersion")).text = self.api_version
        return sorted(element.text or "" for element in self._soap(call).iter(_m("fullName")))

    def read_connected_apps(self, names: list[str]) -> dict[str, ET.Element]:
        """fullName -> record of those of ``names`` the org has."""
        records: dict[str, ET.Element] = {}
        for start in range(0, len(names), READ_BATCH):
            call = ET.Element(_m("readMetadata"))
            ET.SubElement(call, _m("type")).text = "ConnectedApp"
            for name in names[start : start + READ_BATCH]:
                ET.SubElement(call, _m("fullNames")).text = name
            for record in self._soap(call).iter(_m("records")):
                name = record.findtext(_m("fullName"))
                if name:
                    record.attrib.clear()
                    records[name] = record
        return records

    def update_connected_app(self, record: ET.Element) -> SaveFailure | None:
        """Write the whole component; None on success, else Salesforce's error."""
        call = ET.Element(_m("updateMetadata"))
        metadata = ET.SubElement(
            call, _m("metadata"), {"{http://www.w3.org/2001/XMLSchema-instance}type": "ConnectedApp"}
        )
        metadata.extend(list(record))
        result = self._soap(call).find(f".//{_m('result')}")
        if result is not None and result.findtext(_m("success")) == "true":
            return None
        error = result.find(_m("errors")) if result is not None else None
        if error is None:
            return SaveFailure("UNKNOWN", "Salesforce answered without a result")
        return SaveFailure(error.findtext(_m("statusCode")) or "UNKNOWN", error.findtext(_m("message")) or "")

    def query(self, soql: str) -> list[dict[str, Any]]:
        url = f"{self.session.instance_url}/services/data/v{self.api_version}/query?" + urllib.parse.urlencode(
            {"q": soql}
        )
        request = urllib.request.Request(url, headers={**self._authorization(), "Accept": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=_TIMEOUT_SECONDS) as response:
                return list(json.loads(response.read()).get("records", []))
        except urllib.error.HTTPError as error:
            raise self._rest_error(error) from None
        except urllib.error.URLError as error:
            raise self._unreachable(error) from None

    # -- wire ------------------------------------------------------------------------------------------------

    def _authorization(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.session.access_token}"}

    def _soap(self, call: ET.Element) -> ET.Element:
        envelope = ET.Element(f"{{{SOAP_ENVELOPE}}}Envelope")
        header = ET.SubElement(ET.SubElement(envelope, f"{{{SOAP_ENVELOPE}}}Header"), _m("SessionHeader"))
        ET.SubElement(header, _m("sessionId")).text = self.session.access_token
        ET.SubElement(envelope, f"{{{SOAP_ENVELOPE}}}Body").append(call)
        request = urllib.request.Request(
            f"{self.session.instance_url}/services/Soap/m/{self.api_version}",
            data=ET.tostring(envelope, encoding="utf-8", xml_declaration=True),
            headers={"Content-Type": "text/xml; charset=UTF-8", "SOAPAction": '""'},
        )
        try:
            with urllib.request.urlopen(request, timeout=_TIMEOUT_SECONDS) as response:
                return ET.fromstring(response.read())  # noqa: S314 - see the module docstring
        except urllib.error.HTTPError as error:
            raise self._soap_error(error) from None
        except urllib.error.URLError as error:
            raise self._unreachable(error) from None

    def _soap_error(self, error: urllib.error.HTTPError) -> CliError:
        try:
            answer = ET.fromstring(error.read())  # noqa: S314 - see the module docstring
            fault = answer.find(f".//{{{SOAP_ENVELOPE}}}Fault")
        except ET.ParseError:
            fault = None
        if fault is None:
            return CliError(f"the Metadata API answered HTTP {error.code}: check --instance-url / the org's URL")
        code = (fault.findtext("faultcode") or "").rpartition(":")[2]
        message = (fault.findtext("faultstring") or "").removeprefix(f"{code}: ")
        return self._fault(code, message)

    def _rest_error(self, error: urllib.error.HTTPError) -> CliError:
        try:
            body = json.loads(error.read())
            first = body[0] if isinstance(body, list) and body else {}
        except ValueError:
            first = {}
        code = first.get("errorCode", f"HTTP {error.code}") if isinstance(first, dict) else f"HTTP {error.code}"
        return self._fault(code, first.get("message", "") if isinstance(first, dict) else "")

    def _fault(self, code: str, message: str) -> CliError:
        fix = FAULT_FIXES.get(code)
        if fix is None:
            return CliError(f"Salesforce refused the call: {code}: {message}")
        return CliError(fix.format(message=message, sign_in=self.session.sign_in_hint))

    def _unreachable(self, error: urllib.error.URLError) -> CliError:
        return CliError(
            f"cannot reach {self.session.instance_url} ({error.reason}): check --instance-url / --target-org"
        )


def _m(name: str) -> str:
    return f"{{{METADATA_NAMESPACE}}}{name}"
