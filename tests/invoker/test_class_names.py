"""One name, one class: a reader who finds a class by its name must find the one they mean (issue #19 item 8)."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: the runtime packages, the test harness and the operator's CLI: code that imports each other's names
TREES = ("lambda_src", "tools", "cli")


def _classes() -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    for tree in TREES:
        for path in sorted((ROOT / tree).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ClassDef):
                    found[node.name].append(str(path.relative_to(ROOT)))
    return found


def test_no_two_classes_in_the_runtime_harness_and_cli_share_a_name() -> None:
    classes = _classes()
    assert "MethodCall" in classes  # the scan sees lambda_src
    assert "InvocationRecord" in classes  # and tools
    assert {name: paths for name, paths in classes.items() if len(paths) > 1} == {}


def test_the_per_invocation_salesforce_client_says_so() -> None:
    from scv_invoker import salesforce

    assert salesforce.InvocationSalesforceClient.__init__.__annotations__["client"] is salesforce.SalesforceClient
    assert not hasattr(salesforce, "Api")
