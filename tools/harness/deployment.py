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

import json
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scv_salesforce.bundling import index_trust_store
from scv_seeder.store import SecretStore
from scv_shared.orgs import ORGS_ENV
from scv_shared.secret_format import secret_name_prefix
from scvctl.account import STACK_NAME_TAG
from scvctl.secret_document import write_and_clear_token

from tools.emulators.salesforce import SalesforceEmulator
from tools.emulators.secrets import REGION, FakeSecretsExtension, MotoSecretsServer
from tools.harness.container import ContainerPool, LambdaContainer
from tools.harness.runtime import runtime_packages
from tools.harness.synth import CloudAssembly, FunctionAsset, resolve_refs

CONSUMER_KEY = "3MVG9e2e-consumer-key-from-the-external-client-app"
STACK_ID = "arn:aws:cloudformation:us-east-1:123456789012:stack/local/00000000-0000-0000-0000-000000000000"

StartContainer = Callable[..., LambdaContainer]


@dataclass
class OrgSeed:
    """One seed resource of the template: the contact center's own org ("") or a further org."""

    org: str
    logical_id: str
    properties: dict[str, str]
    certificate_pem: str = ""


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
    #: the further orgs' seeds and the emulators standing in for their orgs, by org name
    org_seeds: dict[str, OrgSeed] = field(default_factory=dict)
    org_emulators: dict[str, SalesforceEmulator] = field(default_factory=dict)
    construct_id: str = ""  # the SalesforceRestApi's id in a consumer's stack ("Default" leaves no trace)

    @property
    def invoker(self) -> FunctionAsset:
        return self.assembly.function(self.stack_name, f"{self.construct_id}InvokerFunction")

    @property
    def invoker_timeout_ms(self) -> int:
        """The function's own timeout (Connect's 8 s), for the tests about deadlines."""
        return int(self.invoker.timeout_seconds * 1000)

    @property
    def seeder(self) -> FunctionAsset:
        return self.assembly.function(self.stack_name, f"{self.construct_id}SeederFunction")

    @property
    def contact_center(self) -> str:
        return self.seed_properties["ContactCenter"]

    def invoker_environment(self, **overrides: str) -> dict[str, str]:
        """The template's environment, secrets resolved, the orgs and the extension on this machine; with an org
        emulator serving TLS, SSL_CERT_DIR names a directory holding its self-signed certificate indexed by subject
        hash, so the function trusts it the way it trusts certifi's roots in its bundle (never deployed: a real
        org's certificate chains to those roots)."""
        environment = resolve_refs(self.invoker.environment, self.refs)
        ca_bundle = self.salesforce.ca_bundle_path
        trust = {} if ca_bundle is None else {"SSL_CERT_DIR": str(_indexed(ca_bundle))}
        environment.update(
            {
                "SALESFORCE_REST_API_ENDPOINT_BASE": self.salesforce.rest_base(_api_version(environment)),
                "SALESFORCE_AUTH_ENDPOINT": self.salesforce.auth_endpoint,
                **self.secrets_server.env(),
                **self.extension.env(),
                **trust,
            }
        )
        if ORGS_ENV in environment:
            environment[ORGS_ENV] = json.dumps(
                [self._on_this_machine(entry) for entry in json.loads(environment[ORGS_ENV])]
            )
        environment.update(overrides)
        return environment

    def _on_this_machine(self, entry: dict[str, str]) -> dict[str, str]:
        """A further org's entry with its endpoints at its emulator (same API version as the template's)."""
        emulator = self.org_emulators.get(entry["name"])
        if emulator is None:
            return entry
        version = entry["restApiEndpointBase"].rsplit("/v", 1)[1]
        return {**entry, "restApiEndpointBase": emulator.rest_base(version), "authEndpoint": emulator.auth_endpoint}

    def start_invoker(self, **overrides: str) -> LambdaContainer:
        """A new container (a cold start) of the shipped invoker bundle."""
        return self.start_container(self.invoker, self.invoker_environment(**overrides))

    def run_seeder(
        self,
        request_type: str,
        properties: dict[str, str],
        old: dict[str, str] | None = None,
        *,
        logical_id: str | None = None,
    ) -> Any:
        """One CloudFormation event through the shipped seeder bundle, in a fresh container."""
        event: dict[str, Any] = {
            "RequestType": request_type,
            "ServiceToken": "arn:aws:lambda:us-east-1:123456789012:function:provider",
            "ResponseURL": "https://cloudformation-custom-resource-response.example/",
            "StackId": STACK_ID,
            "RequestId": str(uuid.uuid4()),
            "LogicalResourceId": logical_id or self.seed_logical_id,
            "ResourceType": "Custom::SalesforceSecretSeed",
            "ResourceProperties": {"ServiceToken": "provider", **properties},
        }
        if request_type != "Create":
            event["PhysicalResourceId"] = secret_name_prefix(self.contact_center, properties.get("Org")) + (
                "-salesforce-secret-seed"
            )
        if old is not None:
            event["OldResourceProperties"] = {"ServiceToken": "provider", **old}
        environment = {**self.secrets_server.env()}
        with self.start_container(self.seeder, environment) as container:
            return container.invoke(event, timeout_ms=self.seeder.timeout_seconds * 1000)

    def seed(self, seed: OrgSeed, consumer_key: str, salesforce: SalesforceEmulator | None) -> OrgSeed:
        """Create, then the consumer key stored as ``scvctl consumer-key set`` stores it; the certificate
        registered in ``salesforce``."""
        created = self.run_seeder("Create", seed.properties, logical_id=seed.logical_id)
        assert created.ok, f"seeder Create of {seed.org or 'the own org'} failed: {created.error}"
        # The administrator creates the External Client App with the certificate and stores its consumer key
        # with `scvctl consumer-key set`: the same write (main secret rewritten, cached token cleared).
        store = SecretStore(
            self.secrets_server.client(),
            seed.properties["ContactCenter"],
            seed.properties["MainSecretId"],
            seed.properties["AccessSecretId"],
        )
        write_and_clear_token(store, {**store.read_current(), store.keys.consumer_key: consumer_key})
        seeded = OrgSeed(seed.org, seed.logical_id, seed.properties, created.payload["Data"]["Certificate"])
        if salesforce is not None:
            salesforce.register_app(consumer_key, seeded.certificate_pem)
            salesforce.add_user(seed.properties["Subject"])
            salesforce.expected_audiences = {seed.properties["Audience"]}
        return seeded


def _indexed(ca_bundle: Path) -> Path:
    """The directory holding ``ca_bundle``'s certificates indexed by subject hash, beside it (made once)."""
    directory = ca_bundle.with_name(ca_bundle.stem + "-indexed")
    if not directory.is_dir():
        index_trust_store(ca_bundle, directory)
    return directory


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
    org_emulators: dict[str, SalesforceEmulator] | None = None,
    construct_id: str = "",
) -> LocalDeployment:
    """Create the secrets, seed them, set the consumer keys and upload the certificates, like a first rollout.

    Every seed resource of the template is run: the contact center's own org's certificate goes to
    ``salesforce``, a further org's to its emulator in ``org_emulators`` (with consumer key
    ``<consumer_key>-<org>``); a further org without one is seeded only.
    """
    template = assembly.template(stack_name)
    client = secrets_server.client()
    refs: dict[str, str] = {}
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] == "AWS::SecretsManager::Secret":
            tags = [{"Key": STACK_NAME_TAG, "Value": stack_name}]  # as CloudFormation tags what it creates
            refs[logical_id] = client.create_secret(Name=resource["Properties"]["Name"], Tags=tags)["ARN"]
    seeds = [
        OrgSeed(
            str(resource["Properties"].get("Org", "")),
            logical_id,
            resolve_refs({k: v for k, v in resource["Properties"].items() if k != "ServiceToken"}, refs),
        )
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == "Custom::SalesforceSecretSeed"
    ]
    (own,) = [seed for seed in seeds if not seed.org]
    deployment = LocalDeployment(
        assembly=assembly,
        stack_name=stack_name,
        salesforce=salesforce,
        secrets_server=secrets_server,
        extension=extension,
        start_container=start_container,
        refs=refs,
        seed_properties=own.properties,
        seed_logical_id=own.logical_id,
        org_emulators=dict(org_emulators or {}),
        construct_id=construct_id,
    )
    seeded = deployment.seed(own, consumer_key, salesforce)
    deployment.seed_properties = seeded.properties
    deployment.certificate_pem = seeded.certificate_pem
    for seed in seeds:
        if seed.org:
            deployment.org_seeds[seed.org] = deployment.seed(
                seed, f"{consumer_key}-{seed.org}", deployment.org_emulators.get(seed.org)
            )
    return deployment


ENGINEER_PHONE = "+81399998888"
OUTBOUND_NUMBER = "+81501234567"
AGENT_ARN = "arn:aws:connect:ap-northeast-1:111111111111:instance/x/agent/y"
GREETING_URL = "https://example-org.my.salesforce.com/voicemail/drop-greeting.wav"


def script_org_for_every_method(salesforce: SalesforceEmulator) -> str:
    """Answers for the search and the Field Service / outbound-number queries, the agent's voicemail
    greeting, and a Case to update.

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
    salesforce.add_voicemail_greeting(salesforce.add_routing_map(AGENT_ARN), GREETING_URL)
    return salesforce.add_record("Case", {"Subject": "Existing"})


def further_orgs(assembly: CloudAssembly, stack_name: str) -> list[str]:
    """The names of the further orgs the stack seeds (one seed resource each)."""
    resources = assembly.template(stack_name)["Resources"].values()
    return [
        str(resource["Properties"]["Org"])
        for resource in resources
        if resource["Type"] == "Custom::SalesforceSecretSeed" and resource["Properties"].get("Org")
    ]


@contextmanager
def local_deployment(assembly: CloudAssembly, stack_name: str, *, region: str = REGION) -> Iterator[LocalDeployment]:
    """The stand-ins started on loopback (moto keeping the secrets in ``region``, the secrets extension, a
    Salesforce emulator for the contact center's org and one for each further org, a container pool), the stack
    deployed on them; all stopped on exit. Every org the function may call is a stand-in: nothing reaches
    Salesforce."""
    with ExitStack() as stack:
        pool = stack.enter_context(ContainerPool(runtime_packages()))
        secrets_server = stack.enter_context(MotoSecretsServer(region=region))
        extension = stack.enter_context(FakeSecretsExtension(secrets_server))
        salesforce = stack.enter_context(SalesforceEmulator())
        org_emulators = {org: stack.enter_context(SalesforceEmulator()) for org in further_orgs(assembly, stack_name)}
        yield deploy(
            assembly, stack_name, salesforce=salesforce, secrets_server=secrets_server, extension=extension,
            start_container=pool.start, org_emulators=org_emulators,
        )  # fmt: skip
