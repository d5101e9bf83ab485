"""The function's configuration, read once per container from the environment infra/invoker.py sets.

Read at the first invocation rather than at import: a wrong variable then fails that invocation with
a ConfigurationError naming the variable and the fix, instead of an opaque Runtime.ImportModuleError.
"""

import json
import os
from collections.abc import Mapping
from typing import NamedTuple
from urllib.parse import urlsplit

from scv_shared import orgs, secret_format, telemetry
from scv_shared.orgs import DEFAULT_ORG
from scv_shared.secret_format import SecretKeys

from scv_invoker.errors import ConfigurationError

DEFAULT_SECRETS_CACHE_TTL_SECONDS = 300.0
DEFAULT_LOG_LEVEL = "INFO"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_LOG_LEVEL_ALIASES = {"WARN": "WARNING", "FATAL": "CRITICAL"}


def _parse_log_level(value: str | None) -> str | None:
    """A standard level name for LOG_LEVEL (case-insensitive, WARN accepted), None when invalid."""
    if value is None or not value.strip():
        return DEFAULT_LOG_LEVEL
    level = value.strip().upper()
    level = _LOG_LEVEL_ALIASES.get(level, level)
    return level if level in LOG_LEVELS else None


def summary_identity(environ: Mapping[str, str] | None = None) -> tuple[str, str]:
    """(contact center, metrics namespace) for the summary line of an invocation whose settings are invalid:
    the failure is still counted under the contact center, as far as the environment names it."""
    env = os.environ if environ is None else environ
    return (
        env.get("CONTACT_CENTER_NAME", "").strip(),
        env.get("POWERTOOLS_METRICS_NAMESPACE", "").strip() or telemetry.NAMESPACE,
    )


class OrgEndpoints(NamedTuple):
    """A further org of the contact center, as SALESFORCE_ORGS describes it (shared/orgs.py)."""

    name: str
    rest_api_endpoint_base: str
    auth_endpoint: str
    main_secret_id: str
    access_secret_id: str
    call_center_api_name: str


class Settings(NamedTuple):
    """Everything the invoker reads from its environment (see docs/DESIGN.md, "Invoker environment").

    The endpoints, secrets and call center are those of one org: ``org`` (the contact center's own,
    ``default``, as read from the environment); :meth:`for_org` gives the settings of a further org.
    """

    contact_center: str
    rest_api_endpoint_base: str
    auth_endpoint: str
    call_center_api_name: str
    main_secret_id: str
    access_secret_id: str
    secrets_cache_ttl_seconds: float = DEFAULT_SECRETS_CACHE_TTL_SECONDS
    log_level: str = DEFAULT_LOG_LEVEL
    extension_port: int | None = None
    org: str = DEFAULT_ORG
    #: the contact center's further orgs (SALESFORCE_ORGS), the same in every org's settings
    further_orgs: tuple[OrgEndpoints, ...] = ()
    #: POWERTOOLS_METRICS_NAMESPACE: the CloudWatch namespace of the summary line's metrics
    metrics_namespace: str = telemetry.NAMESPACE
    #: AWS_SESSION_TOKEN, which Lambda sets for the container's credentials: the secrets extension asks for it
    session_token: str = ""
    #: SALESFORCE_ORG_FROM_CONTACT_ATTRIBUTES: whether ``secretName`` / ``accessTokenSecretName`` may come from the
    #: contact attributes (orgs.py), not only from the Invoke block's parameters
    org_from_contact_attributes: bool = True

    def __repr__(self) -> str:
        """Every setting but the session token (a credential)."""
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields if name != "session_token")
        return f"Settings({shown})"

    @property
    def secret_keys(self) -> SecretKeys:
        """The JSON keys of this contact center's secret documents (every org's documents use them)."""
        return SecretKeys.for_contact_center(self.contact_center)

    @property
    def _org_suffix(self) -> str | None:
        return None if self.org == DEFAULT_ORG else self.org

    @property
    def main_secret_name(self) -> str:
        return secret_format.main_secret_name(self.contact_center, self._org_suffix)

    @property
    def access_secret_name(self) -> str:
        return secret_format.access_secret_name(self.contact_center, self._org_suffix)

    @property
    def scvctl_target(self) -> str:
        """What follows an scvctl command to act on this org: ``<cc>`` or ``<cc> --org <org>``."""
        return self.contact_center if self._org_suffix is None else f"{self.contact_center} --org {self.org}"

    def for_org(self, org: OrgEndpoints) -> "Settings":
        """The settings of one further org: its endpoints, secrets and call center; the rest is shared."""
        return self._replace(
            org=org.name,
            rest_api_endpoint_base=org.rest_api_endpoint_base,
            auth_endpoint=org.auth_endpoint,
            main_secret_id=org.main_secret_id,
            access_secret_id=org.access_secret_id,
            call_center_api_name=org.call_center_api_name,
        )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Settings":
        """Validate the environment; every problem is reported at once, each with its fix."""
        env = os.environ if environ is None else environ
        problems: list[str] = []

        def required(name: str) -> str:
            value = env.get(name, "").strip()
            if not value:
                problems.append(f"{name} is not set (the stack sets it; redeploy, or set it on the function)")
            return value

        def url(name: str) -> str:
            value = required(name)
            if value:
                if not _secure_url(value):
                    problems.append(f"{name}={value!r} is not an https URL (http only for a loopback host)")
            return value.rstrip("/")

        contact_center = required("CONTACT_CENTER_NAME")
        rest_base = url("SALESFORCE_REST_API_ENDPOINT_BASE")
        auth_endpoint = url("SALESFORCE_AUTH_ENDPOINT")
        main_secret_id = required("SALESFORCE_SECRET_ID")
        access_secret_id = required("SALESFORCE_ACCESS_SECRET_ID")

        ttl_text = env.get("SECRETS_CACHE_TTL_SECONDS", "").strip()
        ttl = DEFAULT_SECRETS_CACHE_TTL_SECONDS
        if ttl_text:
            try:
                ttl = float(ttl_text)
                if ttl < 0 or ttl != ttl:
                    raise ValueError
            except ValueError:
                problems.append(f"SECRETS_CACHE_TTL_SECONDS={ttl_text!r} must be a number of seconds >= 0")

        log_level = _parse_log_level(env.get("LOG_LEVEL"))
        if log_level is None:
            problems.append(f"LOG_LEVEL={env.get('LOG_LEVEL')!r} must be one of {', '.join(LOG_LEVELS)}")

        port_text = env.get("PARAMETERS_SECRETS_EXTENSION_HTTP_PORT", "").strip()
        port: int | None = None
        if port_text:
            if port_text.isdigit() and 0 < int(port_text) < 65536:
                port = int(port_text)
            else:
                problems.append(f"PARAMETERS_SECRETS_EXTENSION_HTTP_PORT={port_text!r} must be a TCP port number")

        further_orgs = _further_orgs(env.get(orgs.ORGS_ENV, ""), problems)

        if problems:
            raise ConfigurationError(
                "invalid function configuration: " + "; ".join(problems), error_code="INVALID_CONFIGURATION"
            )
        return cls(
            contact_center=contact_center,
            rest_api_endpoint_base=rest_base,
            auth_endpoint=auth_endpoint,
            call_center_api_name=env.get("CALL_CENTER_API_NAME", "").strip(),
            main_secret_id=main_secret_id,
            access_secret_id=access_secret_id,
            secrets_cache_ttl_seconds=ttl,
            log_level=log_level or DEFAULT_LOG_LEVEL,
            extension_port=port,
            further_orgs=further_orgs,
            metrics_namespace=env.get("POWERTOOLS_METRICS_NAMESPACE", "").strip() or telemetry.NAMESPACE,
            session_token=env.get("AWS_SESSION_TOKEN", ""),
            org_from_contact_attributes=env.get(orgs.ORG_FROM_CONTACT_ATTRIBUTES_ENV, "").strip().lower() != "false",
        )


def _further_orgs(text: str, problems: list[str]) -> tuple[OrgEndpoints, ...]:
    """SALESFORCE_ORGS parsed; each problem is appended to ``problems`` (the stack writes it, so any is a bug
    or a hand edit)."""
    if not text.strip():
        return ()
    fix = "(the stack writes it from the orgs in contact_centers.yaml; redeploy)"
    try:
        entries = json.loads(text)
    except ValueError:
        problems.append(f"{orgs.ORGS_ENV} is not JSON {fix}")
        return ()
    keys = (orgs.NAME_KEY, orgs.REST_API_ENDPOINT_BASE_KEY, orgs.AUTH_ENDPOINT_KEY, orgs.SECRET_ID_KEY,
            orgs.ACCESS_SECRET_ID_KEY)  # fmt: skip
    result: list[OrgEndpoints] = []
    for index, entry in enumerate(entries if isinstance(entries, list) else [None]):
        if not isinstance(entry, dict) or any(not isinstance(entry.get(key), str) or not entry[key] for key in keys):
            problems.append(f"{orgs.ORGS_ENV} entry {index} must be an object with {', '.join(keys)} {fix}")
            continue
        bad_urls = [key for key in keys[1:3] if not _secure_url(entry[key])]
        if bad_urls:
            problems.append(
                f"{orgs.ORGS_ENV} entry {index} ({entry[orgs.NAME_KEY]}): {', '.join(bad_urls)} not an https URL"
            )
            continue
        result.append(
            OrgEndpoints(
                name=entry[orgs.NAME_KEY],
                rest_api_endpoint_base=entry[orgs.REST_API_ENDPOINT_BASE_KEY].rstrip("/"),
                auth_endpoint=entry[orgs.AUTH_ENDPOINT_KEY].rstrip("/"),
                main_secret_id=entry[orgs.SECRET_ID_KEY],
                access_secret_id=entry[orgs.ACCESS_SECRET_ID_KEY],
                call_center_api_name=str(entry.get(orgs.CALL_CENTER_API_NAME_KEY) or ""),
            )
        )
    return tuple(result)


_LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")


def _secure_url(value: str) -> bool:
    """An https URL, or http to this machine (the emulators): the config forces https, and a hand-edited
    environment must not send a private key's assertion or a token in clear text."""
    parts = urlsplit(value)
    if not parts.netloc:
        return False
    return parts.scheme == "https" or (parts.scheme == "http" and (parts.hostname or "") in _LOOPBACK_HOSTS)
