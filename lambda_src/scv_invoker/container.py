"""What one Lambda container keeps between invocations: settings, one HTTP pool, the caches per org, the metrics
of its successful calls not yet written.

Built at the first invocation (not at import, so a configuration error is reported as a clear
invocation failure) and reused by every warm one. Each Salesforce org the function may call has its own
secrets cache, token provider, client and method memory, made at its first call: one org's token, key
or cached settings can never be used for another.
"""

from typing import NamedTuple

from scv_invoker.auth import TokenProvider
from scv_invoker.connections import ConnectionPool
from scv_invoker.log import logger
from scv_invoker.methods import ContainerMemory
from scv_invoker.metrics import MetricsIdentity, MinuteMetrics
from scv_invoker.salesforce import SalesforceClient
from scv_invoker.secrets_cache import SecretsCache
from scv_invoker.settings import Settings


class OrgClients(NamedTuple):
    """One org's view: its settings and everything cached for it."""

    settings: Settings
    secrets: SecretsCache
    tokens: TokenProvider
    salesforce: SalesforceClient
    memory: ContainerMemory


class Container:
    def __init__(self, settings: Settings, connections: ConnectionPool) -> None:
        self.settings = settings
        self.connections = connections
        self.orgs: dict[str, OrgClients] = {}
        self.metrics = MinuteMetrics(
            MetricsIdentity(settings.contact_center, settings.metrics_namespace, per_org=bool(settings.further_orgs))
        )

    @classmethod
    def start(cls, settings: Settings | None = None) -> "Container":
        settings = settings or Settings.from_env()
        logger.set_level(settings.log_level)
        return cls(settings=settings, connections=ConnectionPool.from_environment())

    def org(self, settings: Settings) -> OrgClients:
        """The clients of the org ``settings`` describe (one of :func:`scv_invoker.orgs.org_settings`)."""
        clients = self.orgs.get(settings.org)
        if clients is None:
            secrets = SecretsCache(settings, self.connections)
            tokens = TokenProvider(settings, secrets, self.connections)
            clients = OrgClients(
                settings=settings,
                secrets=secrets,
                tokens=tokens,
                salesforce=SalesforceClient(settings, self.connections, tokens),
                memory=ContainerMemory(),
            )
            self.orgs[settings.org] = clients
        return clients
