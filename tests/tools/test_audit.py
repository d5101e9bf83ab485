"""make audit's verdict: "no known vulnerabilities" only when every package was audited."""

from __future__ import annotations

from pathlib import Path

from tools.audit import CLEAN, NOT_CHECKED, ROOT, VULNERABLE, npm_verdict, requirement_files, verdict

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


def test_every_requirements_file_of_the_project_is_found_and_nothing_installed() -> None:
    """Found, not listed: the certificate check's pins were missed by a hand-kept list."""
    found = requirement_files()
    expected = {str(path.relative_to(ROOT)) for path in ROOT.glob("requirements*.txt")}
    expected |= {str(path.relative_to(ROOT)) for path in ROOT.glob("lambda_src/*/requirements.txt")}
    assert "lambda_src/scv_certificate_check/requirements.txt" in expected
    assert set(found) == expected
    assert not [name for name in found if name.startswith((".venv", "build", "node_modules"))]


def test_a_new_requirements_file_is_audited_without_a_code_change(tmp_path: Path) -> None:
    (tmp_path / "lambda_src" / "scv_new").mkdir(parents=True)
    (tmp_path / "lambda_src" / "scv_new" / "requirements.txt").write_text("x==1\n")
    (tmp_path / "node_modules" / "pkg").mkdir(parents=True)
    (tmp_path / "node_modules" / "pkg" / "requirements.txt").write_text("y==1\n")
    assert requirement_files(tmp_path) == ["lambda_src/scv_new/requirements.txt"]


def test_package_lock_verdicts() -> None:
    clean = {"metadata": {"vulnerabilities": {"low": 0, "high": 0, "total": 0}, "dependencies": {"total": 3}}}
    assert npm_verdict(clean).code == CLEAN
    vulnerable = {
        "metadata": {"vulnerabilities": {"high": 1, "total": 1}},
        "vulnerabilities": {"aws-cdk": {"severity": "high"}},
    }
    assert npm_verdict(vulnerable).code == VULNERABLE and "aws-cdk (high)" in npm_verdict(vulnerable).lines[0]
    assert npm_verdict({"error": {"code": "ENOTFOUND"}}).code == NOT_CHECKED
