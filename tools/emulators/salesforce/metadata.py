"""The Metadata API's SOAP endpoint for connected apps and External Client Apps, the profiles that grant its
rights, and the User query.

``POST /services/Soap/m/{version}`` answers ``listMetadata``, ``readMetadata`` and ``updateMetadata`` for the
``ConnectedApp`` type and the External Client App types (:mod:`~tools.emulators.salesforce.external_client_apps`),
in the shapes of Salesforce's Metadata WSDL (``ReadResult.records`` of
``xsi:type="ConnectedApp"``, ``SaveResult`` with ``errors{message, statusCode}``, SOAP faults
``sf:<ExceptionCode>``). The apps are state, and they are what the token endpoint checks: the certificate in
``oauthConfig`` is the one assertions must be signed with, and ``isAdminApproved`` with ``profileName`` decides
which users are pre-authorized. What Salesforce documents and the commands depend on:

* an update replaces the whole component; one that carries ``consumerKey`` fails ("You cannot provide a
  Consumer Key"), and the consumer key stays the org's own (it is never taken from a request);
* there is no create: since Spring '26 no new connected app can be made, only existing ones edited;
* with the ``AllOrNoneHeader`` (``allOrNone`` true) an update that refuses one record writes none;
* the Metadata API needs "Modify All Data" or "Modify Metadata"; changing an app's profiles also needs
  "Customize Application" plus "Manage Profiles and Permission Sets" (or "Modify All Data").

``SELECT ... FROM User WHERE Username = '...'`` over ``/query`` is answered from the org's users, with the
user's ``Profile.Name`` as the org shows it (localized).
"""

from __future__ import annotations

import copy
import json
import re
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from werkzeug.wrappers import Request, Response

from tools.emulators.salesforce import deploys
from tools.emulators.salesforce import external_client_apps as eca
from tools.emulators.salesforce.ids import salesforce_id
from tools.emulators.salesforce.responses import NOT_FOUND, api_error, json_response

SOAP_PATH = re.compile(r"^/services/Soap/m/(?P<version>\d+\.\d+)/?$")
SOAP_ENVELOPE = "http://schemas.xmlsoap.org/soap/envelope/"
METADATA = "http://soap.sforce.com/2006/04/metadata"
XSI = "http://www.w3.org/2001/XMLSchema-instance"

MODIFY_ALL_DATA = "ModifyAllData"
MODIFY_METADATA = "ModifyMetadata"
CUSTOMIZE_APPLICATION = "CustomizeApplication"
MANAGE_PROFILES = "ManageProfilesPermissionsets"
#: the rights of a System Administrator profile, whatever the org's language calls it
ADMINISTRATOR_PERMISSIONS = frozenset({MODIFY_ALL_DATA, MODIFY_METADATA, CUSTOMIZE_APPLICATION, MANAGE_PROFILES})

INVALID_SESSION_FAULT = ("INVALID_SESSION_ID", "Invalid Session ID found in SessionHeader: Illegal Session")
NO_METADATA_ACCESS_FAULT = (
    "INSUFFICIENT_ACCESS",
    "use of the Metadata API requires a user with the ModifyAllData or ModifyMetadata permissions",
)
CONSUMER_KEY_REFUSED = ("FIELD_INTEGRITY_EXCEPTION", "You cannot provide a Consumer Key")
PROFILES_REFUSED = (
    "INSUFFICIENT_ACCESS",
    "insufficient access rights: changing a connected app's profiles requires Customize Application and "
    "Manage Profiles and Permission Sets",
)
ROLLED_BACK = (
    "ALL_OR_NONE_OPERATION_ROLLED_BACK",
    "Record rolled back because not all records were valid and the request was using AllOrNone header",
)

_USERNAME_CONDITION = re.compile(r"\bUsername\s*=\s*'((?:\\.|[^'\\])*)'", re.IGNORECASE)


def _tag(name: str) -> str:
    return f"{{{METADATA}}}{name}"


@dataclass
class _Directory:
    """Everything :meth:`ConnectedAppMetadata._forget_metadata` forgets."""

    apps: dict[str, ET.Element] = field(default_factory=dict)  # fullName -> the ConnectedApp record
    app_ids: dict[str, str] = field(default_factory=dict)
    profiles: dict[str, frozenset[str]] = field(default_factory=dict)  # profile name -> its permissions
    external_client_apps: dict[str, eca.ExternalClientApp] = field(default_factory=dict)  # by developer name
    updates: int = 0  # updateMetadata calls that changed something
    deploys: dict[str, dict[str, Any]] = field(default_factory=dict)  # REST deploy id -> its final answer


class ConnectedAppMetadata:
    """The Metadata API part of :class:`~tools.emulators.salesforce.server.SalesforceEmulator` (thread-safe).

    Needs the identity part (:class:`~tools.emulators.salesforce.oauth.ConnectedApps`) of the same org.
    """

    def __init__(self) -> None:
        self._metadata_lock = threading.RLock()
        self._forget_metadata()

    def _forget_metadata(self) -> None:
        with self._metadata_lock:
            self._directory = _Directory()

    # -- set-up by tests -------------------------------------------------------------------------------------

    def add_profile(self, name: str, permissions: Iterable[str] = ADMINISTRATOR_PERMISSIONS) -> None:
        """A profile and its user permissions (the constants above); users get it with ``add_user(profile=)``."""
        with self._metadata_lock:
            self._directory.profiles[name] = frozenset(permissions)

    def add_connected_app(
        self,
        full_name: str,
        *,
        label: str,
        consumer_key: str,
        callback_url: str = "https://login.salesforce.com/services/oauth2/callback",
        scopes: Iterable[str] = ("Api",),
        profiles: Iterable[str] = (),
        certificate_pem: str | None = None,
        admin_approved: bool = False,
        contact_email: str = "admin@example.com",
    ) -> None:
        """An existing connected app, as a record of the Metadata API (the org made it, with its consumer key)."""
        record = ET.Element(_tag("records"))
        for name, value in (("fullName", full_name), ("contactEmail", contact_email), ("label", label)):
            ET.SubElement(record, _tag(name)).text = value
        oauth = ET.SubElement(record, _tag("oauthConfig"))
        ET.SubElement(oauth, _tag("callbackUrl")).text = callback_url
        if certificate_pem:
            ET.SubElement(oauth, _tag("certificate")).text = certificate_pem.strip()
        ET.SubElement(oauth, _tag("consumerKey")).text = consumer_key
        ET.SubElement(oauth, _tag("isAdminApproved")).text = "true" if admin_approved else "false"
        ET.SubElement(oauth, _tag("isConsumerSecretOptional")).text = "false"
        for scope in scopes:
            ET.SubElement(oauth, _tag("scopes")).text = scope
        policy = ET.SubElement(record, _tag("oauthPolicy"))
        ET.SubElement(policy, _tag("ipRelaxation")).text = "ENFORCE"
        ET.SubElement(policy, _tag("refreshTokenPolicy")).text = "infinite"
        for profile in profiles:
            ET.SubElement(record, _tag("profileName")).text = profile
        with self._metadata_lock:
            self._directory.apps[full_name] = record
            self._directory.app_ids.setdefault(full_name, salesforce_id("ConnectedApplication"))
        self._apply_to_token_endpoint(record)

    def add_external_client_app(
        self,
        name: str,
        *,
        label: str,
        consumer_key: str,
        callback_url: str = "https://login.salesforce.com/services/oauth2/callback",
        scopes: Iterable[str] = ("Api",),
        profiles: Iterable[str] = (),
        certificate_pem: str | None = None,
        admin_approved: bool = False,
        consumer_key_access: bool = True,
        contact_email: str = "admin@example.com",
    ) -> None:
        """An existing External Client App (the org made it, with its consumer key); ``consumer_key_access``:
        whether the credentials REST resources may give out its key."""
        app = eca.new_external_client_app(
            name,
            label=label,
            consumer_key=consumer_key,
            callback_url=callback_url,
            scopes=list(scopes),
            profiles=list(profiles),
            certificate_pem=certificate_pem,
            admin_approved=admin_approved,
            consumer_key_access=consumer_key_access,
            contact_email=contact_email,
        )
        with self._metadata_lock:
            self._directory.external_client_apps[name] = app
        self._apply_eca_to_token_endpoint(app)

    def set_consumer_key_access(self, name: str, allowed: bool) -> None:
        """Turn the ECA's consumer key access over REST on or off, as the administrator does in Setup."""
        with self._metadata_lock:
            self._directory.external_client_apps[name].key_access = allowed

    # -- what tests read -------------------------------------------------------------------------------------

    def external_client_app(self, name: str) -> dict[str, ET.Element] | None:
        """Copies of the ECA's components by metadata type (as a read returns them), None for no such app."""
        with self._metadata_lock:
            app = self._directory.external_client_apps.get(name)
            return {kind: copy.deepcopy(record) for kind, record in app.components.items()} if app else None

    def connected_app(self, full_name: str) -> ET.Element | None:
        """A copy of the app's record (namespace-qualified tags), None when the org has no such app."""
        with self._metadata_lock:
            record = self._directory.apps.get(full_name)
            return copy.deepcopy(record) if record is not None else None

    @property
    def metadata_updates(self) -> int:
        """How many updateMetadata calls changed an app."""
        with self._metadata_lock:
            return self._directory.updates

    # -- the token endpoint's view of an app -----------------------------------------------------------------

    def _apply_to_token_endpoint(self, record: ET.Element) -> None:
        from tools.emulators.salesforce.oauth import _load_certificate_key

        consumer_key = record.findtext(f"{_tag('oauthConfig')}/{_tag('consumerKey')}") or ""
        certificate = record.findtext(f"{_tag('oauthConfig')}/{_tag('certificate')}")
        public_key = _load_certificate_key(certificate) if certificate else None
        admin_approved = record.findtext(f"{_tag('oauthConfig')}/{_tag('isAdminApproved')}") == "true"
        profiles = [element.text or "" for element in record.findall(_tag("profileName"))]
        users = self._usernames_with_profiles(profiles) if admin_approved else set()  # type: ignore[attr-defined]
        self._set_app_access(consumer_key, public_key, users)  # type: ignore[attr-defined]

    def _apply_eca_to_token_endpoint(self, app: eca.ExternalClientApp) -> None:
        from tools.emulators.salesforce.oauth import _load_certificate_key

        certificate, profiles = eca.token_endpoint_view(app)
        public_key = _load_certificate_key(certificate) if certificate else None
        users = self._usernames_with_profiles(profiles) if profiles is not None else set()  # type: ignore[attr-defined]
        self._set_app_access(app.consumer_key, public_key, users)  # type: ignore[attr-defined]

    def _oauth_apps(self, request: Request, parts: list[str], base: str) -> Response:
        """The Connect REST resources ``/apps/oauth/...`` (see external_client_apps)."""
        with self._metadata_lock:
            apps = list(self._directory.external_client_apps.values())
        return eca.oauth_apps_resource(apps, request, parts, base)

    # -- REST deploy -----------------------------------------------------------------------------------------

    def _deploy_request(self, request: Request, parts: list[str]) -> Response:
        """``POST /metadata/deployRequest`` (multipart: ``json``, ``file``) and ``GET .../deployRequest/{id}``."""
        if len(parts) == 3 and request.method == "GET":
            with self._metadata_lock:
                answer = self._directory.deploys.get(parts[2])
            return json_response(200, answer) if answer else json_response(404, NOT_FOUND)
        if len(parts) != 2 or request.method != "POST":
            return json_response(404, NOT_FOUND)
        token = request.headers.get("Authorization", "").partition(" ")[2].strip()
        session = self._session_user(token)  # type: ignore[attr-defined]
        permissions = self._permissions_of(session[1].profile if session else None)
        if not permissions & {MODIFY_ALL_DATA, MODIFY_METADATA}:
            return api_error(403, *NO_METADATA_ACCESS_FAULT)
        upload = request.files.get("file")
        json_text = request.form.get("json") or (request.files["json"].read() if "json" in request.files else b"{}")
        try:
            deploy_options = deploys.options(json.loads(json_text))
            call = deploys.update_call(upload.read() if upload else b"")
        except ValueError as error:
            code = error.error_code if isinstance(error, deploys.BadDeploy) else "JSON_PARSER_ERROR"
            return api_error(400, code, str(error))
        deploy_id = salesforce_id("DeployRequest")
        results = self._update_metadata(
            call,
            permissions,
            all_or_none=bool(deploy_options["rollbackOnError"]),
            check_only=bool(deploy_options["checkOnly"]),
        )
        with self._metadata_lock:
            kinds = [_xsi_type(component) for component in call.findall(_tag("metadata"))]
            self._directory.deploys[deploy_id] = deploys.finished(
                deploy_id, deploy_options, list(zip(kinds, results.iter(_tag("result")), strict=True))
            )
        return json_response(201, deploys.pending(deploy_id, deploy_options))

    # -- SOAP ------------------------------------------------------------------------------------------------

    def _metadata_soap(self, request: Request) -> Response:
        try:
            envelope = ET.fromstring(request.get_data())  # noqa: S314 - a test's request to a loopback org
        except ET.ParseError:
            return _fault("INVALID_XML", "The request is not well-formed XML")
        session_id = envelope.findtext(f"{{{SOAP_ENVELOPE}}}Header/{_tag('SessionHeader')}/{_tag('sessionId')}")
        session = self._session_user((session_id or "").strip())  # type: ignore[attr-defined]
        if session is None:
            return _fault(*INVALID_SESSION_FAULT)
        permissions = self._permissions_of(session[1].profile)
        if not permissions & {MODIFY_ALL_DATA, MODIFY_METADATA}:
            return _fault(*NO_METADATA_ACCESS_FAULT)
        body = envelope.find(f"{{{SOAP_ENVELOPE}}}Body")
        call = next(iter(body), None) if body is not None else None
        operation = {
            _tag("listMetadata"): self._list_metadata,
            _tag("readMetadata"): self._read_metadata,
            _tag("updateMetadata"): lambda element: self._update_metadata(
                element, permissions, all_or_none=_all_or_none(envelope)
            ),
        }.get(call.tag if call is not None else "")
        if operation is None or call is None:
            return _fault("INVALID_OPERATION", "This emulator answers listMetadata, readMetadata and updateMetadata")
        return _envelope(operation(call))

    def _permissions_of(self, profile: str | None) -> frozenset[str]:
        with self._metadata_lock:
            return self._directory.profiles.get(profile or "", frozenset())

    def _list_metadata(self, call: ET.Element) -> ET.Element:
        response = ET.Element(_tag("listMetadataResponse"))
        types = {query.findtext(_tag("type")) or "" for query in call.findall(_tag("queries"))}
        with self._metadata_lock:
            listed = [("ConnectedApp", name, app_id) for name, app_id in self._directory.app_ids.items()]
            listed += [
                (kind, app.name + eca.COMPONENT_SUFFIXES[kind], app.app_id)
                for app in self._directory.external_client_apps.values()
                for kind in eca.COMPONENT_SUFFIXES
            ]
        for metadata_type, full_name, app_id in sorted(listed):
            if metadata_type not in types:
                continue
            result = ET.SubElement(response, _tag("result"))
            for name, value in (
                ("createdById", "005000000000000AAA"),
                ("createdByName", "Service Cloud Voice"),
                ("createdDate", "2026-01-01T00:00:00.000Z"),
                ("fileName", f"{metadata_type}/{full_name}"),
                ("fullName", full_name),
                ("id", app_id),
                ("lastModifiedById", "005000000000000AAA"),
                ("lastModifiedByName", "Service Cloud Voice"),
                ("lastModifiedDate", "2026-01-01T00:00:00.000Z"),
                ("manageableState", "unmanaged"),
                ("type", metadata_type),
            ):
                ET.SubElement(result, _tag(name)).text = value
        return response

    def _read_metadata(self, call: ET.Element) -> ET.Element:
        response = ET.Element(_tag("readMetadataResponse"))
        result = ET.SubElement(response, _tag("result"))
        metadata_type = call.findtext(_tag("type")) or ""
        for full_name in (element.text or "" for element in call.findall(_tag("fullNames"))):
            record = self._component(metadata_type, full_name)
            if record is not None:
                record.set(f"{{{XSI}}}type", metadata_type)
                result.append(record)
        return response

    def _component(self, metadata_type: str, full_name: str) -> ET.Element | None:
        """A copy of one component as a read returns it, None when the org has none of that type and name."""
        if metadata_type == "ConnectedApp":
            return self.connected_app(full_name)
        with self._metadata_lock:
            for app in self._directory.external_client_apps.values():
                if metadata_type in eca.COMPONENT_SUFFIXES and eca.component_names(app, metadata_type) == full_name:
                    return copy.deepcopy(app.components[metadata_type])
        return None

    def _update_metadata(
        self, call: ET.Element, permissions: frozenset[str], *, all_or_none: bool, check_only: bool = False
    ) -> ET.Element:
        response = ET.Element(_tag("updateMetadataResponse"))
        records = [(_xsi_type(record), record) for record in call.findall(_tag("metadata"))]
        refusals = [self._update_refusal(kind, record, permissions) for kind, record in records]
        rolled_back = all_or_none and any(refusals)
        for (kind, record), refusal in zip(records, refusals, strict=True):
            refusal = refusal or (ROLLED_BACK if rolled_back else None)
            full_name = record.findtext(_tag("fullName")) or ""
            result = ET.SubElement(response, _tag("result"))
            if refusal is not None:
                errors = ET.SubElement(result, _tag("errors"))
                ET.SubElement(errors, _tag("message")).text = refusal[1]
                ET.SubElement(errors, _tag("statusCode")).text = refusal[0]
            elif check_only:
                pass
            elif kind == "ConnectedApp":
                self._replace_app(full_name, record)
            else:
                self._replace_component(kind, full_name, record)
            ET.SubElement(result, _tag("fullName")).text = full_name
            ET.SubElement(result, _tag("success")).text = "false" if refusal else "true"
        return response

    def _update_refusal(self, kind: str, record: ET.Element, permissions: frozenset[str]) -> tuple[str, str] | None:
        """Salesforce's reason to refuse one record (statusCode, message), None to accept it."""
        full_name = record.findtext(_tag("fullName")) or ""
        existing = self._component(kind, full_name)
        if existing is None:
            return ("INVALID_CROSS_REFERENCE_KEY", f"In field: fullName - no {kind} named {full_name} found")
        if kind == "ConnectedApp":
            refusal = _connected_app_refusal(record)
            profiles_changed = _names(record, "profileName") != _names(existing, "profileName")
        else:
            refusal = eca.update_refusal(kind, record)
            profiles_changed = eca.profiles_of(kind, record) != eca.profiles_of(kind, existing)
        if refusal is not None:
            return refusal
        may_change_profiles = MODIFY_ALL_DATA in permissions or {CUSTOMIZE_APPLICATION, MANAGE_PROFILES} <= permissions
        if profiles_changed and not may_change_profiles:
            return PROFILES_REFUSED
        return None

    def _replace_component(self, kind: str, full_name: str, record: ET.Element) -> None:
        """The whole ECA component is written; its consumer key and secret stay the org's own."""
        with self._metadata_lock:
            app = next(
                app
                for app in self._directory.external_client_apps.values()
                if eca.component_names(app, kind) == full_name
            )
            app.components[kind] = eca.stored(record)
            self._directory.updates += 1
        self._apply_eca_to_token_endpoint(app)

    def _replace_app(self, full_name: str, record: ET.Element) -> None:
        """The whole component is written; the consumer key stays the org's own."""
        stored = copy.deepcopy(record)
        stored.tag = _tag("records")
        stored.attrib.pop(f"{{{XSI}}}type", None)
        with self._metadata_lock:
            old_key = self._directory.apps[full_name].findtext(f"{_tag('oauthConfig')}/{_tag('consumerKey')}")
            oauth = stored.find(_tag("oauthConfig"))
            if oauth is not None and old_key:
                position = 1 + max(
                    (
                        index
                        for index, child in enumerate(oauth)
                        if child.tag in {_tag("callbackUrl"), _tag("certificate")}
                    ),
                    default=-1,
                )
                key = ET.Element(_tag("consumerKey"))
                key.text = old_key
                oauth.insert(position, key)
            self._directory.apps[full_name] = stored
            self._directory.updates += 1
        self._apply_to_token_endpoint(stored)

    # -- the User query --------------------------------------------------------------------------------------

    def _directory_records(self, soql: str) -> list[dict[str, Any]] | None:
        """The rows of ``SELECT ... FROM User WHERE Username = '...'``; None for any other statement."""
        condition = _USERNAME_CONDITION.search(soql)
        if condition is None or not re.search(r"\bFROM\s+User\b", soql, re.IGNORECASE):
            return None
        username = re.sub(r"\\(.)", r"\1", condition.group(1))
        with self._identity_lock:  # type: ignore[attr-defined]
            user = self._identity.users.get(username)  # type: ignore[attr-defined]
        if user is None:
            return []
        profile = {"Name": user.profile} if user.profile else None
        return [{"Id": user.user_id, "Username": username, "IsActive": user.active, "Profile": profile}]


def _connected_app_refusal(record: ET.Element) -> tuple[str, str] | None:
    if record.find(f"{_tag('oauthConfig')}/{_tag('consumerKey')}") is not None:
        return CONSUMER_KEY_REFUSED
    for required in ("contactEmail", "label"):
        if not (record.findtext(_tag(required)) or "").strip():
            return ("REQUIRED_FIELD_MISSING", f"Required field is missing: {required}")
    if record.find(_tag("oauthConfig")) is not None and not record.findtext(
        f"{_tag('oauthConfig')}/{_tag('callbackUrl')}"
    ):
        return ("REQUIRED_FIELD_MISSING", "Required field is missing: callbackUrl")
    return None


def _xsi_type(record: ET.Element) -> str:
    """The record's ``xsi:type`` without its prefix (``met:ConnectedApp`` -> ``ConnectedApp``)."""
    return record.get(f"{{{XSI}}}type", "ConnectedApp").rpartition(":")[2]


def _all_or_none(envelope: ET.Element) -> bool:
    header = f"{{{SOAP_ENVELOPE}}}Header/{_tag('AllOrNoneHeader')}/{_tag('allOrNone')}"
    return (envelope.findtext(header) or "").strip() == "true"


def _names(record: ET.Element, tag: str) -> list[str]:
    return sorted(element.text or "" for element in record.findall(_tag(tag)))


def _envelope(result: ET.Element) -> Response:
    envelope = ET.Element(f"{{{SOAP_ENVELOPE}}}Envelope")
    ET.SubElement(envelope, f"{{{SOAP_ENVELOPE}}}Body").append(result)
    return _xml_response(200, envelope)


def _fault(code: str, message: str) -> Response:
    """A SOAP fault as the Metadata API sends one: ``sf:<code>`` and ``<code>: <message>``, HTTP 500."""
    envelope = ET.Element(f"{{{SOAP_ENVELOPE}}}Envelope")
    fault = ET.SubElement(ET.SubElement(envelope, f"{{{SOAP_ENVELOPE}}}Body"), f"{{{SOAP_ENVELOPE}}}Fault")
    ET.SubElement(fault, "faultcode").text = f"sf:{code}"
    ET.SubElement(fault, "faultstring").text = f"{code}: {message}"
    detail = ET.SubElement(ET.SubElement(fault, "detail"), _tag("UnexpectedErrorFault"))
    detail.set(f"{{{XSI}}}type", "sf:UnexpectedErrorFault")
    ET.SubElement(detail, _tag("exceptionCode")).text = code
    ET.SubElement(detail, _tag("exceptionMessage")).text = message
    return _xml_response(500, envelope)


def _xml_response(status: int, envelope: ET.Element) -> Response:
    """ElementTree picks the namespace prefixes (registering Salesforce's would change every ElementTree user in
    the process); XML readers see the same names."""
    body = b'<?xml version="1.0" encoding="UTF-8"?>' + ET.tostring(envelope, encoding="utf-8", xml_declaration=False)
    return Response(body, status=status, content_type="text/xml;charset=UTF-8")
