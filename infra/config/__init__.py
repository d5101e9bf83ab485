"""The contact-center config: one validated place for everything a stack needs.

One job per module: ``types`` (value patterns and their errors), ``models`` (contact center, org, monitoring,
certificate and the mode rules), ``naming`` (resource naming), ``pipeline`` (the deploy pipeline's roles) and
``loading`` (the YAML file, CDK context and the one-line-per-mistake ConfigError). This package re-exports what
the rest of the app imports, so importers name ``scv_salesforce.config`` alone.
"""

from .loading import AppConfig, load_config, load_from_context, parse_config
from .models import ColdStartMitigation, ContactCenter, DeployMode, Monitoring, Org, SalesforceOrg
from .naming import construct_suffix
from .pipeline import DeployPipeline
from .types import DEFAULT_CONFIG_FILE, ConfigError

__all__ = [
    "DEFAULT_CONFIG_FILE",
    "AppConfig",
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
