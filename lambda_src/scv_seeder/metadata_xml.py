"""Metadata API records as ElementTree elements: the namespace-qualified tags, field paths compared between two
reads, and a field set or added where the WSDL's sequence puts it (the connected app's and the External Client App's
edits share these)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable

from scv_seeder.metadata_api import METADATA_NAMESPACE


def tag(name: str) -> str:
    return f"{{{METADATA_NAMESPACE}}}{name}"


def changed_fields(before: ET.Element, after: ET.Element) -> set[str]:
    """The field paths (``oauthConfig/scopes``) whose values differ between two reads of the app."""
    left, right = _flattened(before), _flattened(after)
    return {path for path in left.keys() | right.keys() if left.get(path) != right.get(path)}


def strip_whitespace(element: ET.Element) -> None:
    """Undo ET.indent: element text between children is layout, not a value."""
    for child in element:
        if len(child):
            child.text = None
            strip_whitespace(child)
        child.tail = None
    if len(element):
        element.text = None


def _flattened(record: ET.Element, prefix: str = "") -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for child in record:
        path = prefix + child.tag.rpartition("}")[2]
        if len(child):
            for sub_path, sub_values in _flattened(child, path + "/").items():
                values.setdefault(sub_path, []).extend(sub_values)
        else:
            values.setdefault(path, []).append((child.text or "").strip())
    return {path: sorted(texts) for path, texts in values.items()}


def texts(parent: ET.Element, name: str) -> list[str]:
    return [(element.text or "").strip() for element in parent.findall(tag(name))]


def set_text(parent: ET.Element, name: str, value: str, order: Iterable[str]) -> None:
    element = parent.find(tag(name))
    if element is None:
        element = insert(parent, name, order)
    element.text = value


def insert(parent: ET.Element, name: str, order: Iterable[str]) -> ET.Element:
    """A new child ``name`` after the last child that the WSDL's sequence puts before or with it."""
    rank = {field: index for index, field in enumerate(order)}
    position = sum(1 for child in parent if rank.get(child.tag.rpartition("}")[2], -1) <= rank[name])
    element = ET.Element(tag(name))
    parent.insert(position, element)
    return element
