"""The org both `scvctl salesforce connect` test files start from, whatever the app kind: the Japanese administrator
and the integration user, the administrator's session in SF_ACCESS_TOKEN, and the sessions without rights."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import CC, USERNAME, RunCli
from tools.emulators.salesforce.metadata import CUSTOMIZE_APPLICATION, MODIFY_METADATA

ADMIN = "admin@example.com"
ADMIN_PROFILE = "システム管理者"
EXISTING_CALLBACK = "https://testcc-org.my.salesforce.com/services/oauth2/callback"


def add_people(salesforce: Any) -> None:
    """The administrator's and the integration user's profiles and users."""
    salesforce.add_profile(ADMIN_PROFILE)
    salesforce.add_profile("Custom: Integration", ())
    salesforce.add_user(ADMIN, profile=ADMIN_PROFILE)
    salesforce.add_user(USERNAME, profile=ADMIN_PROFILE)


def admin_session(salesforce: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """The administrator's token in SF_ACCESS_TOKEN, and a fresh working directory."""
    token = salesforce.issue_session(ADMIN)
    monkeypatch.setenv("SF_ACCESS_TOKEN", token)
    monkeypatch.chdir(tmp_path)
    return str(token)


def connect(run_cli: RunCli, salesforce: Any, *extra: str, invoker: Any = None) -> Any:
    return run_cli("salesforce", "connect", CC, "--instance-url", salesforce.base_url, *extra, invoker=invoker)


def no_rights(salesforce: Any) -> None:
    salesforce.add_profile("Standard User", ())
    salesforce.add_user(ADMIN, profile="Standard User")


def no_profile_rights(salesforce: Any) -> None:
    salesforce.add_profile("Metadata Deployer", (MODIFY_METADATA, CUSTOMIZE_APPLICATION))
    salesforce.add_user(ADMIN, profile="Metadata Deployer")
