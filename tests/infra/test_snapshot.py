"""One snapshot per stack variant, so every template change shows up in review (asset hashes masked)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from aws_cdk.assertions import Template

from tests.infra.conftest import VARIANTS

_ASSET_HASH = re.compile(r"\b[0-9a-f]{64}\b")
_VERSION_ID = re.compile(r"CurrentVersion[0-9A-F]{8}[0-9a-f]{32}")  # derived from the code's hash


def masked(template: Template) -> Any:
    text = _ASSET_HASH.sub("<asset-hash>", json.dumps(template.to_json(), sort_keys=True))
    return json.loads(_VERSION_ID.sub("CurrentVersion<code-hash>", text))


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_template_matches_snapshot(variant: str, templates: dict[str, Template], snapshot: Any) -> None:
    assert masked(templates[variant]) == snapshot
