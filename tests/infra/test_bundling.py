"""The Lambda bundles install only what their locks hash: the functions that hold the private key get the
exact wheels ``make lock`` recorded, for the runtime's platform."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from scv_salesforce import bundling
from scv_salesforce.bundling import PipLocalBundler
from scv_salesforce.constants import PROJECT_ROOT, PYTHON_VERSION

BUNDLE_LOCKS = sorted(PROJECT_ROOT.glob("lambda_src/*/requirements.txt"))
_REQUIREMENT = re.compile(r"^(?P<name>[A-Za-z0-9_.-]+)==(?P<version>[^\s;\\]+)(?P<rest>(?:.*\\\n)*.*)", re.M)


def locked(lock: Path) -> dict[str, list[str]]:
    """name==version -> its sha256 hashes, as the lock lists them."""
    return {
        f"{match['name']}=={match['version']}": re.findall(r"--hash=sha256:([0-9a-f]{64})", match["rest"])
        for match in _REQUIREMENT.finditer(lock.read_text())
    }


def test_every_bundle_is_locked_with_a_hash_for_every_pin() -> None:
    assert {lock.parent.name for lock in BUNDLE_LOCKS} == {"scv_invoker", "scv_seeder", "scv_certificate_check"}
    for lock in BUNDLE_LOCKS:
        pins = locked(lock)
        assert pins, f"{lock} pins nothing"
        assert all(pins.values()), f"{lock}: pins without a hash: {[pin for pin, hashes in pins.items() if not hashes]}"
        assert (lock.parent / "requirements.in").is_file(), f"{lock} is compiled from requirements.in (make lock)"


def test_a_lock_holds_the_runtime_wheels_transitive_pins_too() -> None:
    """The seeder's cryptography brings cffi and pycparser: each is pinned and hashed, not left to pip."""
    pins = locked(PROJECT_ROOT / "lambda_src/scv_seeder/requirements.txt")
    names = {pin.split("==")[0].lower() for pin in pins}
    assert {"cryptography", "cffi", "pycparser"} <= names


def test_the_invoker_ships_its_trust_store_alone() -> None:
    """It signs in the standard library (rs256.py): no JWT or cryptography library in its bundle."""
    pins = locked(PROJECT_ROOT / "lambda_src/scv_invoker/requirements.txt")
    assert {pin.split("==")[0].lower() for pin in pins} == {"certifi"}


@pytest.mark.e2e
def test_bundling_refuses_a_requirement_the_lock_does_not_hash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without --require-hashes pip would install an unhashed pin from whatever index answers."""
    source = tmp_path / "scv_probe"
    source.mkdir()
    (source / "requirements.txt").write_text("PyJWT==2.15.1\n")
    monkeypatch.setattr(bundling, "function_source_dir", lambda package: source)
    with pytest.raises(RuntimeError, match="(?s)bundling scv_probe.*[Hh]ashes are required"):
        PipLocalBundler("scv_probe", PYTHON_VERSION).try_bundle(str(tmp_path / "out"), image=None)
