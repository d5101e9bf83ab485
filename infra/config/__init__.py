"""The contact-center config: one validated place for everything a stack needs.

One job per module, each importing only those after it: ``loading`` (the file, CDK context, the app-wide rules
and the one-line-per-mistake ``ConfigError``), ``pipeline`` (the deploy pipeline's roles), ``contact_center``,
``org`` and ``sections`` (the models), ``modes`` (the deploy modes and the rules a contact center keeps),
``naming`` (resource names) and ``types`` (one ``Annotated`` alias per value pattern, with its error).
``python -m scv_salesforce.config`` is the Makefile's entry (``__main__``). Importers name this package alone.
"""

from .contact_center import ContactCenter
from .loading import CONFIG_CONTEXT_KEY, DEFAULT_CONFIG_FILE, AppConfig, load_config, load_from_context, parse_config
from .modes import ColdStartMitigation, DeployMode
from .naming import construct_suffix
from .org import Org, SalesforceOrg
from .pipeline import DeployPipeline
from .sections import Certificate, Monitoring
from .types import ConfigError

__all__ = [
    "CONFIG_CONTEXT_KEY",
    "DEFAULT_CONFIG_FILE",
    "AppConfig",
    "Certificate",
    "ColdStartMitigation",
    "ConfigError",
    "ContactCenter",
    "DeployMode",
    "DeployPipeline",
    "Monitoring",
    "Org",
    "SalesforceOrg",
    "construct_suffix",
    "load_config",
    "load_from_context",
    "parse_config",
]
