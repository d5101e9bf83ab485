"""The function's configuration, read once per container from the environment infra/invoker.py sets.

Read at the first invocation rather than at import: a wrong variable then fails that invocation with
a ConfigurationError naming the variable and the fix, instead of an opaque Runtime.ImportModuleError.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from shared.secret_format import SecretKeys

from invoker.errors import ConfigurationError

DEFAULT_SECRETS_CACHE_TTL_SECONDS = 300.0
DEFAULT_LOG_LEVEL = "INFO"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_LOG_LEVEL_ALIASES = {"WARN": "WARNING", "FATAL": "CRITICAL"}


def parse_log_level(value: str | None) -> str | None:
    """A standard level name for LOG_LEVEL (case-insensitive, WARN accepted), None when invalid."""
    if value is None or not value.strip():
        return DEFAULT_LOG_LEVEL
    level = value.strip().upper()
    level = _LOG_LEVEL_ALIASES.get(level, level)
    return level if level in LOG_LEVELS else None


@dataclass(frozen=True)
class Settings:
    """Everything the invoker reads from its environment (see docs/DESIGN.md, "Invoker environment")."""

    contact_center: str
    rest_api_endpoint_base: str
    auth_endpoint: str
    call_center_api_name: str
    main_secret_id: str
    access_secret_id: str
    secrets_cache_ttl_seconds: float = DEFAULT_SECRETS_CACHE_TTL_SECONDS
    log_level: str = DEFAULT_LOG_LEVEL
    extension_port: int | None = None

    @property
    def secret_keys(self) -> SecretKeys:
        """The JSON keys of this contact center's secret documents."""
        return SecretKeys.for_contact_center(self.contact_center)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
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
                parts = urlsplit(value)
                if parts.scheme not in ("https", "http") or not parts.netloc:
                    problems.append(f"{name}={value!r} is not an http(s) URL")
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

        log_level = parse_log_level(env.get("LOG_LEVEL"))
        if log_level is None:
            problems.append(f"LOG_LEVEL={env.get('LOG_LEVEL')!r} must be one of {', '.join(LOG_LEVELS)}")

        port_text = env.get("PARAMETERS_SECRETS_EXTENSION_HTTP_PORT", "").strip()
        port: int | None = None
        if port_text:
            if port_text.isdigit() and 0 < int(port_text) < 65536:
                port = int(port_text)
            else:
                problems.append(f"PARAMETERS_SECRETS_EXTENSION_HTTP_PORT={port_text!r} must be a TCP port number")

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
        )
