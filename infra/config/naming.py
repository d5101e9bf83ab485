"""Resource names derived from the config's names, in one home; the rules the functions share too (stack name,
certificate common name, secret names) stay in scv_shared, and are used from there."""

from __future__ import annotations

from ..constants import BESIDE_FUNCTION_NAME_SUFFIX, FUNCTION_NAME_SUFFIX


def construct_suffix(org_name: str) -> str:
    """``dr-tokyo`` → ``DrTokyo``: what an org adds to construct ids, output names and IAM statement ids."""
    return "".join(part[:1].upper() + part[1:] for part in org_name.split("-"))


def scv_function_name(contact_center: str) -> str:
    """The name SCV's CloudFormation stacks give their function (the setup guide's name)."""
    return f"{contact_center}{FUNCTION_NAME_SUFFIX}"


def default_function_name(contact_center: str, *, beside: bool) -> str:
    """Our function's name: the setup guide's, except beside SCV's function, which already has it."""
    return f"{contact_center}{BESIDE_FUNCTION_NAME_SUFFIX}" if beside else scv_function_name(contact_center)


def log_group_name(function_name: str) -> str:
    return f"/aws/lambda/{function_name}"
