"""From the function's answer to the fix: the failure it carries (failure.py) matched against the table of
known failures (diagnosis_rules.py), with the contact center's names filled in.

Pure functions of the Lambda answer (payload and FunctionError), so they are tested with a table of
answers and ``scvctl check`` only prints the result.
"""

from __future__ import annotations

from dataclasses import dataclass

from scv_shared.secret_format import access_secret_name, main_secret_name

from scvctl.diagnosis_rules import RULES
from scvctl.failure import Failure, failure_of
from scvctl.invoke import LambdaAnswer

__all__ = ["Diagnosis", "Failure", "diagnose", "failure_of"]


@dataclass(frozen=True)
class Diagnosis:
    """What happened, why, and the steps that fix it (empty for a success)."""

    ok: bool
    cause: str
    fixes: tuple[str, ...] = ()
    failure: Failure | None = None
    about_certificate: bool = False  # the stored certificate is part of the fix: show its fingerprint


#: what an invocation that succeeded did, by methodName (any other method: "ran <methodName>")
_WHAT_RAN = {"queryRecord": "the query", "searchRecord": "the search"}


def diagnose(answer: LambdaAnswer, contact_center: str, method: str = "queryRecord") -> Diagnosis:
    """The diagnosis of one answer of ``${contact_center}-InvokeSalesforceRestApiFunction`` to an event calling
    ``method`` (the guide's test event: queryRecord)."""
    failure = failure_of(answer)
    if failure is None:
        ran = _WHAT_RAN.get(method, method)
        return Diagnosis(True, f"the function signed in to Salesforce (OAuth 2.0 JWT bearer flow) and ran {ran}")
    names = {
        "cc": contact_center,
        "main": main_secret_name(contact_center),
        "access": access_secret_name(contact_center),
    }
    for rule in RULES:
        if rule.matches(failure):
            return Diagnosis(
                False,
                rule.cause.format(**names),
                tuple(fix.format(**names) for fix in rule.fixes),
                failure,
                rule.about_certificate,
            )
    return Diagnosis(
        False,
        "a failure scvctl has no specific advice for",
        (
            "read the error message above; docs/INVOKER.md (Errors) lists every error code and its fix",
            "the function's CloudWatch log group has one 'invocation failed' line per failure with the details",
        ),
        failure,
    )
