"""make audit's verdict: "no known vulnerabilities" only when every package was audited."""

from __future__ import annotations

from tools.audit import CLEAN, NOT_CHECKED, VULNERABLE, verdict

AUDITED = {"name": "cryptography", "version": "50.0.2", "vulns": []}
NOT_FOUND = {"name": "cffi", "skip_reason": "Dependency not found on PyPI and could not be audited: cffi (2.1.1)"}


def test_every_package_audited_and_none_vulnerable_is_clean() -> None:
    assert verdict("r.txt", {"dependencies": [AUDITED]}).code == CLEAN


def test_a_package_pip_audit_could_not_find_means_not_checked() -> None:
    """What pip-audit prints as "No known vulnerabilities found" when its index has no data."""
    found = verdict("r.txt", {"dependencies": [AUDITED, NOT_FOUND], "fixes": []})
    assert found.code == NOT_CHECKED
    assert "NOT CHECKED: 1 of 2 packages" in found.lines[0]


def test_none_of_the_packages_found_means_not_checked() -> None:
    assert verdict("r.txt", {"dependencies": [NOT_FOUND, NOT_FOUND]}).code == NOT_CHECKED
    assert verdict("r.txt", {"dependencies": []}).code == NOT_CHECKED


def test_a_known_vulnerability_fails_and_is_named() -> None:
    vulnerable = {**AUDITED, "vulns": [{"id": "GHSA-xxxx", "fix_versions": ["50.0.3"]}]}
    found = verdict("r.txt", {"dependencies": [vulnerable, NOT_FOUND]})
    assert found.code == VULNERABLE
    assert found.lines == ["r.txt: cryptography 50.0.2: GHSA-xxxx (fixed in 50.0.3)"]
