"""The Metadata API's REST deploy: ``POST /services/data/vXX.X/metadata/deployRequest`` and its status.

Salesforce's "Deploy Metadata with REST" shapes: the request is ``multipart/form-data`` with a ``json`` part
(``{"deployOptions": {...}}``) and a ``file`` part (the zip: ``package.xml`` and the components in source
folders, e.g. ``connectedApps/App.connectedApp``); the answer is 201 with ``{"id", "deployOptions",
"deployResult": {"status": "Pending", ...}}``, and ``GET .../deployRequest/{id}?includeDetails=true`` gives
the final ``deployResult`` with ``details.componentFailures`` / ``componentSuccesses``. This module turns the
zip into the components an update writes (the types the emulator knows; the file name gives the fullName)
and the SaveResults back into a deploy result; the writing itself is the SOAP update's, with its checks
(no ``consumerKey``, the rights to change profiles) and, with ``rollbackOnError`` (the default), all or none.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile
from datetime import UTC, datetime
from typing import Any

METADATA = "http://soap.sforce.com/2006/04/metadata"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
ROLLED_BACK = "ALL_OR_NONE_OPERATION_ROLLED_BACK"
#: the source folder and file suffix of each type the emulator can deploy
FOLDERS = {
    "connectedApps": ("ConnectedApp", ".connectedApp"),
    "extlClntAppGlobalOauthSets": ("ExtlClntAppGlobalOauthSettings", ".ecaGlblOauth"),
    "extlClntAppOauthPolicies": ("ExtlClntAppOauthConfigurablePolicies", ".ecaOauthPlcy"),
    "extlClntAppOauthSettings": ("ExtlClntAppOauthSettings", ".ecaOauth"),
}


class BadDeploy(ValueError):
    """The request is not a deploy Salesforce would accept (``errorCode``, message)."""

    def __init__(self, error_code: str, message: str) -> None:
        super().__init__(message)
        self.error_code = error_code


def update_call(zip_bytes: bytes) -> ET.Element:
    """An ``updateMetadata`` call holding the zip's components (``xsi:type`` and ``fullName`` set)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(zip_bytes))
    except zipfile.BadZipFile:
        raise BadDeploy("INVALID_ZIP", "The deploy file is not a zip file") from None
    names = archive.namelist()
    if not any(name.rpartition("/")[2] == "package.xml" for name in names):
        raise BadDeploy("INVALID_PACKAGE", "No package.xml found")
    call = ET.Element(f"{{{METADATA}}}updateMetadata")
    for name in sorted(names):
        folder, _, file_name = name.rstrip("/").rpartition("/")
        known = FOLDERS.get(folder.rpartition("/")[2])
        if known is None or not file_name.endswith(known[1]):
            continue
        try:
            component = ET.fromstring(archive.read(name))  # noqa: S314 - a test's zip to a loopback org
        except ET.ParseError:
            raise BadDeploy("INVALID_XML", f"{name} is not well-formed XML") from None
        component.tag = f"{{{METADATA}}}metadata"
        component.set(XSI_TYPE, known[0])
        full_name = ET.Element(f"{{{METADATA}}}fullName")
        full_name.text = file_name.removesuffix(known[1])
        component.insert(0, full_name)
        call.append(component)
    return call


def options(json_part: Any) -> dict[str, Any]:
    """The request's ``deployOptions`` with Salesforce's defaults."""
    given = json_part.get("deployOptions", {}) if isinstance(json_part, dict) else {}
    return {"checkOnly": False, "rollbackOnError": True, "ignoreWarnings": False, **given}


def pending(deploy_id: str, deploy_options: dict[str, Any]) -> dict[str, Any]:
    """The POST's answer: the deploy is queued."""
    return {
        "id": deploy_id,
        "deployOptions": deploy_options,
        "deployResult": {
            "id": deploy_id,
            "status": "Pending",
            "done": False,
            "success": False,
            "checkOnly": deploy_options["checkOnly"],
            "rollbackOnError": deploy_options["rollbackOnError"],
            "numberComponentsDeployed": 0,
            "numberComponentErrors": 0,
            "numberComponentsTotal": 0,
            "details": None,
        },
    }


def finished(
    deploy_id: str, deploy_options: dict[str, Any], save_results: list[tuple[str, ET.Element]]
) -> dict[str, Any]:
    """The final ``deployResult`` from the update's SaveResults (each with its component's type)."""
    failures, successes = [], []
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000")
    for component_type, result in save_results:
        entry = {
            "fullName": result.findtext(f"{{{METADATA}}}fullName"),
            "componentType": component_type,
            "createdDate": now,
        }
        error = result.find(f"{{{METADATA}}}errors")
        if error is not None and error.findtext(f"{{{METADATA}}}statusCode") == ROLLED_BACK:
            continue  # not written because another component failed: neither a failure nor a success
        if error is None:
            successes.append({**entry, "success": True, "changed": True})
        else:
            message = error.findtext(f"{{{METADATA}}}message")
            failures.append({**entry, "success": False, "problemType": "Error", "problem": message})
    success = not failures
    return {
        "id": deploy_id,
        "deployResult": {
            "id": deploy_id,
            "status": "Succeeded" if success else "Failed",
            "done": True,
            "success": success,
            "checkOnly": deploy_options["checkOnly"],
            "rollbackOnError": deploy_options["rollbackOnError"],
            "numberComponentsDeployed": len(successes) if not deploy_options["checkOnly"] else 0,
            "numberComponentErrors": len(failures),
            "numberComponentsTotal": len(save_results),
            "details": {"componentFailures": failures, "componentSuccesses": successes},
        },
    }
