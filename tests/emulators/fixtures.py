"""pytest plugin: the emulators, started once per session (per xdist worker) and reset for every test.

Tests use the function-scoped fixtures (``salesforce``, ``secrets_server``, ``secrets_extension``,
``secretsmanager_client``): each starts its server again if an earlier test stopped it, then wipes
its state, so no test sees another's tokens, secrets, faults or counts. The ``*_session`` fixtures
are for wider-scoped fixtures that only need a URL or port, which stay the same for the whole
session.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from scv_shared.secret_format import SecretKeys, access_secret_name, main_secret_name

from tools.emulators.credentials import KeyPair, generate_key_pair
from tools.emulators.salesforce import SalesforceEmulator
from tools.emulators.secrets import FakeSecretsExtension, MotoSecretsServer


@dataclass(frozen=True)
class ContactCenterSecrets:
    """The two secrets of one contact center as created in moto.

    Unpacks as ``main_arn, access_arn = make_contact_center_secrets(...)`` for tests that only need the ARNs.
    """

    contact_center: str
    main_secret_arn: str
    access_secret_arn: str

    def __iter__(self) -> Iterator[str]:
        return iter((self.main_secret_arn, self.access_secret_arn))

    def env(self) -> dict[str, str]:
        """The invoker's environment variables that name these secrets."""
        return {
            "CONTACT_CENTER_NAME": self.contact_center,
            "SALESFORCE_SECRET_ID": self.main_secret_arn,
            "SALESFORCE_ACCESS_SECRET_ID": self.access_secret_arn,
        }


def make_contact_center_secrets(
    client: Any,
    cc: str,
    private_key_pem: str,
    consumer_key: str,
    subject: str,
    audience: str,
    access_token: str = "",
    certificate_pem: str | None = None,
    org: str | None = None,
) -> ContactCenterSecrets:
    """Create ``${cc}-salesforce-secret`` and ``${cc}-salesforce-access-secret`` in the documented format
    (with ``org``: a further org's ``${cc}-${org}-...`` pair, with the same JSON keys).

    The certificate key is written only when ``certificate_pem`` is given (a hand-made secret has none).
    """
    keys = SecretKeys.for_contact_center(cc)
    document = {
        keys.consumer_key: consumer_key,
        keys.private_key: private_key_pem,
        keys.subject: subject,
        keys.audience: audience,
    }
    if certificate_pem:
        document[keys.certificate] = certificate_pem
    main = client.create_secret(Name=main_secret_name(cc, org), SecretString=json.dumps(document))
    access = client.create_secret(
        Name=access_secret_name(cc, org), SecretString=json.dumps({keys.access_token: access_token})
    )
    return ContactCenterSecrets(cc, main["ARN"], access["ARN"])


@pytest.fixture(scope="session")
def rsa_key_pair() -> KeyPair:
    """The key and certificate most tests sign with and upload; generated per session, never stored."""
    return generate_key_pair("scv-salesforce-test")


@pytest.fixture(scope="session")
def test_key_pair(rsa_key_pair: KeyPair) -> KeyPair:
    """The same pair as ``rsa_key_pair``, under the name the team's briefs use."""
    return rsa_key_pair


@pytest.fixture(scope="session")
def other_rsa_key_pair() -> KeyPair:
    """A second key pair: the wrong certificate, or the new key of a rotation."""
    return generate_key_pair("scv-salesforce-test-other")


@pytest.fixture(scope="session")
def salesforce_session() -> Iterator[SalesforceEmulator]:
    with SalesforceEmulator() as emulator:
        yield emulator


@pytest.fixture
def salesforce(salesforce_session: SalesforceEmulator) -> SalesforceEmulator:
    """A running org with nothing registered: register the app and users the test needs."""
    salesforce_session.start()
    salesforce_session.reset()
    return salesforce_session


@pytest.fixture(scope="session")
def salesforce_org_b_session() -> Iterator[SalesforceEmulator]:
    with SalesforceEmulator() as emulator:
        yield emulator


@pytest.fixture
def salesforce_org_b(salesforce_org_b_session: SalesforceEmulator) -> SalesforceEmulator:
    """A second, separate org (its own URL, apps, users and tokens): a contact center's further org."""
    salesforce_org_b_session.start()
    salesforce_org_b_session.reset()
    return salesforce_org_b_session


@pytest.fixture(scope="session")
def secrets_server_session() -> Iterator[MotoSecretsServer]:
    with MotoSecretsServer() as server:
        yield server


@pytest.fixture
def secrets_server(secrets_server_session: MotoSecretsServer) -> MotoSecretsServer:
    """A running moto with no secrets, no recorded calls and no pending failures."""
    secrets_server_session.start()
    secrets_server_session.reset_backend()
    secrets_server_session.reset_counts()
    return secrets_server_session


@pytest.fixture(scope="session")
def secrets_extension_session(secrets_server_session: MotoSecretsServer) -> Iterator[FakeSecretsExtension]:
    with FakeSecretsExtension(secrets_server_session) as extension:
        yield extension


@pytest.fixture
def secrets_extension(
    secrets_extension_session: FakeSecretsExtension, secrets_server: MotoSecretsServer
) -> FakeSecretsExtension:
    """The extension in front of a freshly reset moto, with an empty cache and the default TTL."""
    secrets_extension_session.start()
    secrets_extension_session.reset()
    return secrets_extension_session


@pytest.fixture(scope="session")
def _secretsmanager_client_session(secrets_server_session: MotoSecretsServer) -> Any:
    return secrets_server_session.client()


@pytest.fixture
def secretsmanager_client(_secretsmanager_client_session: Any, secrets_server: MotoSecretsServer) -> Any:
    """A boto3 Secrets Manager client for the (reset) moto server; its calls are counted like any other."""
    return _secretsmanager_client_session
