"""`make demo [CONTACT_CENTER=<name>]`: the whole flow on this machine, printed step by step.

Starts moto (Secrets Manager) and the Salesforce emulator on loopback, "deploys" the synthesized stack
of the first contact center in contact_centers.yaml (or the one named) from cdk.out (the seeder bundle
creates the key, certificate and secret values), uploads the certificate to the emulated org, then calls
the shipped invoker bundle the way contact flows do: the setup guide's console test event, a caller lookup
by phone and a case creation. Everything stops at the end.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from scv_salesforce.config import ConfigError

from tools.harness.deployment import local_deployment
from tools.harness.events import SEED_CONSOLE_TEST_EVENT, connect_event
from tools.harness.synth import synthesized_contact_center


def show(title: str, value: Any = None) -> None:
    print(f"\n=== {title}")
    if value is not None:
        print(json.dumps(value, indent=2, ensure_ascii=False) if not isinstance(value, str) else value)


def main(argv: list[str]) -> int:
    if len(argv) > 1:
        print("usage: python -m tools.demo [CONTACT_CENTER]", file=sys.stderr)
        return 2
    try:
        assembly, contact_center = synthesized_contact_center(argv[0] if argv else None)
    except (ConfigError, LookupError) as error:
        print(error, file=sys.stderr)
        return 2
    with local_deployment(assembly, contact_center.stack_name) as deployment:
        org = deployment.salesforce
        show(
            "Local stand-ins",
            f"Secrets Manager (moto): {deployment.secrets_server.endpoint_url}\nSalesforce org (emulator): "
            f"{org.base_url}",
        )
        cc = deployment.contact_center
        show(
            "Seeder (cdk deploy): key pair, certificate and secrets created",
            f"{cc}-salesforce-secret and {cc}-salesforce-access-secret filled; certificate to upload to Salesforce:\n"
            + deployment.certificate_pem,
        )
        org.set_query_result("FROM Contact", [{"Id": "0035g00000DEMOAAA1", "Name": "Yamada Taro"}], sobject="Contact")
        invoker = deployment.start_invoker()
        calls = [
            ("The setup guide's console test event", SEED_CONSOLE_TEST_EVENT),
            (
                "Look the caller up by phone (the sample flow's queryRecord)",
                connect_event(
                    {
                        "methodName": "queryRecord",
                        "soql": "SELECT Id, Name FROM Contact WHERE Phone = '{phone}' LIMIT 1",
                        "phone": "+81312345678",
                    }
                ),
            ),
            (
                "Create a case (createRecord)",
                connect_event(
                    {
                        "methodName": "createRecord",
                        "objectApiName": "Case",
                        "Subject": "Callback requested",
                        "Origin": "Phone",
                    }
                ),
            ),
        ]
        for title, event in calls:
            show(f"{title}: request", event["Details"]["Parameters"])
            result = invoker.invoke(event)
            show(
                f"{title}: {'result' if result.ok else 'error'} ({result.duration_ms:.0f} ms)",
                result.payload if result.ok else result.error_message,
            )
        show(
            "What Salesforce received",
            "\n".join(f"{r.method} {r.path} {r.query.get('q', '')}".rstrip() for r in org.requests),
        )
        show("Tokens minted", str(org.mint_count))
    print("\nDone: everything ran on this machine and has been stopped.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
