"""Which Salesforce org one call goes to: ``secretName`` / ``accessTokenSecretName``, as Salesforce's function.

Each name is taken from ``Details.Parameters``, else from ``Details.ContactData.Attributes`` (unless the
contact center's ``org_from_contact_attributes`` is false), else the contact center's own org is used (so
flows without them change nothing). Attributes are the weaker source: a chat or task start request, or a
flow copying a Lex slot, can set them, and then pick any declared org for the rest of the contact (never an
undeclared one: IAM and the check below hold). A name is a secret's name or
ARN (full, or partial without Secrets Manager's 6-character suffix). Unlike Salesforce's function, a
name must be one of the stack's declared secrets (checked before any Secrets Manager call, so a flow
cannot make the function read or write another secret), and both names must belong to the same org: a
main secret of one org with the access secret of another would store one org's token where the other
reads it. Giving one of the two is enough; the other follows. A refused name is reported as "undeclared",
never echoed: it may be anything a caller typed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scv_shared.orgs import ACCESS_TOKEN_SECRET_NAME_PARAMETER, SECRET_NAME_PARAMETER

from scv_invoker.errors import BadRequestError
from scv_invoker.settings import Settings

_SECRETS_MANAGER_SUFFIX_LENGTH = 7  # "-" and 6 random characters


def org_settings(settings: Settings) -> list[Settings]:
    """The settings of every org this function may call: the contact center's own first."""
    return [settings, *(settings.for_org(org) for org in settings.further_orgs)]


def select_org(settings: Settings, parameters: Mapping[str, Any], contact_data: Mapping[str, Any]) -> Settings:
    """The settings of the org this call names (see the module docstring); BadRequestError when it names none."""
    attributes = contact_data.get("Attributes") if settings.org_from_contact_attributes else None
    attributes = attributes if isinstance(attributes, dict) else {}  # JSON from Connect: a dict when there

    def chosen(parameter: str, main: bool) -> Settings | None:
        source = "parameter" if parameters.get(parameter) else "contact attribute"
        value = parameters.get(parameter) or attributes.get(parameter)
        if not value:
            return None  # most calls name no secret: the orgs' settings are only made for those that do
        if not isinstance(value, str):
            raise BadRequestError(f"{parameter} must be a secret's name or ARN (text)")
        candidates = org_settings(settings)
        for org in candidates:
            name, secret_id = (
                (org.main_secret_name, org.main_secret_id) if main else (org.access_secret_name, org.access_secret_id)
            )
            if _names(value, name, secret_id):
                return org
        declared = ", ".join(org.main_secret_name if main else org.access_secret_name for org in candidates)
        raise BadRequestError(
            f"{parameter} (the {source}) names an undeclared secret, not one of this function's Salesforce "
            f"secrets ({declared}): use one of them, or declare the org under `orgs` in contact_centers.yaml and "
            "redeploy",
            error_code="UNDECLARED_SECRET",
        )

    by_main = chosen(SECRET_NAME_PARAMETER, True)
    by_access = chosen(ACCESS_TOKEN_SECRET_NAME_PARAMETER, False)
    if by_main is not None and by_access is not None and by_main.org != by_access.org:
        raise BadRequestError(
            f"{SECRET_NAME_PARAMETER} names org {by_main.org} ({by_main.main_secret_name}) but "
            f"{ACCESS_TOKEN_SECRET_NAME_PARAMETER} names org {by_access.org} ({by_access.access_secret_name}): "
            "give the pair of one org (one org's token must never be stored in another's access secret)",
            error_code="UNDECLARED_SECRET",
        )
    return by_main or by_access or settings


def _names(value: str, name: str, secret_id: str) -> bool:
    """``value`` names the secret: its name, its id, or its ARN with or without the 6-character suffix."""
    if value in (name, secret_id):
        return True
    marker = secret_id.rfind(":secret:")
    if not secret_id.startswith("arn:") or marker < 0:
        return False
    partial = secret_id[: marker + len(":secret:")] + name
    return value == partial or (
        value.startswith(partial + "-") and len(value) == len(partial) + _SECRETS_MANAGER_SUFFIX_LENGTH
    )
