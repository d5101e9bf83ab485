"""A Salesforce org as the invoker reaches it: the contact center's own org, and each further org."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field, model_validator
from scv_shared.secret_format import PRODUCTION_AUDIENCE, SANDBOX_AUDIENCE

from ..constants import DEFAULT_API_VERSION
from .naming import construct_suffix
from .sections import Certificate
from .types import ApiName, ApiVersion, AudienceUrl, OrgName, SalesforceUrl, StrictModel, Username, is_sandbox_url

#: stores the consumer key; the config refuses it (a template keeps its properties in plain text)
SET_CONSUMER_KEY_COMMAND = "scvctl consumer-key set"


class SalesforceOrg(StrictModel):
    """What the invoker needs to reach one Salesforce org: URL, user, audience, API version (the consumer key
    is stored by `scvctl consumer-key set`, never in the config)."""

    salesforce_url: SalesforceUrl = Field(description="the org's My Domain URL, e.g. https://acme.my.salesforce.com")
    username: Username = Field(description="the integration user (JWT subject)")
    api_version: ApiVersion = DEFAULT_API_VERSION
    sandbox: bool = Field(default=False, description="default: true when salesforce_url is a sandbox's My Domain")
    audience: AudienceUrl | None = Field(default=None, description="JWT audience override, e.g. the My Domain URL")
    certificate: Certificate = Certificate()

    @model_validator(mode="before")
    @classmethod
    def _refuse_secrets_and_infer_sandbox(cls, raw: Any) -> Any:
        """Refuse a consumer key (a template keeps its properties in plain text); take the sandbox flag from
        a sandbox's My Domain URL when omitted."""
        if not isinstance(raw, Mapping):
            return raw
        consumer_key = raw.get("consumer_key")
        left_empty = consumer_key is None or (isinstance(consumer_key, str) and not consumer_key.strip())
        if not left_empty:
            name = raw.get("name") or "<cc>"
            raise ValueError(
                "consumer_key does not belong in the config (CloudFormation would keep it in the template and in "
                f"the stack's history): remove the line and store it with `{SET_CONSUMER_KEY_COMMAND} {name}` "
                "(hidden prompt, or piped on stdin)"
            )
        filled = {key: value for key, value in raw.items() if key != "consumer_key"}  # "" from earlier examples
        if "sandbox" not in filled and is_sandbox_url(filled.get("salesforce_url")):
            filled["sandbox"] = True
        return filled

    @property
    def explicit_settings(self) -> tuple[str, ...]:
        """The secret settings the config states rather than defaults (``Subject``, ``Audience``): on adopting
        secrets, these replace what the secret holds, and a default never does."""
        audience_stated = bool({"audience", "sandbox"} & self.model_fields_set)
        return ("Subject", *(("Audience",) if audience_stated else ()))

    @property
    def jwt_audience(self) -> str:
        """The JWT ``aud``: the override, else the sandbox or production login host."""
        if self.audience:
            return self.audience
        return SANDBOX_AUDIENCE if self.sandbox else PRODUCTION_AUDIENCE

    @property
    def rest_api_endpoint_base(self) -> str:
        return f"{self.salesforce_url}/services/data/v{self.api_version}"

    @property
    def auth_endpoint(self) -> str:
        return f"{self.salesforce_url}/services/oauth2/token"


class Org(SalesforceOrg):
    """A further Salesforce org of a contact center (SCV multi-org, or a disaster-recovery org).

    It has its own secrets ``${cc}-${name}-salesforce-secret`` / ``${cc}-${name}-salesforce-access-secret``
    (same JSON keys as the contact center's), its own key and certificate, and is chosen per call by the
    flow's ``secretName`` / ``accessTokenSecretName``.
    """

    name: OrgName = Field(description="the ${org} in the org's secret names")
    call_center_api_name: ApiName | None = Field(
        default=None, description="SCV call center API name in this org (default: the contact center's)"
    )

    @property
    def construct_suffix(self) -> str:
        return construct_suffix(self.name)
