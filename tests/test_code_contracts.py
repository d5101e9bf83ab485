"""The contracts the tools enforce, run by `make test` so CI fails on them: ruff's lint and format, the type
checker over the shipped code, and import-linter's contracts (pyproject.toml: docs/DESIGN.md's import rules)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tools.harness.synth import PROJECT_ROOT

BIN = Path(sys.executable).parent
CHECKS = {
    "ruff check": [str(BIN / "ruff"), "check", "."],
    "ruff format": [str(BIN / "ruff"), "format", "--check", "."],
    "mypy": [str(BIN / "mypy")],  # its files and options: pyproject.toml [tool.mypy]
    "import-linter": [str(BIN / "lint-imports"), "--no-cache"],
}


@pytest.mark.parametrize("command", CHECKS.values(), ids=CHECKS.keys())
def test_the_code_keeps_its_contracts(command: list[str]) -> None:
    result = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
