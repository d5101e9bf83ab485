"""A stack from cdk.out "deployed" on this machine: moto for Secrets Manager, the emulator for Salesforce.

Does what CloudFormation and the administrator would do, in order: create the two secrets empty (as the
template declares them), run the seeder bundle's Create with the custom resource's properties from the
template, set the consumer key the way a user would (what `scvctl consumer-key set` writes), register
the returned certificate in the Salesforce emulator, then start invoker bundles with the function's
environment from the template (secret ids resolved; only the org endpoints and the extension
port point at this machine). Used by the end-to-end tests, `make demo`, `make try` and `make bench`;
:func:`local_deployment` also starts and stops the stand-ins.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from scvctl.secret_document import write_and_clear_token
from seeder.store import SecretStore

from tests.emulators.salesforce import SalesforceEmulator
from tests.emulators.secrets import REGION, FakeSecretsExtension, MotoSecretsServer
from tests.harness.container import ContainerPool, LambdaContainer
from tests.harness.runtime import runtime_packages
from tests.harness.synth import CloudAssembly, FunctionAsset, resolve_refs

CONSUMER_KEY = "3MVG9e2e-consumer-key-from-the-external-client-app"
STACK_ID = "arn:aws:cloudformation:us-east-1:123456789012:stack/local/00000000-0000-0000-0000-000000000000"

StartContainer = Callable[..., LambdaContainer]


@dataclass
class LocalDeployment:
    """What a deployed contact center is made of, on this machine."""

    assembly: CloudAssembly
    stack_name: str
    salesforce: SalesforceEmulator
    secrets_server: MotoSecretsServer
    extension: FakeSecretsExtension
    start_container: StartContainer
    refs: dict[str, str]
    seed_properties: dict[str, str]
    seed_logical_id: str
    certificate_pem: str = ""
    construct_id: str = ""  # the SalesforceRestApi's id in a consumer's stack ("Default" leaves no trace)

    @property
    def invoker(self) -> FunctionAsset:
        return self.assembly.function(self.stack_name, f"{self.construct_id}InvokerFunction")

    @property
    def seeder(self) -> FunctionAsset:
        return self.assembly.function(self.stack_name, f"{self.construct_id}SeederFunction")

    @property
    def contact_center(self) -> str:
        return self.seed_properties["ContactCenter"]

    def invoker_environment(self, **overrides: str) -> dict[str, str]:
        """The template's environment, secrets resolved, the org and the extension on this machine."""
        environment = resolve_refs(self.invoker.environment, self.refs)
        environment.update(
            {
                "SALESFORCE_REST_API_ENDPOINT_BASE": self.salesforce.rest_base(_api_version(environment)),
                "SALESFORCE_AUTH_ENDPOINT": self.salesforce.auth_endpoint,
                **self.secrets_server.env(),
                **self.extension.env(),
            }
        )
        environment.update(overrides)
        return environment

    def start_invoker(self, **overrides: str) -> LambdaContainer:
        """A new container (a cold start) of the shipped invoker bundle."""
        return self.start_container(self.invoker, self.invoker_environment(**overrides))

    def run_seeder(self, request_type: str, properties: dict[str, str], old: dict[str, str] | None = None) -> Any:
        """One CloudFormation event through the shipped seeder bundle, in a fresh container."""
        event: dict[str, Any] = {
            "RequestType": request_type,
            "ServiceToken": "arn:aws:lambda:us-east-1:123456789012:function:provider",
            "ResponseURL": "https://cloudformation-custom-resource-response.example/",
            "StackId": STACK_ID,
            "RequestId": str(uuid.uuid4()),
            "LogicalResourceId": self.seed_logical_id,
            "ResourceType": "Custom::SalesforceSecretSeed",
            "ResourceProperties": {"ServiceToken": "provider", **properties},
        }
        if request_type != "Create":
            event["PhysicalResourceId"] = f"{self.contact_center}-salesforce-secret-seed"
        if old is not None:
            event["OldResourceProperties"] = {"ServiceToken": "provider", **old}
        environment = {**self.secrets_server.env()}
        with self.start_container(self.seeder, environment) as container:
            return container.invoke(event, timeout_ms=self.seeder.timeout_seconds * 1000)


def _api_version(environment: dict[str, str]) -> str:
    return environment["SALESFORCE_REST_API_ENDPOINT_BASE"].rsplit("/v", 1)[1]


def deploy(
    assembly: CloudAssembly,
    stack_name: str,
    *,
    salesforce: SalesforceEmulator,
    secrets_server: MotoSecretsServer,
    extension: FakeSecretsExtension,
    start_container: StartContainer,
    consumer_key: str = CONSUMER_KEY,
    construct_id: str = "",
) -> LocalDeployment:
    """Create the secrets, seed them, set the consumer key and upload the certificate, like a first rollout."""
    template = assembly.template(stack_name)
    client = secrets_server.client()
    refs: dict[str, str] = {}
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] == "AWS::SecretsManager::Secret":
            refs[logical_id] = client.create_secret(Name=resource["Properties"]["Name"])["ARN"]
    (seed_logical_id,) = [
        logical_id
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == "Custom::SalesforceSecretSeed"
    ]
    properties = resolve_refs(
        {k: v for k, v in template["Resources"][seed_logical_id]["Properties"].items() if k != "ServiceToken"}, refs
    )
    deployment = LocalDeployment(
        assembly=assembly,
        stack_name=stack_name,
        salesforce=salesforce,
        secrets_server=secrets_server,
        extension=extension,
        start_container=start_container,
        refs=refs,
        seed_properties=properties,
        seed_logical_id=seed_logical_id,
        construct_id=construct_id,
    )
    created = deployment.run_seeder("Create", properties)
    assert created.ok, f"seeder Create failed: {created.error}"
    deployment.certificate_pem = created.payload["Data"]["Certificate"]
    # The administrator creates the External Client App with the certificate and stores its consumer key
    # with `scvctl consumer-key set`: the same write (main secret rewritten, cached token cleared).
    store = SecretStore(client, deployment.contact_center, properties["MainSecretId"], properties["AccessSecretId"])
    write_and_clear_token(store, {**store.read_current(), store.keys.consumer_key: consumer_key})
    salesforce.register_app(consumer_key, deployment.certificate_pem)
    salesforce.add_user(properties["Subject"])
    salesforce.expected_audiences = {properties["Audience"]}
    return deployment


ENGINEER_PHONE = "+81399998888"
OUTBOUND_NUMBER = "+81501234567"


def script_org_for_every_method(salesforce: SalesforceEmulator) -> str:
    """Answers for the search and the Field Service / outbound-number queries, and a Case to update.

    Every method then succeeds against the emulator; returns the Case's id. Shared by the end-to-end
    test of every method and the benchmark's per-method request counts.
    """
    salesforce.set_search_result("FIND", [{"Id": "0035g00000ABCDEAA1", "Name": "Yamada Taro"}], sobject="Contact")
    salesforce.set_query_result("FROM FieldServiceOrgSettings", [{"ApptAssistantStatus": "En Route"}])
    salesforce.set_query_result(
        "FROM AssignedResource",
        [{"ServiceResource": {"RelatedRecord": {"Phone": ENGINEER_PHONE}}}],
        sobject="AssignedResource",
    )
    salesforce.set_query_result("FROM MessagingChannel", [{"MessagingPlatformKey": OUTBOUND_NUMBER}])
    return salesforce.add_record("Case", {"Subject": "Existing"})


@contextmanager
def local_deployment(assembly: CloudAssembly, stack_name: str, *, region: str = REGION) -> Iterator[LocalDeployment]:
    """The stand-ins started on loopback (moto keeping the secrets in ``region``, the secrets extension,
    the Salesforce emulator, a container pool), the stack deployed on them; all stopped on exit."""
    with (
        ContainerPool(runtime_packages()) as pool,
        MotoSecretsServer(region=region) as secrets_server,
        FakeSecretsExtension(secrets_server) as extension,
        SalesforceEmulator() as salesforce,
    ):
        yield deploy(
            assembly, stack_name, salesforce=salesforce, secrets_server=secrets_server, extension=extension,
            start_container=pool.start,
        )  # fmt: skip
