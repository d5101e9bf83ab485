"""How the REST API shapes what it returns: its URLs and records with their ``attributes``.

Records come back from a query, a search and a read alike (``attributes`` first, nested relationship
records likewise), so the shape is written once here for every resource that returns records.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tools.emulators.salesforce.ids import salesforce_id

API_VERSION = "68.0"
DATA_PREFIX = "/services/data/"
_USER_RELATIONSHIPS = {"RelatedRecord", "Owner", "CreatedBy", "LastModifiedBy"}


def record_url(version: str, sobject: str, record_id: str) -> str:
    return f"{DATA_PREFIX}v{version}/sobjects/{sobject}/{record_id}"


def with_attributes(record: Mapping[str, Any], sobject: str, version: str) -> dict[str, Any]:
    """A record as Salesforce returns it: ``attributes`` first, nested relationship records likewise.

    A record that carries its own ``attributes`` keeps its type and URL.
    """
    fields = dict(record)
    given = fields.pop("attributes", None) or {}
    sobject = given.get("type", sobject)
    url = given.get("url") or record_url(version, sobject, fields.get("Id") or salesforce_id(sobject))
    shaped: dict[str, Any] = {"attributes": {"type": sobject, "url": url}}
    for name, value in fields.items():
        if isinstance(value, Mapping):
            value = with_attributes(value, _relationship_type(name), version)
        shaped[name] = value
    return shaped


def _relationship_type(name: str) -> str:
    """The object type of a lookup relationship by its name (custom ``__r`` -> ``__c``; user lookups -> User)."""
    if name in _USER_RELATIONSHIPS:
        return "User"
    return name[:-3] + "__c" if name.endswith("__r") else name
