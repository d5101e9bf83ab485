"""The construct library ``scv_salesforce`` (this folder, installed under that name from the wheel).

``from scv_salesforce import SalesforceRestApi, ContactCenter`` is the public API; one logical unit per
module, composed by salesforce_rest_api.py. The names resolve on first use, so reading the config
(``python -m scv_salesforce.config``, scvctl) never loads aws-cdk-lib and its Node.js runtime.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from .config import AppConfig, ConfigError, ContactCenter, load_config
    from .salesforce_rest_api import SalesforceRestApi
    from .stack import ContactCenterStack

_PUBLIC = {
    "SalesforceRestApi": "salesforce_rest_api",
    "ContactCenterStack": "stack",
    "ContactCenter": "config",
    "AppConfig": "config",
    "ConfigError": "config",
    "load_config": "config",
}
__all__ = ["AppConfig", "ConfigError", "ContactCenter", "ContactCenterStack", "SalesforceRestApi", "load_config"]


assert sorted(__all__) == sorted(_PUBLIC)


def __getattr__(name: str) -> Any:
    if name not in _PUBLIC:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f".{_PUBLIC[name]}", __name__), name)
