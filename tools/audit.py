"""``make audit``: every pinned requirements file (found, not listed: a new one cannot be missed) checked
against known vulnerabilities with pip-audit, and package-lock.json with ``npm audit``.

pip-audit prints "No known vulnerabilities found" even when it could audit none of the packages (the index
it asked does not know them, or offers no vulnerability data), which says nothing. So the verdict is read from
its JSON report: a package pip-audit skipped, or a vulnerability service it could not reach, means the file
was NOT checked, and the command says so and fails. Exit codes: 0 every package audited and none vulnerable,
1 a known vulnerability, 2 not (fully) checked.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
#: folders that hold installed or generated files, never this project's own pins
_NOT_OURS = {".git", ".venv", "build", "node_modules", "cdk.out"}
NPM_LOCK = "package-lock.json"
CLEAN, VULNERABLE, NOT_CHECKED = 0, 1, 2


def requirement_files(root: Path = ROOT) -> list[str]:
    """Every compiled requirements file of the project (``requirements*.txt`` anywhere but installed folders)."""
    return sorted(
        str(path.relative_to(root))
        for path in root.rglob("requirements*.txt")
        if not _NOT_OURS & set(path.relative_to(root).parts[:-1])
        and not path.relative_to(root).parts[0].startswith(".")
    )


@dataclass(frozen=True)
class Verdict:
    code: int
    lines: list[str]


def verdict(requirements: str, report: dict[str, Any]) -> Verdict:
    """What one pip-audit JSON report says about ``requirements``."""
    dependencies = report.get("dependencies", [])
    skipped = [d for d in dependencies if d.get("skip_reason")]
    vulnerable = [d for d in dependencies if d.get("vulns")]
    lines = [
        f"{requirements}: {d['name']} {d.get('version', '')}: {v['id']} (fixed in {_fixes(v)})"
        for d in vulnerable
        for v in d["vulns"]
    ]
    if vulnerable:
        return Verdict(VULNERABLE, lines)
    if not dependencies or skipped:
        reasons = sorted({d["skip_reason"] for d in skipped})[:3]
        return Verdict(
            NOT_CHECKED,
            [
                f"{requirements}: NOT CHECKED: {len(skipped)} of {len(dependencies)} packages could not be audited "
                "(no vulnerability data for them from the service pip-audit asked)",
                *(f"  {reason}" for reason in reasons),
            ],
        )
    return Verdict(CLEAN, [f"{requirements}: {len(dependencies)} packages audited, no known vulnerabilities"])


def _fixes(vulnerability: dict[str, Any]) -> str:
    return ", ".join(vulnerability.get("fix_versions") or ["-"])


def audit(requirements: str) -> Verdict:
    command = [sys.executable, "-m", "pip_audit", "-r", str(ROOT / requirements), "--no-deps", "--disable-pip"]
    result = subprocess.run([*command, "-f", "json", "--progress-spinner", "off"], capture_output=True, text=True)
    try:
        report = json.loads(result.stdout)
    except ValueError:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        return Verdict(
            NOT_CHECKED, [f"{requirements}: NOT CHECKED: pip-audit could not reach a vulnerability service: {last}"]
        )
    return verdict(requirements, report)


def npm_verdict(report: dict[str, Any]) -> Verdict:
    """What ``npm audit --json`` says about package-lock.json."""
    counts = report.get("metadata", {}).get("vulnerabilities")
    if not isinstance(counts, dict):
        return Verdict(NOT_CHECKED, [f"{NPM_LOCK}: NOT CHECKED: npm audit gave no report ({report.get('error', '')})"])
    found = {level: count for level, count in counts.items() if level != "total" and count}
    if found:
        named = ", ".join(
            f"{name} ({v.get('severity')})" for name, v in sorted(report.get("vulnerabilities", {}).items())
        )
        return Verdict(VULNERABLE, [f"{NPM_LOCK}: {sum(found.values())} known vulnerabilities: {named}"])
    dependencies = report.get("metadata", {}).get("dependencies", {})
    total = dependencies.get("total", "all") if isinstance(dependencies, dict) else "all"
    return Verdict(CLEAN, [f"{NPM_LOCK}: {total} packages audited, no known vulnerabilities"])


def audit_npm() -> Verdict:
    try:
        result = subprocess.run(
            ["npm", "audit", "--package-lock-only", "--json"], cwd=ROOT, capture_output=True, text=True, check=False
        )
        report = json.loads(result.stdout)
    except (OSError, ValueError) as error:
        return Verdict(NOT_CHECKED, [f"{NPM_LOCK}: NOT CHECKED: npm audit could not run: {error}"])
    return npm_verdict(report)


def main() -> int:
    verdicts = [*(audit(requirements) for requirements in requirement_files()), audit_npm()]
    for found in verdicts:
        print("\n".join(found.lines))
    code = max(found.code for found in verdicts)
    print(
        {
            CLEAN: "All pins audited: no known vulnerabilities.",
            VULNERABLE: "Known vulnerabilities in the pins above: bump them (then make lock / make synth).",
            NOT_CHECKED: "The pins were NOT fully checked against a vulnerability database (see above): "
            "run make audit where pypi.org's vulnerability data (or pip-audit -s osv) and the npm registry are "
            "reachable.",
        }[code]
    )
    return code


if __name__ == "__main__":
    sys.exit(main())
