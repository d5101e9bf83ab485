"""The Metadata API calls for connected apps and External Client Apps, and REST reads, with one Salesforce session.

Over SOAP (``/services/Soap/m/<version>``), because retrieve exists only there and readMetadata and
updateMetadata are its CRUD calls: ``listMetadata``, ``readMetadata`` and ``updateMetadata`` (with the
``AllOrNoneHeader``, so an update of several components writes all or none), in the shapes of Salesforce's
Metadata WSDL. Over REST: a query, and GETs such as the External Client Apps' credentials resources.
Used by scvctl with an administrator's session and by the rotation function with the integration user's
own token; the token goes only into the request (never into a message or a log). Standard library only.
The XML parsed is the org's own answer: ElementTree resolves no external entities and expat limits entity
expansion.
"""

# ruff: noqa: S310, S314 - the URL is the org's (https, or http for a local emulator); see above on XML

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

METADATA_NAMESPACE = "http://soap.sforce.com/2006/04/metadata"
SOAP_ENVELOPE = "http://schemas.xmlsoap.org/soap/envelope/"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
#: readMetadata reads at most ten components per call
READ_BATCH = 10
#: the statusCode of the records an all-or-none update did not write because another one failed
ROLLED_BACK = "ALL_OR_NONE_OPERATION_ROLLED_BACK"
#: a MetadataApiError's code when the org could not be reached at all
UNREACHABLE = "UNREACHABLE"
_TIMEOUT_SECONDS = 60


class MetadataApiError(RuntimeError):
    """Salesforce refused a call (``code``: the fault's ExceptionCode or the REST errorCode, e.g.
    ``INVALID_SESSION_ID``, ``INSUFFICIENT_ACCESS``), or the org was unreachable (:data:`UNREACHABLE`)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True)
class SaveFailure:
    """An updateMetadata error, in Salesforce's own words."""

    status_code: str
    message: str


class MetadataApi:
    """One session's calls; ``instance_url`` is the org's URL."""

    def __init__(self, instance_url: str, access_token: str, api_version: str) -> None:
        self.instance_url = instance_url.rstrip("/")
        self._access_token = access_token
        self.api_version = api_version

    def __repr__(self) -> str:
        return f"MetadataApi({self.instance_url!r}, v{self.api_version})"

    def list_connected_apps(self) -> list[str]:
        return self.list_metadata("ConnectedApp")

    def read_connected_apps(self, names: list[str]) -> dict[str, ET.Element]:
        """fullName -> record, of those of ``names`` the org has."""
        return self.read_metadata("ConnectedApp", names)

    def update_connected_app(self, record: ET.Element) -> SaveFailure | None:
        """Write the whole component; None on success, else Salesforce's error."""
        return self.update_metadata([("ConnectedApp", record)])

    def list_metadata(self, metadata_type: str) -> list[str]:
        """The fullNames of the org's components of one type."""
        call = ET.Element(_m("listMetadata"))
        ET.SubElement(ET.SubElement(call, _m("queries")), _m("type")).text = metadata_type
        ET.SubElement(call, _m("asOfVersion")).text = self.api_version
        return sorted(element.text or "" for element in self._soap(call).iter(_m("fullName")))

    def read_metadata(self, metadata_type: str, names: list[str]) -> dict[str, ET.Element]:
        """fullName -> record, of those of ``names`` the org has."""
        records: dict[str, ET.Element] = {}
        for start in range(0, len(names), READ_BATCH):
            call = ET.Element(_m("readMetadata"))
            ET.SubElement(call, _m("type")).text = metadata_type
            for name in names[start : start + READ_BATCH]:
                ET.SubElement(call, _m("fullNames")).text = name
            for record in self._soap(call).iter(_m("records")):
                full_name = record.findtext(_m("fullName"))
                if full_name:
                    record.attrib.clear()
                    records[full_name] = record
        return records

    def update_metadata(self, records: list[tuple[str, ET.Element]]) -> SaveFailure | None:
        """Write whole components (metadata type, record), all or none; None on success, else the first error."""
        call = ET.Element(_m("updateMetadata"))
        for metadata_type, record in records:
            ET.SubElement(call, _m("metadata"), {XSI_TYPE: metadata_type}).extend(list(record))
        results = list(self._soap(call, all_or_none=True).iter(_m("result")))
        if len(results) == len(records) and all(result.findtext(_m("success")) == "true" for result in results):
            return None
        errors = [error for result in results for error in result.findall(_m("errors"))]
        first = next((error for error in errors if error.findtext(_m("statusCode")) != ROLLED_BACK), None)
        if first is None:
            return SaveFailure("UNKNOWN", "Salesforce answered without a result")
        return SaveFailure(first.findtext(_m("statusCode")) or "UNKNOWN", first.findtext(_m("message")) or "")

    def get(self, path: str, params: dict[str, str] | None = None) -> Any:
        """A REST resource's JSON answer; ``path`` is relative to ``/services/data/vXX.X``."""
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        url = f"{self.instance_url}/services/data/v{self.api_version}{path}{query}"
        request = urllib.request.Request(url, headers={**self._authorization(), "Accept": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=_TIMEOUT_SECONDS) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as error:
            raise _rest_error(error) from None
        except urllib.error.URLError as error:
            raise MetadataApiError(UNREACHABLE, f"cannot reach {self.instance_url} ({error.reason})") from None

    def query(self, soql: str) -> list[dict[str, Any]]:
        return list(self.get("/query", {"q": soql}).get("records", []))

    def _authorization(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._access_token}"}

    def _soap(self, call: ET.Element, *, all_or_none: bool = False) -> ET.Element:
        envelope = ET.Element(f"{{{SOAP_ENVELOPE}}}Envelope")
        headers = ET.SubElement(envelope, f"{{{SOAP_ENVELOPE}}}Header")
        ET.SubElement(ET.SubElement(headers, _m("SessionHeader")), _m("sessionId")).text = self._access_token
        if all_or_none:
            ET.SubElement(ET.SubElement(headers, _m("AllOrNoneHeader")), _m("allOrNone")).text = "true"
        ET.SubElement(envelope, f"{{{SOAP_ENVELOPE}}}Body").append(call)
        request = urllib.request.Request(
            f"{self.instance_url}/services/Soap/m/{self.api_version}",
            data=ET.tostring(envelope, encoding="utf-8", xml_declaration=True),
            headers={"Content-Type": "text/xml; charset=UTF-8", "SOAPAction": '""'},
        )
        try:
            with urllib.request.urlopen(request, timeout=_TIMEOUT_SECONDS) as response:
                return ET.fromstring(response.read())
        except urllib.error.HTTPError as error:
            raise _soap_error(error) from None
        except urllib.error.URLError as error:
            raise MetadataApiError(UNREACHABLE, f"cannot reach {self.instance_url} ({error.reason})") from None


def _soap_error(error: urllib.error.HTTPError) -> MetadataApiError:
    try:
        fault = ET.fromstring(error.read()).find(f".//{{{SOAP_ENVELOPE}}}Fault")
    except ET.ParseError:
        fault = None
    if fault is None:
        return MetadataApiError(f"HTTP {error.code}", "the Metadata API answered without a SOAP fault")
    code = (fault.findtext("faultcode") or "").rpartition(":")[2]
    return MetadataApiError(code, (fault.findtext("faultstring") or "").removeprefix(f"{code}: "))


def _rest_error(error: urllib.error.HTTPError) -> MetadataApiError:
    try:
        body = json.loads(error.read())
    except ValueError:
        body = None
    first = body[0] if isinstance(body, list) and body and isinstance(body[0], dict) else {}
    return MetadataApiError(str(first.get("errorCode", f"HTTP {error.code}")), str(first.get("message", "")))


def _m(name: str) -> str:
    return f"{{{METADATA_NAMESPACE}}}{name}"
