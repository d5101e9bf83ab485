"""Resource naming derived from config names (names scv_shared owns stay in scv_shared)."""

from __future__ import annotations


def construct_suffix(org_name: str) -> str:
    """``dr-tokyo`` → ``DrTokyo``: what an org adds to construct ids, output names and IAM statement ids."""
    return "".join(part[:1].upper() + part[1:] for part in org_name.split("-"))
