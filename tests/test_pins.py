"""Pins of the build itself: the build backend's floor is above its known vulnerabilities."""

from __future__ import annotations

import re
import tomllib

from tools.harness.synth import PROJECT_ROOT

FIXED_SETUPTOOLS = (78, 1, 1)  # CVE-2025-47273 (path traversal in PackageIndex) is fixed in 78.1.1


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def test_the_build_floor_of_setuptools_has_the_path_traversal_fix() -> None:
    requires = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["build-system"]["requires"]
    (floor,) = [re.fullmatch(r"setuptools>=([\d.]+)", requirement) for requirement in requires]
    assert floor and _version(floor[1]) >= FIXED_SETUPTOOLS
    locked = re.search(r"^setuptools==([\d.]+)", (PROJECT_ROOT / "requirements.txt").read_text(), re.MULTILINE)
    assert locked and _version(locked[1]) >= FIXED_SETUPTOOLS, "make install builds the project with the locked one"
