"""What one Lambda container keeps between invocations: settings, one HTTP session, the caches.

Built at the first invocation (not at import, so a configuration error is reported as a clear
invocation failure) and reused by every warm one.
"""

from __future__ import annotations

from dataclasses import dataclass

import requests

from invoker.auth import TokenProvider
from invoker.methods import ContainerMemory
from invoker.salesforce import SalesforceClient
from invoker.secrets_cache import SecretsCache
from invoker.settings import Settings

USER_AGENT = "scv-salesforce-rest-api-invoker/1"


@dataclass
class Container:
    settings: Settings
    session: requests.Session
    secrets: SecretsCache
    tokens: TokenProvider
    salesforce: SalesforceClient
    memory: ContainerMemory

    @classmethod
    def start(cls, settings: Settings | None = None) -> Container:
        settings = settings or Settings.from_env()
        session = requests.Session()
        session.headers["User-Agent"] = USER_AGENT
        secrets = SecretsCache(settings, session)
        tokens = TokenProvider(settings, secrets, session)
        return cls(
            settings=settings,
            session=session,
            secrets=secrets,
            tokens=tokens,
            salesforce=SalesforceClient(settings, session, tokens),
            memory=ContainerMemory(),
        )
