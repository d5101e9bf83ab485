"""`make try [CONTACT_CENTER=<name>]`: every scvctl command, `check` included, against stand-ins of AWS and Salesforce.

Deploys the synthesized stack of the contact center on this machine as `make demo` does (moto keeps the
secrets in the contact center's region and the seeder bundle fills them; the Salesforce emulator knows
the app's certificate, consumer key and integration user, and answers every method's queries), serves
Lambda's Invoke API with the shipped invoker bundle, then opens a shell whose environment points scvctl,
and any AWS SDK, at them and never at AWS. Leaving the shell (`exit`) stops everything.

``python -m tools.try_scvctl [CC] -- COMMAND...`` runs one command there instead of a shell.
"""

from __future__ import annotations

import os
import subprocess
import sys

from infra.config import ConfigError, ContactCenter
from tools.emulators.lambda_invoke import LambdaInvokeEmulator
from tools.emulators.secrets import REGION
from tools.harness.deployment import LocalDeployment, local_deployment, script_org_for_every_method
from tools.harness.synth import PROJECT_ROOT, synthesized_contact_center

VENV_BIN = PROJECT_ROOT / ".venv" / "bin"


def stand_in_environment(deployment: LocalDeployment, lambda_invoke: LambdaInvokeEmulator) -> dict[str, str]:
    """This process's environment minus every AWS setting, plus the stand-ins' endpoints and fake keys."""
    environment = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    environment.update(deployment.secrets_server.env())  # every AWS endpoint: moto, fake keys, the region
    environment.update(lambda_invoke.env())
    environment.update(
        {
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_EC2_METADATA_DISABLED": "true",
            "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        }
    )
    return environment


def introduction(
    contact_center: ContactCenter, deployment: LocalDeployment, lambda_invoke: LambdaInvokeEmulator
) -> str:
    cc = contact_center.name
    return f"""
Stand-ins for {cc} (nothing here reaches AWS or Salesforce):
  Secrets Manager (moto)     {deployment.secrets_server.endpoint_url}  {cc}-salesforce-secret, filled by the seeder
  Lambda Invoke              {lambda_invoke.endpoint_url}  {contact_center.function_name} (the shipped bundle)
  Salesforce org (emulator)  {deployment.salesforce.base_url}  knows the app's certificate and consumer key

Try, for example:
  scvctl check {cc}                              the setup guide's console test
  scvctl check {cc} --event FILE                 any event (the README lists the methods), with the diagnosis
  scvctl cert show {cc}
  scvctl salesforce-metadata {cc} --out build/try/sf-app
  scvctl key rotate {cc}; scvctl cert show {cc}  a staged key; calls go on with the current one
  scvctl consumer-key set {cc}; scvctl token reset {cc}
The function caches the secrets for up to secrets_cache_ttl_seconds, as deployed: a change made with scvctl
reaches its calls after that.
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
        script_org_for_every_method(deployment.salesforce)
        functions = {contact_center.function_name: deployment.start_invoker}
        with LambdaInvokeEmulator(functions) as lambda_invoke:
            environment = stand_in_environment(deployment, lambda_invoke)
            if not command:
                print(introduction(contact_center, deployment, lambda_invoke))
                command = [os.environ.get("SHELL") or "/bin/bash"]
            status = subprocess.call(command, env=environment, cwd=PROJECT_ROOT)
    print("Stopped the stand-ins.")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
