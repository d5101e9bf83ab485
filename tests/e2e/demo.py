"""`make demo [CC=<name>]`: the whole flow on this machine, printed step by step.

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

from infra.config import ConfigError, load_config
from tests.e2e.conftest import SEED_CONSOLE_TEST_EVENT, connect_event
from tests.e2e.deployment import deploy
from tests.emulators.salesforce import SalesforceEmulator
from tests.emulators.secrets import FakeSecretsExtension, MotoSecretsServer
from tests.harness.container import ContainerPool
from tests.harness.runtime import runtime_packages
from tests.harness.synth import CDK_OUT, CloudAssembly


def show(title: str, value: Any = None) -> None:
    print(f"\n=== {title}")
    if value is not None:
        print(json.dumps(value, indent=2, ensure_ascii=False) if not isinstance(value, str) else value)


def synthesized_stack(assembly: CloudAssembly, contact_center: str | None = None) -> str:
    """The stack of ``contact_center`` (default: the config's first) as the last synth produced it.

    Raises ConfigError for a name the config lacks, LookupError when cdk.out is from another config.
    """
    config = load_config()
    chosen = config.find(contact_center) if contact_center else config.contact_centers[0]
    if chosen.stack_name not in assembly.stack_names:
        raise LookupError(
            f"{assembly.outdir}/manifest.json has no stack {chosen.stack_name} for contact center {chosen.name} "
            "(cdk.out is from another config): run `make synth`"
        )
    return chosen.stack_name


def main(argv: list[str]) -> int:
    if len(argv) > 1:
        print("usage: python -m tests.e2e.demo [CONTACT_CENTER]", file=sys.stderr)
        return 2
    if not (CDK_OUT / "manifest.json").exists():
        print("cdk.out is missing: run `make synth` first", file=sys.stderr)
        return 2
    assembly = CloudAssembly(CDK_OUT)
    try:
        stack_name = synthesized_stack(assembly, argv[0] if argv else None)
    except (ConfigError, LookupError) as error:
        print(error, file=sys.stderr)
        return 2
    with (
        ContainerPool(runtime_packages()) as pool,
        MotoSecretsServer() as secrets_server,
        FakeSecretsExtension(secrets_server) as extension,
        SalesforceEmulator() as org,
    ):
        show(
            "Local stand-ins",
            f"Secrets Manager (moto): {secrets_server.endpoint_url}\nSalesforce org (emulator): {org.base_url}",
        )
        deployment = deploy(
            assembly, stack_name, salesforce=org, secrets_server=secrets_server, extension=extension,
            start_container=pool.start,
        )  # fmt: skip
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
