"""`make try [CONTACT_CENTER=<name>]`: every scvctl command, `check` included, against stand-ins of AWS and Salesforce.

Deploys the synthesized stack of the contact center on this machine as `make demo` does (moto keeps the
secrets in the contact center's region and the seeder bundle fills them; a Salesforce emulator for each of
its orgs knows the app's certificate, consumer key and integration user, and answers every method's
queries), lists the stack, its secrets and log group in moto as CloudFormation would, serves Lambda's API
for the function (Invoke runs the shipped invoker bundle) and Connect's for the instance (its association
and the stack's sample flows), then opens a shell whose environment points scvctl, and any AWS SDK, at them
and never at AWS or Salesforce. Leaving the shell (`exit`) stops everything.

``python -m tools.try_scvctl [CC] -- COMMAND...`` runs one command there instead of a shell.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from contextlib import nullcontext
from typing import Any

from scv_salesforce.config import ConfigError, ContactCenter
from scvctl.account import STACK_NAME_TAG
from scvctl.commands.flows import INVOKER_OUTPUT

from tools.emulators.connect import ConnectEmulator, ContactFlow
from tools.emulators.lambda_invoke import FunctionFacts, LambdaInvokeEmulator
from tools.emulators.secrets import REGION
from tools.harness.deployment import LocalDeployment, local_deployment, script_org_for_every_method
from tools.harness.synth import PROJECT_ROOT, synthesized_contact_center

VENV_BIN = PROJECT_ROOT / ".venv" / "bin"
#: moto's account, where the contact center's config names none
MOTO_ACCOUNT = "123456789012"


def stand_in_environment(
    deployment: LocalDeployment, lambda_invoke: LambdaInvokeEmulator, connect: ConnectEmulator | None
) -> dict[str, str]:
    """This process's environment minus every AWS setting, plus the stand-ins' endpoints and fake keys."""
    environment = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    environment.update(deployment.secrets_server.env())  # every AWS endpoint: moto, fake keys, the region
    environment.update(lambda_invoke.env())
    environment.update(connect.env() if connect else {})
    environment.update(
        {
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_EC2_METADATA_DISABLED": "true",
            "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        }
    )
    return environment


def function_arn(contact_center: ContactCenter) -> str:
    """The function's ARN where the stack would put it: the Connect instance's account and region."""
    region = contact_center.connect_region or contact_center.region or REGION
    account = contact_center.connect_account or contact_center.account or MOTO_ACCOUNT
    return f"arn:aws:lambda:{region}:{account}:function:{contact_center.function_name}"


def list_as_deployed(deployment: LocalDeployment, contact_center: ContactCenter, arn: str) -> None:
    """What CloudFormation leaves for ``preflight`` and ``flows`` to read in moto: the stack (live, with its
    output naming the function) and the function's log group, tagged with it (the secrets are tagged already)."""
    log_group = {
        "Type": "AWS::Logs::LogGroup",
        "Properties": {
            "LogGroupName": contact_center.log_group_name,
            "Tags": [{"Key": STACK_NAME_TAG, "Value": contact_center.stack_name}],
        },
    }
    template = {"Resources": {"LogGroup": log_group}, "Outputs": {INVOKER_OUTPUT: {"Value": arn}}}
    deployment.secrets_server.client("cloudformation").create_stack(
        StackName=contact_center.stack_name, TemplateBody=json.dumps(template)
    )


def connect_instance(deployment: LocalDeployment, contact_center: ContactCenter, arn: str) -> ConnectEmulator:
    """The instance as the stack leaves it: the function associated (unless the config says it was by hand) and
    the stack's sample flows, their content invoking the function, tagged with the stack's name."""
    resources = deployment.assembly.template(deployment.stack_name)["Resources"].values()
    flows = [
        ContactFlow(
            id=f"00000000-0000-4000-8000-{number:012d}",
            name=properties["Name"],
            type=properties["Type"],
            content=_with_function_arn(properties["Content"], arn),
            tags={STACK_NAME_TAG: contact_center.stack_name},
        )
        for number, properties in enumerate(
            (resource["Properties"] for resource in resources if resource["Type"] == "AWS::Connect::ContactFlow"), 1
        )
    ]
    assert contact_center.connect_instance_arn
    associated = [arn] if contact_center.associate_with_connect else []
    return ConnectEmulator(contact_center.connect_instance_arn, lambda_functions=associated, flows=flows)


def _with_function_arn(content: Any, arn: str) -> str:
    """A flow's content from the template: CDK writes it as an ``Fn::Join`` around the function's ARN."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict) and "Fn::Join" in content:
        separator, parts = content["Fn::Join"]
        return separator.join(_with_function_arn(part, arn) for part in parts)
    return arn  # the Fn::GetAtt / Ref of the function (or its alias)


def introduction(
    contact_center: ContactCenter,
    deployment: LocalDeployment,
    lambda_invoke: LambdaInvokeEmulator,
    connect: ConnectEmulator | None,
) -> str:
    cc = contact_center.name
    rows = [
        ("AWS (moto)", deployment.secrets_server.endpoint_url, "the stack, its secrets and the certificate parameter"),
        ("Lambda", lambda_invoke.endpoint_url, f"{contact_center.function_name} (the shipped bundle)"),
        *([("Amazon Connect", connect.endpoint_url, "the instance's association and flows")] if connect else []),
        ("Salesforce org", deployment.salesforce.base_url, "knows the app's certificate and consumer key"),
        *(
            (f"Salesforce org {name}", emulator.base_url, f"the same for org {name} (scvctl ... --org {name})")
            for name, emulator in deployment.org_emulators.items()
        ),
    ]
    stand_ins = "\n".join(f"  {what:<22} {url}  {holds}" for what, url, holds in rows)
    org_checks = "".join(
        f"\n  scvctl check {cc} --org {name:<20} the same test against org {name}" for name in deployment.org_emulators
    )
    return f"""
Stand-ins for {cc} (nothing here reaches AWS or Salesforce):
{stand_ins}

Try, for example:
  scvctl preflight {cc}                          what the account holds, which mode fits (here: the deployed stack)
  scvctl flows list {cc}                         the flows that invoke the function
  scvctl check {cc}                              the setup guide's console test{org_checks}
  scvctl check {cc} --event FILE                 any event (the README lists the methods), with the diagnosis
  scvctl cert show {cc}
  scvctl salesforce-metadata {cc} --out build/try/sf-app
  scvctl key rotate {cc}; scvctl cert show {cc}  a staged key; calls go on with the current one
  scvctl consumer-key set {cc}; scvctl token reset {cc}
A change made with scvctl reaches the function as docs/SCVCTL.md says: at the next sign-in it breaks (the
function re-reads the secret on invalid_grant or an unusable secret), otherwise when secrets_cache_ttl_seconds,
as deployed, has passed.
Leave with `exit`: everything stops, nothing is kept.
"""


def main(argv: list[str]) -> int:
    names, command = (argv[: argv.index("--")], argv[argv.index("--") + 1 :]) if "--" in argv else (argv, [])
    if len(names) > 1 or ("--" in argv and not command):
        print("usage: python -m tools.try_scvctl [CONTACT_CENTER] [-- COMMAND...]", file=sys.stderr)
        return 2
    try:
        assembly, contact_center = synthesized_contact_center(names[0] if names else None)
    except (ConfigError, LookupError) as error:
        print(error, file=sys.stderr)
        return 2
    for name in [name for name in os.environ if name.startswith("AWS_")]:  # this process never reaches AWS either
        del os.environ[name]
    print(f"Deploying {contact_center.stack_name} on this machine (the first time installs the bundles' runtime)...")
    with local_deployment(assembly, contact_center.stack_name, region=contact_center.region or REGION) as deployment:
        for salesforce in [deployment.salesforce, *deployment.org_emulators.values()]:
            script_org_for_every_method(salesforce)
        arn = function_arn(contact_center)
        list_as_deployed(deployment, contact_center, arn)
        functions = {contact_center.function_name: deployment.start_invoker}
        facts = {
            contact_center.function_name: FunctionFacts(
                arn, deployment.invoker.runtime, {STACK_NAME_TAG: contact_center.stack_name}
            )
        }
        instance = connect_instance(deployment, contact_center, arn) if contact_center.connect_instance_arn else None
        with LambdaInvokeEmulator(functions, facts=facts) as lambda_invoke, instance or nullcontext() as connect:
            environment = stand_in_environment(deployment, lambda_invoke, connect)
            if not command:
                print(introduction(contact_center, deployment, lambda_invoke, connect))
                command = [os.environ.get("SHELL") or "/bin/bash"]
            status = subprocess.call(command, env=environment, cwd=PROJECT_ROOT)
    print("Stopped the stand-ins.")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
