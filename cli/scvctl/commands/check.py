"""``scvctl check``: the setup guide's Lambda console test, from the terminal, with the fix for each failure.

It invokes the deployed ``${cc}-InvokeSalesforceRestApiFunction`` (the ``live`` alias when cold starts
are mitigated, as Connect calls it; in mode companion SCV's function through its ``active`` alias) with
the guide's test event, or the given one, prints what the function answered and, when it failed, the cause
and the steps to fix it (scvctl.diagnosis).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from scv_seeder import credentials
from scv_shared import constants
from scv_shared.orgs import ACCESS_TOKEN_SECRET_NAME_PARAMETER, SECRET_NAME_PARAMETER
from scv_shared.secret_format import SecretKeys, access_secret_name, main_secret_name

from scvctl.aws import lambda_client
from scvctl.console import read_text_file, say
from scvctl.diagnosis import Diagnosis, diagnose
from scvctl.errors import CliError
from scvctl.invoke import GUIDE_TEST_EVENT, Invoker, LambdaInvoker
from scvctl.runtime import Runtime

#: longer answers are printed indented; the guide's {} stays on one line
_INLINE_LIMIT = 100


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    check = commands.add_parser(
        "check", parents=[common], help="invoke the deployed function with the guide's test event and diagnose it"
    )
    check.add_argument("--event", type=Path, metavar="FILE", help="a JSON event instead of the guide's test query")
    check.set_defaults(handler=run_check)


def run_check(args: argparse.Namespace, runtime: Runtime) -> int:
    contact_center = runtime.contact_center
    event = _load_event(args.event) if args.event else GUIDE_TEST_EVENT
    if runtime.org:
        event = _in_org(event, runtime.contact_center.name, runtime.org)
    if not contact_center.ships_function:  # mode companion: SCV's function, as its flows call it
        qualifier: str | None = contact_center.scv_function_qualifier
    else:
        qualifier = None if contact_center.cold_start.value == "none" else constants.LIVE_ALIAS
    invoker: Invoker = runtime.invoker or LambdaInvoker(lambda_client(runtime.session))
    target = contact_center.function_name + (f":{qualifier}" if qualifier else "")
    say(f"Invoking {target} ({runtime.session.region_name}) with {_describe_event(event)}")
    invocation = invoker.invoke(contact_center.function_name, event, qualifier=qualifier)
    diagnosis = diagnose(invocation, contact_center.name, _method(event))
    _print(diagnosis, invocation.payload, _stored_certificates(runtime) if diagnosis.about_certificate else [])
    return 0 if diagnosis.ok else 1


def _in_org(event: dict[str, Any], contact_center: str, org: str) -> dict[str, Any]:
    """The event with the org's secretName / accessTokenSecretName, as a flow calling that org passes them."""
    details = event.get("Details")
    details = details if isinstance(details, dict) else {}
    parameters = details.get("Parameters")
    parameters = parameters if isinstance(parameters, dict) else {}
    names = {
        SECRET_NAME_PARAMETER: main_secret_name(contact_center, org),
        ACCESS_TOKEN_SECRET_NAME_PARAMETER: access_secret_name(contact_center, org),
    }
    return {**event, "Details": {**details, "Parameters": {**parameters, **names}}}


def _load_event(path: Path) -> dict[str, Any]:
    try:
        event = json.loads(read_text_file(path, "event file"))
    except ValueError as error:
        raise CliError(f"event file {path} is not JSON: {error}") from None
    if not isinstance(event, dict):
        raise CliError(f"event file {path} must hold a JSON object like the Lambda console's test events")
    return event


def _parameters(event: dict[str, Any]) -> dict[str, Any]:
    parameters = event.get("Details", {}).get("Parameters", {}) if isinstance(event.get("Details"), dict) else {}
    return parameters if isinstance(parameters, dict) else {}


def _method(event: dict[str, Any]) -> str:
    return str(_parameters(event).get("methodName") or "the given event")


def _describe_event(event: dict[str, Any]) -> str:
    parameters = _parameters(event)
    if "methodName" not in parameters:
        return "the given event"
    statement = parameters.get("soql") or parameters.get("sosl")
    return f"{parameters['methodName']}: {statement}" if statement else str(parameters["methodName"])


def _print(diagnosis: Diagnosis, payload: Any, certificates: list[str]) -> None:
    if diagnosis.ok:
        text = json.dumps(payload, ensure_ascii=False)
        if len(text) > _INLINE_LIMIT:
            text = json.dumps(payload, ensure_ascii=False, indent=2)
        say(f"Result: {text}")
        say(f"OK: {diagnosis.cause}.")
        return
    failure = diagnosis.failure
    assert failure is not None
    kind = f" ({failure.error_type})" if failure.error_type else ""
    say(f"Result: the function failed{kind}")
    say(f"  {failure.describe()}")
    say(f"Cause: {diagnosis.cause}.")
    if certificates:
        say("Certificates in Secrets Manager (compare with the app's):")
        for line in certificates:
            say(f"  {line}")
    say("Fix:")
    for number, step in enumerate(diagnosis.fixes, 1):
        say(f"  {number}. {step}")


def _stored_certificates(runtime: Runtime) -> list[str]:
    """The fingerprints to compare with the app's certificate (best effort: the diagnosis stands without them)."""
    keys = SecretKeys.for_contact_center(runtime.contact_center.name)
    try:
        current = (runtime.store.read_current() or {}).get(keys.certificate)
        pending = runtime.store.read_pending()
    except Exception:  # noqa: BLE001 - only extra information; the check's answer does not depend on it
        return []
    lines = []
    for label, pem in (("current", current), ("pending", pending[1].get(keys.certificate) if pending else None)):
        if pem:
            info = credentials.certificate_info(pem)
            lines.append(f"{label}: SHA-256 {info.fingerprint_sha256}, expires {info.not_after}")
    return lines
